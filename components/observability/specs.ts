/**
 * Pure functions of plain data behind the observability component: the Helm values of
 * kube-prometheus-stack and Jaeger, Grafana's data sources and dashboards, and the monitors that
 * make Prometheus scrape istiod and the Envoy sidecars every 15 s (seed 000).
 */
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { GrafanaDataSource, JaegerValues, MetricsServerValues, PrometheusStackValues } from "./values";
import { ZTUNNEL_APP, ZTUNNEL_METRICS_PORT_NAME } from "../mesh/ambient";

// The monitors are typed with the Prometheus operator's models (@kubernetes-models/prometheus-operator,
// generated from its CRDs; type-only imports, nothing of them runs): a misspelled field fails tsc.
export type ServiceMonitorSpec = IServiceMonitor["spec"];
export type PodMonitorSpec = IPodMonitor["spec"];

/** The namespace of Prometheus, Grafana and Jaeger. */
export const OBSERVABILITY_NAMESPACE = "observability";
/** Release names; the charts derive their Service names from them. */
export const PROMETHEUS_STACK_RELEASE = "kube-prometheus-stack";
export const JAEGER_RELEASE = "jaeger";
export const METRICS_SERVER_RELEASE = "metrics-server";
/** metrics-server's namespace, beside the other cluster add-ons. */
export const METRICS_SERVER_NAMESPACE = "kube-system";
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
    // Jaeger v2 is one Deployment and one Service named after the release, serving every port.
    jaegerQueryUrl: `http://${JAEGER_RELEASE}.${SVC}:16686`,
    /** OTLP/gRPC collector of Jaeger, as host and port (what Istio's extension provider takes). */
    jaegerCollector: { host: `${JAEGER_RELEASE}.${SVC}`, port: 4317 },
} as const;

/**
 * The observability workloads the fence (fence.ts) and the services' egress name, as the pinned
 * charts render them (`helm template`, checked by test/chart-render.test.ts): the pod labels a
 * selector may use and the service account that is their identity. Prometheus' pods are made by
 * the operator from the chart's Prometheus object: its labels here are those the chart's Service
 * selects them by. Jaeger's chart names its service account after the release.
 */
export const SHARED_WORKLOADS = {
    prometheus: {
        labels: {
            "app.kubernetes.io/name": "prometheus",
            "operator.prometheus.io/name": `${PROMETHEUS_STACK_RELEASE}-prometheus`,
        },
        serviceAccount: `${PROMETHEUS_STACK_RELEASE}-prometheus`,
        /** The HTTP API and UI (`/api/v1/query`, ...). */
        port: 9090,
    },
    grafana: {
        labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": PROMETHEUS_STACK_RELEASE },
        serviceAccount: `${PROMETHEUS_STACK_RELEASE}-grafana`,
        /** Grafana's container port (its Service's 80 targets it). */
        port: 3000,
    },
    jaeger: {
        labels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": JAEGER_RELEASE },
        serviceAccount: JAEGER_RELEASE,
        /** The query UI and API. */
        port: 16686,
    },
} as const;

/** A shared workload of the observability namespace. */
export type SharedWorkload = keyof typeof SHARED_WORKLOADS;

/** The port of the Prometheus operator's admission webhook (and its metrics), HTTPS. */
export const OPERATOR_WEBHOOK_PORT = 10250;
/** The operator's pod labels (its Deployment's selector as the chart renders it). */
export const OPERATOR_LABELS = {
    app: `${PROMETHEUS_STACK_RELEASE}-operator`,
    release: PROMETHEUS_STACK_RELEASE,
} as const;

/** The gRPC method the proxies' OpenTelemetry tracer calls on the collector (OTLP/gRPC, port 4317). */
export const OTLP_GRPC_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/** `host:port` of Jaeger's OTLP/gRPC collector. */
export const JAEGER_COLLECTOR_ENDPOINT = `${ENDPOINTS.jaegerCollector.host}:${ENDPOINTS.jaegerCollector.port}`;

/** Why `retention` is not a Prometheus retention, or undefined. */
export function retentionProblem(retention: string): string | undefined {
    return /^[1-9][0-9]*(h|d|w|y)$/.test(retention)
        ? undefined
        : "not a Prometheus retention; allowed: a whole number and h, d, w or y, e.g. 3d or 2w";
}

/** Why `size` is not a volume size, or undefined. */
export function storageSizeProblem(size: string): string | undefined {
    return /^[1-9][0-9]*(Gi|Ti)$/.test(size)
        ? undefined
        : "not a volume size; allowed: a whole number and Gi or Ti, e.g. 10Gi";
}

/**
 * Istio's Grafana dashboards, shipped with the project (components/observability/dashboards/,
 * pinned to Istio 1.30.3, see SOURCE.md there): name -> file. Each becomes a ConfigMap that
 * Grafana's dashboard sidecar loads into the `Istio` folder; nothing is fetched at run time.
 */
export const ISTIO_DASHBOARDS: Readonly<Record<string, string>> = {
    "istio-mesh": "istio-mesh.json",
    "istio-service": "istio-service.json",
    "istio-workload": "istio-workload.json",
    "istio-control-plane": "istio-control-plane.json",
};

/** The label and value by which Grafana's sidecar finds dashboard ConfigMaps (the chart's defaults). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
/** The annotation naming a dashboard's Grafana folder. */
export const DASHBOARD_FOLDER_ANNOTATION = "grafana_folder";
/** The Grafana folder of Istio's dashboards. */
export const DASHBOARD_FOLDER = "Istio";

