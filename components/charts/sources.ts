/**
 * Every Helm chart the platform installs: its name, pinned version, upstream source and where its
 * images come from, in one place. Upgrading a chart is a change of one entry here, reviewed in
 * `pulumi preview`. `chartMirror` (config) installs every chart from a team's own mirror instead.
 */

/** One pinned chart. */
export interface ChartPin {
    /** The chart's name, as published (and its folder's prefix in a local mirror). */
    readonly chart: string;
    readonly version: string;
    /** Where upstream publishes it: an `oci://` registry path or an `https://` Helm repository. */
    readonly repository: string;
    /** The registry its images are pulled from, and why. */
    readonly images: string;
}

/** Istio's release of the mesh (base, istiod, gateway; cni and ztunnel in ambient mode). */
const ISTIO_RELEASE = "1.30.4";

/**
 * Istio's charts from its OCI registry on GitHub. From Istio 1.31 nothing is published to
 * istio-release.storage.googleapis.com, gcr.io/istio-release or registry.istio.io (the last
 * shut-down test of those hosts runs 2026-12-08/09, Istio 1.31 upgrade notes); charts live at
 * oci://ghcr.io/istio/release/charts and https://blob.istio.io/istio-release/charts.
 */
export const ISTIO_CHART_REGISTRY = "oci://ghcr.io/istio/release/charts";

/**
 * Istio's images from Docker Hub, which keeps them. The 1.30 charts default their hub to
 * registry.istio.io/release (stamped by Istio's release tooling), a host being retired in late
 * 2026, so istiod's `global.hub` is set to this explicitly (the gateway's image comes from
 * istiod's injection, hence from the same hub).
 */
export const ISTIO_IMAGE_HUB = "docker.io/istio";

export const CHARTS = {
    base: {
        chart: "base",
        version: ISTIO_RELEASE,
        repository: ISTIO_CHART_REGISTRY,
        images: "none (CRDs and cluster roles)",
    },
    istiod: {
        chart: "istiod",
        version: ISTIO_RELEASE,
        repository: ISTIO_CHART_REGISTRY,
        images: `${ISTIO_IMAGE_HUB} (global.hub set explicitly)`,
    },
    gateway: {
        chart: "gateway",
        version: ISTIO_RELEASE,
        repository: ISTIO_CHART_REGISTRY,
        images: `${ISTIO_IMAGE_HUB} (injected by istiod)`,
    },
    /**
     * Ambient mode's node agent (components/mesh/ambient.ts): redirects the traffic of pods in
     * ambient namespaces to the node's ztunnel. Installed only with dataPlane ambient.
     */
    cni: {
        chart: "cni",
        version: ISTIO_RELEASE,
        repository: ISTIO_CHART_REGISTRY,
        images: `${ISTIO_IMAGE_HUB} (global.hub set explicitly)`,
    },
    /** Ambient mode's node proxy (a DaemonSet: mTLS over HBONE, L4 policies). Installed only with dataPlane ambient. */
    ztunnel: {
        chart: "ztunnel",
        version: ISTIO_RELEASE,
        repository: ISTIO_CHART_REGISTRY,
        images: `${ISTIO_IMAGE_HUB} (its own hub value set explicitly)`,
    },
    "kube-prometheus-stack": {
        chart: "kube-prometheus-stack",
        version: "81.6.2",
        repository: "https://prometheus-community.github.io/helm-charts",
        images: "quay.io (Prometheus, operator, Alertmanager, node exporter), docker.io/grafana, registry.k8s.io (kube-state-metrics, the webhook certificate job): the chart's defaults",
    },
    /** Jaeger v2 (built on the OpenTelemetry collector); chart 3.x was Jaeger v1, end of life 2025-12-31. */
    jaeger: {
        chart: "jaeger",
        version: "4.11.1",
        repository: "https://jaegertracing.github.io/helm-charts",
        images: "docker.io/jaegertracing/jaeger (the chart's appVersion, 2.19.0)",
    },
    "metrics-server": {
        chart: "metrics-server",
        version: "3.13.1",
        repository: "https://kubernetes-sigs.github.io/metrics-server/",
        images: "registry.k8s.io/metrics-server (the chart's default)",
    },
    /**
     * Makes the ingress gateway's Network Load Balancer from its Service's annotations, with AWS
     * permissions through EKS Pod Identity (components/cluster); not installed with clusterMode existing.
     */
    "aws-load-balancer-controller": {
        chart: "aws-load-balancer-controller",
        version: "3.5.0",
        repository: "https://aws.github.io/eks-charts",
        images: "public.ecr.aws/eks/aws-load-balancer-controller (the chart's default, v3.5.0)",
    },
    /**
     * A Route53 record for every exposed service's host, in the environment's private zone
     * (components/cluster/external-dns.ts); not installed with clusterMode existing. Not in the
     * team's offline chart set: its values file is vendored from the upstream tag for the tests.
     */
    "external-dns": {
        chart: "external-dns",
        version: "1.21.1",
        repository: "https://kubernetes-sigs.github.io/external-dns/",
        images: "registry.k8s.io/external-dns/external-dns (the chart's default, its appVersion 0.21.0)",
    },
    /**
     * Issues and renews the gateway's certificates (components/certificates); chart versions carry
     * a leading `v`. Not in the team's offline chart set: the chart is vendored from the upstream
     * tag for the tests (test/fixtures/chart-values/SOURCE.md).
     */
    "cert-manager": {
        chart: "cert-manager",
        version: "v1.21.1",
        repository: "https://charts.jetstack.io",
        images: "quay.io/jetstack (controller, webhook, CA injector, startup check: the chart's defaults, its appVersion v1.21.1)",
    },
} as const satisfies Record<string, ChartPin>;

