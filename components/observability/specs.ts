/**
 * Pure functions of plain data behind the observability component: the Helm values of
 * kube-prometheus-stack and Jaeger, Grafana's data sources and dashboards, and the monitors that
 * make Prometheus scrape istiod and the Envoy sidecars every 15 s (seed 000).
 */

/** The namespace of Prometheus, Grafana and Jaeger. */
export const OBSERVABILITY_NAMESPACE = "observability";
/** Release names; the charts derive their Service names from them. */
export const PROMETHEUS_STACK_RELEASE = "kube-prometheus-stack";
export const JAEGER_RELEASE = "jaeger";
/** Scrape interval of the mesh's monitors (seed 000: every 15 seconds). */
export const SCRAPE_INTERVAL = "15s";
/** The encrypted gp3 StorageClass that Prometheus' volume claims use (EBS CSI driver). */
export const STORAGE_CLASS = "gp3";
/** The Secret holding Grafana's admin credentials; the chart reads it, so values hold no secret. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

const SVC = `${OBSERVABILITY_NAMESPACE}.svc.cluster.local`;

/** In-cluster addresses of the observability services. */
export const ENDPOINTS = {
    prometheusUrl: `http://${PROMETHEUS_STACK_RELEASE}-prometheus.${SVC}:9090`,
    grafanaUrl: `http://${PROMETHEUS_STACK_RELEASE}-grafana.${SVC}:80`,
    jaegerQueryUrl: `http://${JAEGER_RELEASE}-query.${SVC}:16686`,
    /** OTLP/gRPC collector of Jaeger, as host and port (what Istio's extension provider takes). */
    jaegerCollector: { host: `${JAEGER_RELEASE}-collector.${SVC}`, port: 4317 },
} as const;

/** `host:port` of Jaeger's OTLP/gRPC collector. */
export const JAEGER_COLLECTOR_ENDPOINT = `${ENDPOINTS.jaegerCollector.host}:${ENDPOINTS.jaegerCollector.port}`;

/** Why `retention` is not a Prometheus retention, or undefined. */
export function retentionProblem(retention: string): string | undefined {
    return /^[1-9][0-9]*(h|d|w|y)$/.test(retention) ? undefined : "not a Prometheus retention; allowed: a whole number and h, d, w or y, e.g. 3d or 2w";
}

/** Why `size` is not a volume size, or undefined. */
export function storageSizeProblem(size: string): string | undefined {
    return /^[1-9][0-9]*(Gi|Ti)$/.test(size) ? undefined : "not a volume size; allowed: a whole number and Gi or Ti, e.g. 10Gi";
}

/**
 * Istio's Grafana dashboards from grafana.com, by id: mesh, service, workload and control plane.
 * Istio publishes a revision of each per release; `latest` follows it.
 * See https://istio.io/latest/docs/ops/integrations/grafana/
 */
export const ISTIO_DASHBOARDS: Readonly<Record<string, number>> = {
    "istio-mesh": 7639,
    "istio-service": 7636,
    "istio-workload": 7630,
    "istio-control-plane": 7645,
};

/** Grafana's data sources besides the chart's default Prometheus: Jaeger. */
export function grafanaDataSources(): Record<string, unknown>[] {
    return [{ name: "Jaeger", type: "jaeger", uid: "jaeger", access: "proxy", url: ENDPOINTS.jaegerQueryUrl, editable: false }];
}

/** What kube-prometheus-stack's values are built from. */
export interface PrometheusStackOptions {
    /** How long Prometheus keeps samples, e.g. `3d`. */
    readonly retention: string;
    /** Size of Prometheus' volume, e.g. `10Gi`. */
    readonly storageSize: string;
}

/**
 * Values of kube-prometheus-stack: Prometheus selects every ServiceMonitor and PodMonitor (not
 * only the chart's own), keeps `retention` on a `storageSize` gp3 volume; Grafana takes its admin
 * credentials from a Secret, has Prometheus (the chart's default) and Jaeger as data sources and
 * Istio's dashboards.
 */
export function prometheusStackValues(options: PrometheusStackOptions): Record<string, unknown> {
    const dashboards: Record<string, unknown> = {};
    for (const [name, id] of Object.entries(ISTIO_DASHBOARDS)) {
        dashboards[name] = { url: `https://grafana.com/api/dashboards/${id}/revisions/latest/download`, datasource: "Prometheus" };
    }
    return {
        fullnameOverride: PROMETHEUS_STACK_RELEASE,
        crds: { enabled: true },
        prometheus: {
            prometheusSpec: {
                scrapeInterval: SCRAPE_INTERVAL,
                retention: options.retention,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                storageSpec: {
                    volumeClaimTemplate: {
                        spec: {
                            storageClassName: STORAGE_CLASS,
                            accessModes: ["ReadWriteOnce"],
                            resources: { requests: { storage: options.storageSize } },
                        },
                    },
                },
            },
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            sidecar: { datasources: { defaultDatasourceEnabled: true } },
            additionalDataSources: grafanaDataSources(),
            dashboardProviders: {
                "dashboardproviders.yaml": {
                    apiVersion: 1,
                    providers: [
                        {
                            name: "istio",
                            orgId: 1,
                            folder: "Istio",
                            type: "file",
                            disableDeletion: false,
                            editable: false,
                            options: { path: "/var/lib/grafana/dashboards/istio" },
                        },
                    ],
                },
            },
            dashboards: { istio: dashboards },
        },
    };
}

/** Values of the Jaeger chart: all-in-one with in-memory storage (no Cassandra, Elasticsearch or Kafka). */
export function jaegerValues(): Record<string, unknown> {
    return {
        provisionDataStore: { cassandra: false, elasticsearch: false, kafka: false },
        storage: { type: "memory" },
        allInOne: { enabled: true },
        agent: { enabled: false },
        collector: { enabled: false },
        query: { enabled: false },
    };
}

/** ServiceMonitor spec for istiod's metrics (port `http-monitoring`, 15014) every 15 s. */
export function istiodServiceMonitorSpec(istioNamespace: string): Record<string, unknown> {
    return {
        jobLabel: "istio",
        namespaceSelector: { matchNames: [istioNamespace] },
        selector: { matchExpressions: [{ key: "istio", operator: "In", values: ["pilot"] }] },
        endpoints: [{ port: "http-monitoring", interval: SCRAPE_INTERVAL }],
    };
}

/**
 * PodMonitor spec for the Envoy sidecars in every namespace: their merged Prometheus endpoint
 * (`prometheus.io/port` annotation, path /stats/prometheus) every 15 s; pods labelled
 * `istio-prometheus-ignore` are skipped. After Istio's Prometheus-operator example
 * (https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings).
 */
export function envoyPodMonitorSpec(): Record<string, unknown> {
    return {
        jobLabel: "envoy-stats",
        namespaceSelector: { any: true },
        selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
        podMetricsEndpoints: [
            {
                path: "/stats/prometheus",
                interval: SCRAPE_INTERVAL,
                relabelings: [
                    { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" },
                    { action: "keep", sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] },
                    {
                        action: "replace",
                        sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
                        regex: "(\\d+);((([0-9]+?)(\\.|$)){4})",
                        replacement: "$2:$1",
                        targetLabel: "__address__",
                    },
                    { action: "labeldrop", regex: "__meta_kubernetes_pod_label_(.+)" },
                    { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace" },
                    { action: "replace", sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod_name" },
                ],
            },
        ],
    };
}
