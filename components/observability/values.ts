/**
 * The Helm values this project sets on the observability charts, as types: only the keys we use,
 * each where the chart's values.yaml declares it (the vendored copies in
 * test/fixtures/chart-values/, which test/chart-values.test.ts checks every rendered key against).
 * A misspelt or misplaced key in specs.ts fails tsc; where a chart passes a block through to a
 * Kubernetes object (the volume claim's spec), the block has that object's input type.
 */
import type * as k8s from "@pulumi/kubernetes";

/** kube-prometheus-stack's `prometheus.prometheusSpec`, rendered into the Prometheus object's spec. */
export interface PrometheusSpecValues {
    readonly scrapeInterval: string;
    readonly retention: string;
    /** Chart-only: false makes Prometheus select every ServiceMonitor, not only the release's own. */
    readonly serviceMonitorSelectorNilUsesHelmValues: boolean;
    /** Chart-only: the same for PodMonitors. */
    readonly podMonitorSelectorNilUsesHelmValues: boolean;
    /** The Prometheus object's `storage` (the chart names it storageSpec): the claim template of its volume. */
    readonly storageSpec: {
        readonly volumeClaimTemplate: { readonly spec: k8s.types.input.core.v1.PersistentVolumeClaimSpec };
    };
}

/** A Grafana data source in Grafana's provisioning format (the grafana chart's `additionalDataSources`). */
export interface GrafanaDataSource {
    readonly name: string;
    readonly type: string;
    readonly uid: string;
    readonly access: "proxy" | "direct";
    readonly url: string;
    readonly editable: boolean;
}

/** The grafana sub-chart's values (charts/grafana/values.yaml). */
export interface GrafanaValues {
    readonly admin: { readonly existingSecret: string; readonly userKey: string; readonly passwordKey: string };
    readonly sidecar: {
        readonly datasources: { readonly defaultDatasourceEnabled: boolean };
        readonly dashboards: {
            readonly folderAnnotation: string;
            readonly provider: { readonly foldersFromFilesStructure: boolean };
        };
    };
    readonly additionalDataSources: readonly GrafanaDataSource[];
}

/** kube-prometheus-stack's values. */
export interface PrometheusStackValues {
    readonly fullnameOverride: string;
    readonly crds: { readonly enabled: boolean };
    readonly prometheus: { readonly prometheusSpec: PrometheusSpecValues };
    readonly grafana: GrafanaValues;
}

/**
 * The jaeger (v2) chart's values. `userconfig` is Jaeger's own OpenTelemetry-collector
 * configuration, whose components each define their keys: a free map here.
 */
export interface JaegerValues {
    readonly userconfig: Readonly<Record<string, unknown>>;
}

/** The metrics-server chart's values. */
export interface MetricsServerValues {
    readonly replicas: number;
    readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number | string };
}