export type ChartName = keyof typeof CHARTS;

/** Where the charts come from: upstream, or a team's mirror (config `chartMirror`). */
export type ChartMirror =
    | { readonly kind: "upstream" }
    /** An OCI registry (e.g. ECR): chart `<name>` at `oci://<registry>/<path>/<name>`. */
    | { readonly kind: "oci"; readonly url: string }
    /** An HTTPS Helm repository holding every chart. */
    | { readonly kind: "https"; readonly url: string }
    /** A directory of unpacked charts, one folder `<name>-<version>` each. */
    | { readonly kind: "directory"; readonly path: string };

/** What `chartMirror` allows, for messages and docs. */
export const CHART_MIRROR_ALLOWED =
    "empty (each chart from its upstream source), oci://<registry>/<path> (an OCI registry such as ECR), https://<host>/<path> (an HTTPS Helm repository) or an absolute path of a directory holding one <chart>-<version> folder per chart";

const HOST_PATH = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[A-Za-z0-9._~-]+)*\/?$/;

/** Reads a `chartMirror` value: the mirror, or a message saying what is wrong and allowed. */
export function parseChartMirror(value: string): ChartMirror | string {
    if (value === "") {
        return { kind: "upstream" };
    }
    const bad = (what: string) => `${what}; allowed: ${CHART_MIRROR_ALLOWED}`;
    for (const kind of ["oci", "https"] as const) {
        const prefix = `${kind}://`;
        if (value.startsWith(prefix)) {
            const rest = value.slice(prefix.length);
            return HOST_PATH.test(rest)
                ? { kind, url: value.replace(/\/+$/, "") }
                : bad(`not a ${kind === "oci" ? "registry" : "repository"} address`);
        }
    }
    if (value.startsWith("/")) {
        const segments = value.split("/").slice(1);
        return segments.some((s, i) => s === "." || s === ".." || (s === "" && i < segments.length - 1))
            ? bad("not a normalized absolute path")
            : { kind: "directory", path: value.length > 1 ? value.replace(/\/+$/, "") : value };
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) {
        return bad(`scheme ${value.split(":")[0]} is not supported`);
    }
    return bad("not a chart mirror (relative paths are not allowed)");
}

/** Why `value` cannot be a `chartMirror`, or undefined. */
export function chartMirrorProblem(value: string): string | undefined {
    const parsed = parseChartMirror(value);
    return typeof parsed === "string" ? parsed : undefined;
}

/** The chart fields of a Helm Release (`chart`, `version`, `repositoryOpts`) for `name` from `mirror`. */
export interface ReleaseChart {
    readonly chart: string;
    readonly version?: string;
    readonly repositoryOpts?: { readonly repo: string };
}

/**
 * Where the Release of chart `name` takes its chart from; `version` overrides the pin (Istio's
 * canary control plane runs another release beside it).
 */
export function releaseChart(
    name: ChartName,
    mirror: ChartMirror = { kind: "upstream" },
    version?: string,
): ReleaseChart {
    const pin: ChartPin = { ...CHARTS[name], ...(version === undefined ? {} : { version }) };
    const fromRepository = (repository: string): ReleaseChart =>
        repository.startsWith("oci://")
            ? { chart: `${repository}/${pin.chart}`, version: pin.version }
            : { chart: pin.chart, version: pin.version, repositoryOpts: { repo: repository } };
    switch (mirror.kind) {
        case "upstream":
            return fromRepository(pin.repository);
        case "oci":
        case "https":
            return fromRepository(mirror.url);
        case "directory":
            // A local chart: Helm reads the version from its Chart.yaml.
            return { chart: `${mirror.path}/${pin.chart}-${pin.version}` };
    }
}