/** Grafana's data sources besides the chart's default Prometheus: Jaeger. */
export function grafanaDataSources(): GrafanaDataSource[] {
    return [
        {
            name: "Jaeger",
            type: "jaeger",
            uid: "jaeger",
            access: "proxy",
            url: ENDPOINTS.jaegerQueryUrl,
            editable: false,
        },
    ];
}

/** What kube-prometheus-stack's values are built from. */
export interface PrometheusStackOptions {
    /** How long Prometheus keeps samples, e.g. `3d`. */
    readonly retention: string;
    /** Size of Prometheus' volume, e.g. `10Gi`. */
    readonly storageSize: string;
    /** The StorageClass of Prometheus' volume; the cluster's default when absent. */
    readonly storageClass?: string;
}

/**
 * Values of kube-prometheus-stack: Prometheus selects every ServiceMonitor and PodMonitor (not
 * only the chart's own), keeps `retention` on a `storageSize` gp3 volume; Grafana takes its admin
 * credentials from a Secret, has Prometheus (the chart's default) and Jaeger as data sources, and
 * loads Istio's dashboards from the ConfigMaps its sidecar finds (by label, in any namespace).
 */
export function prometheusStackValues(options: PrometheusStackOptions): PrometheusStackValues {
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
                            ...(options.storageClass === undefined ? {} : { storageClassName: options.storageClass }),
                            accessModes: ["ReadWriteOnce"],
                            resources: { requests: { storage: options.storageSize } },
                        },
                    },
                },
            },
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            sidecar: {
                datasources: { defaultDatasourceEnabled: true },
                // Dashboards come from ConfigMaps (ISTIO_DASHBOARDS), filed by their folder annotation.
                dashboards: {
                    folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
                    provider: { foldersFromFilesStructure: true },
                },
            },
            additionalDataSources: grafanaDataSources(),
        },
    };
}

/** The name of Jaeger's one trace store in its configuration. */
const JAEGER_STORE = "memory_store";

/** How many traces Jaeger's in-memory store keeps before it drops the oldest. */
export const JAEGER_MAX_TRACES = 100000;

/**
 * Jaeger v2's configuration (an OpenTelemetry collector configuration, the chart's `userconfig`):
 * OTLP in (gRPC 4317, HTTP 4318, what the sidecars send), the query UI and API on 16686, and
 * traces kept in memory: the newest JAEGER_MAX_TRACES traces, lost when the pod restarts. The
 * one store offered, so there is no config key: a durable store (Elasticsearch, Cassandra) needs
 * a backend of its own, outside this stack.
 */
export function jaegerConfig(): Record<string, unknown> {
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: {
                traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
            },
        },
        extensions: {
            // The chart's probes ask /status on 13133.
            healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
            jaeger_query: { storage: { traces: JAEGER_STORE } },
            jaeger_storage: { backends: { [JAEGER_STORE]: { memory: { max_traces: JAEGER_MAX_TRACES } } } },
        },
        receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } } },
        processors: { batch: {} },
        exporters: { jaeger_storage_exporter: { trace_storage: JAEGER_STORE } },
    };
}

/**
 * Values of the Jaeger v2 chart: one Jaeger (collector, query and store in one process) with
 * jaegerConfig(); no Elasticsearch or Cassandra and none of their jobs.
 */
export function jaegerValues(): JaegerValues {
    return { userconfig: jaegerConfig() };
}

/** Values of the metrics-server chart: two replicas and a disruption budget, so HPAs keep their metrics during node drains. */
export function metricsServerValues(): MetricsServerValues {
    return { replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
}

/** ServiceMonitor spec for istiod's metrics (port `http-monitoring`, 15014) every 15 s. */
export function istiodServiceMonitorSpec(istioNamespace: string): ServiceMonitorSpec {
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
export function envoyPodMonitorSpec(options: { readonly skipZtunnel?: boolean } = {}): PodMonitorSpec {
    // In ambient mode ztunnel's pods match too (container istio-proxy, the scrape annotation) but
    // serve their metrics at /metrics: they are dropped here and scraped by their own monitor.
    const skipZtunnel = options.skipZtunnel
        ? [{ action: "drop" as const, sourceLabels: ["__meta_kubernetes_pod_label_app"], regex: ZTUNNEL_APP }]
        : [];
    return {
        jobLabel: "envoy-stats",
        namespaceSelector: { any: true },
        selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
        podMetricsEndpoints: [
            {
                path: "/stats/prometheus",
                interval: SCRAPE_INTERVAL,
                relabelings: [
                    ...skipZtunnel,
                    { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" },
                    { action: "keep", sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] },
                    {
                        action: "replace",
                        sourceLabels: [
                            "__meta_kubernetes_pod_annotation_prometheus_io_port",
                            "__meta_kubernetes_pod_ip",
                        ],
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

/**
 * PodMonitor spec for ztunnel, ambient mode's node proxy (its DaemonSet's pods, label
 * `app: ztunnel`, in the control plane's namespace): its L4 metrics (istio_tcp_*, by source and
 * destination workload) at /metrics on the chart's port `ztunnel-stats` (15020), every 15 s. The
 * path is the chart's own word: its pods carry `prometheus.io/scrape` and `prometheus.io/port:
 * 15020` and no `prometheus.io/path`, so annotation-based scraping (Istio's Prometheus
 * integration, https://istio.io/latest/docs/ops/integrations/prometheus/) reads /metrics there.
 */
export function ztunnelPodMonitorSpec(istioNamespace: string): PodMonitorSpec {
    return {
        jobLabel: "app",
        namespaceSelector: { matchNames: [istioNamespace] },
        selector: { matchLabels: { app: ZTUNNEL_APP } },
        podMetricsEndpoints: [{ port: ZTUNNEL_METRICS_PORT_NAME, path: "/metrics", interval: SCRAPE_INTERVAL }],
    };
}
