/**
 * The Observability component's arguments made whole, as plain functions: every default applied
 * once (`withObservabilityDefaults`, `OBSERVABILITY_DEFAULTS`), every argument checked
 * (`validateObservabilityArgs`), and the settings the component builds from
 * (`observabilitySettings`). Nothing here creates a resource.
 */
import { Defaults, WithDefaults, providerProblems, settingsOrThrow, withDefaults } from "../args";
import { DEFAULT_MESH_DATA_PLANE, dataPlaneProblem } from "../mesh/ambient";
import { ISTIO_NAMESPACE } from "../mesh/specs";
import { Problem, Problems } from "../problems";
import type { ObservabilityArgs } from "./observability";
import { DEFAULT_PROMETHEUS_STACK_VERSION, prometheusStackVersionProblem } from "./crds";
import { retentionProblem, storageSizeProblem } from "./specs";

/**
 * Prometheus' volume: `ebs-gp3` creates the encrypted gp3 StorageClass (EKS, EBS CSI driver);
 * `cluster-default` uses the cluster's default StorageClass (an existing cluster).
 */
export const OBSERVABILITY_STORAGE = ["ebs-gp3", "cluster-default"] as const;
export type ObservabilityStorage = (typeof OBSERVABILITY_STORAGE)[number];

/** The arguments of the component that config or the stack set: not its owner, providers or the (secret) password. */
export type ObservabilityOptions = Omit<ObservabilityArgs, "owner" | "providers" | "grafanaAdminPassword">;

/**
 * The defaults of the optional ObservabilityArgs, each written here only (the TSDoc `@default`
 * of each field in ObservabilityArgs says the same; the common layer's config keys take theirs
 * from here). `chartMirror` has none: unset means upstream (the charts module's default).
 */
export const OBSERVABILITY_DEFAULTS = {
    dependsOn: [],
    prometheusRetention: "3d",
    prometheusStorageSize: "10Gi",
    istioNamespace: ISTIO_NAMESPACE,
    storage: "ebs-gp3",
    dataPlane: DEFAULT_MESH_DATA_PLANE,
    prometheusStackVersion: DEFAULT_PROMETHEUS_STACK_VERSION,
} as const satisfies Defaults<ObservabilityOptions>;

/** ObservabilityOptions with every default applied and checked: what the component builds. */
export type ObservabilitySettings = WithDefaults<ObservabilityOptions, typeof OBSERVABILITY_DEFAULTS>;

/** `args` with every default applied (`undefined` means the default; any other value is kept as given, to be checked). Pure. */
export function withObservabilityDefaults(args: ObservabilityOptions): ObservabilitySettings {
    return withDefaults(args, OBSERVABILITY_DEFAULTS);
}

/**
 * Applies the defaults and checks every argument; pure. Returns the settings, or every problem:
 * the property, its value, what is wrong and what is allowed.
 */
export function validateObservabilityArgs(args: ObservabilityOptions): {
    settings?: ObservabilitySettings;
    problems: Problem[];
} {
    const problems = new Problems();
    const resolved = withObservabilityDefaults(args);
    const { prometheusRetention, prometheusStorageSize, storage } = resolved;
    problems.add("prometheusRetention", prometheusRetention, retentionProblem(prometheusRetention));
    problems.add("prometheusStorageSize", prometheusStorageSize, storageSizeProblem(prometheusStorageSize));
    // An untyped caller's other text would get the StorageClass but a volume without it.
    const storageAllowed = `allowed: ${OBSERVABILITY_STORAGE.join(", ")}`;
    problems.add("storage", storage, OBSERVABILITY_STORAGE.includes(storage) ? undefined : storageAllowed);
    problems.add("dataPlane", resolved.dataPlane, dataPlaneProblem(resolved.dataPlane));
    const version = resolved.prometheusStackVersion;
    problems.add("prometheusStackVersion", version, prometheusStackVersionProblem(version));
    return problems.empty ? { problems: [], settings: resolved } : { problems: [...problems.all] };
}

/**
 * The settings the Observability component `name` builds from: its providers checked, then its
 * arguments (defaults applied once, every argument checked). Pure; throws one ProblemError
 * (ComponentArgsError) listing every problem, the providers' first.
 */
export function observabilitySettings(name: string, args: ObservabilityArgs): ObservabilitySettings {
    const { owner: _owner, providers, grafanaAdminPassword: _password, ...options } = args;
    return settingsOrThrow(
        "Observability",
        name,
        providerProblems(providers, ["kubernetes"]),
        validateObservabilityArgs(options),
    );
}
