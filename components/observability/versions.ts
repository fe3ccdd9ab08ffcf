/**
 * The observability charts, pinned here and nowhere else. Upgrading is a change of one constant,
 * reviewed in `pulumi preview` (kube-prometheus-stack majors may need CRD upgrades first: read
 * the chart's upgrade notes).
 */

/** Prometheus, Alertmanager, Grafana, the Prometheus operator and its CRDs. */
export const KUBE_PROMETHEUS_STACK_CHART = {
    chart: "kube-prometheus-stack",
    version: "81.6.2",
    repository: "https://prometheus-community.github.io/helm-charts",
} as const;

/** Jaeger (all-in-one: collector with OTLP, query UI, in-memory storage). */
export const JAEGER_CHART = {
    chart: "jaeger",
    version: "3.4.1",
    repository: "https://jaegertracing.github.io/helm-charts",
} as const;
