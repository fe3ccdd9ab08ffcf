/**
 * The Prometheus operator's CRDs, owned by the platform rather than by Helm. Helm installs a chart's
 * `crds/` folder on the first install only and never upgrades it, so a new kube-prometheus-stack
 * (a new prometheus-operator) would run against its predecessor's CRDs. The CRDs of every chart
 * version the platform can install are vendored unchanged in ./crds/ (its SOURCE.md names the
 * repository, tag and commit); the observability component applies the ones of the version it
 * installs (server-side apply, before the release, kept when the stack goes) and tells Helm to skip
 * the chart's own. Pure: this module reads and checks the files.
 */
import * as path from "path";
import { CHARTS } from "../charts";
import { vendoredDocuments } from "../vendored";

/**
 * The kube-prometheus-stack versions whose CRDs the package carries, each with the
 * prometheus-operator release its CRDs are stamped with (`operator.prometheus.io/version`).
 */
export const PROMETHEUS_STACK_CRDS = {
    "81.6.2": "0.88.1",
    "88.5.3": "0.93.1",
} as const;
export type PrometheusStackVersion = keyof typeof PROMETHEUS_STACK_CRDS;

/** The versions `prometheusStackVersion` allows, oldest first. */
export const PROMETHEUS_STACK_VERSIONS = Object.keys(PROMETHEUS_STACK_CRDS) as PrometheusStackVersion[];

/** The pinned version (components/charts/sources.ts): the default. */
export const DEFAULT_PROMETHEUS_STACK_VERSION: PrometheusStackVersion = CHARTS["kube-prometheus-stack"].version;

/** Why `version` cannot be installed, or undefined. */
export function prometheusStackVersionProblem(version: string): string | undefined {
    return version in PROMETHEUS_STACK_CRDS
        ? undefined
        : `no CRDs for this chart version in the package; allowed: ${PROMETHEUS_STACK_VERSIONS.join(", ")}`;
}

/** The folder of the vendored CRDs (copied beside the compiled module by the package's build). */
export const PROMETHEUS_CRDS_DIR = path.join(__dirname, "crds");

/** One CRD as the chart ships it. */
export interface VendoredCrd {
    /** Its name (`<plural>.<group>`), also its logical name's suffix. */
    readonly name: string;
    /** Upstream's annotations (controller-gen and operator versions). */
    readonly annotations: Readonly<Record<string, string>>;
    readonly spec: Record<string, unknown>;
}

const cache = new Map<string, readonly VendoredCrd[]>();

/**
 * The CRDs of kube-prometheus-stack `version`, sorted by name. Throws naming the file when a
 * document is not a CRD or is stamped with another operator release than the version's (a
 * partial update of the folder). Read once per folder.
 */
export function prometheusStackCrds(
    version: PrometheusStackVersion,
    dir: string = PROMETHEUS_CRDS_DIR,
): readonly VendoredCrd[] {
    const folder = path.join(dir, `kube-prometheus-stack-${version}`);
    const cached = cache.get(folder);
    if (cached !== undefined) {
        return cached;
    }
    const operator = PROMETHEUS_STACK_CRDS[version];
    const crds: VendoredCrd[] = [];
    for (const doc of vendoredDocuments(folder)) {
        const { name, spec, annotations } = doc;
        if (doc.kind !== "CustomResourceDefinition" || typeof name !== "string" || typeof spec !== "object") {
            throw new Error(`${doc.file}: not a CustomResourceDefinition`);
        }
        const stamped = annotations["operator.prometheus.io/version"];
        if (stamped !== operator) {
            throw new Error(`${doc.file}: operator version ${stamped}, expected ${operator}`);
        }
        crds.push({ name, annotations, spec: spec as Record<string, unknown> });
    }
    crds.sort((a, b) => a.name.localeCompare(b.name));
    cache.set(folder, crds);
    return crds;
}
