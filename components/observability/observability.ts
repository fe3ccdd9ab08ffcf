import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { assertValidArgs } from "../args";
import { Problem, Problems } from "../problems";
import { ISTIO_NAMESPACE } from "../mesh/specs";
import { Owner, kubernetesMetadata } from "../conventions";
import {
    ENDPOINTS,
    GRAFANA_ADMIN_SECRET,
    JAEGER_COLLECTOR_ENDPOINT,
    DASHBOARD_FOLDER,
    DASHBOARD_FOLDER_ANNOTATION,
    DASHBOARD_LABEL,
    ISTIO_DASHBOARDS,
    JAEGER_RELEASE,
    METRICS_SERVER_NAMESPACE,
    METRICS_SERVER_RELEASE,
    OBSERVABILITY_NAMESPACE,
    PROMETHEUS_STACK_RELEASE,
    STORAGE_CLASS,
    envoyPodMonitorSpec,
    istiodServiceMonitorSpec,
    jaegerValues,
    metricsServerValues,
    prometheusStackValues,
    retentionProblem,
    storageSizeProblem,
} from "./specs";
import { ChartMirror, ChartName, releaseChart } from "../charts";
import type { JaegerValues, MetricsServerValues, PrometheusStackValues } from "./values";

/** How long a release may take to become ready before the update fails, in seconds. */
const RELEASE_TIMEOUT_SECONDS = 900;

export interface ObservabilityArgs {
    /** The owner (environment and `common`): labels and annotations. */
    readonly owner: Owner;
    /** The cluster's kubernetes provider. */
    readonly kubernetesProvider: k8s.Provider;
    /** What the releases wait for: the cluster's nodes and add-ons (the EBS CSI driver). @default [] */
    readonly dependsOn?: readonly pulumi.Resource[];
    /** Grafana's admin password (a secret; never in the Helm values). */
    readonly grafanaAdminPassword: pulumi.Input<string>;
    /** How long Prometheus keeps samples. @default "3d" */
    readonly prometheusRetention?: string;
    /** Size of Prometheus' volume. @default "10Gi" */
    readonly prometheusStorageSize?: string;
    /** Namespace of istiod, whose metrics the ServiceMonitor scrapes. @default "istio-system" */
    readonly istioNamespace?: string;
    /** Where the charts come from (config `chartMirror`). @default upstream (components/charts) */
    readonly chartMirror?: ChartMirror;
    /**
     * Prometheus' volume: `ebs-gp3` creates the encrypted gp3 StorageClass (EKS, EBS CSI driver);
     * `cluster-default` uses the cluster's default StorageClass (an existing cluster). @default "ebs-gp3"
     */
    readonly storage?: "ebs-gp3" | "cluster-default";
}

/** The folder of the dashboards shipped with the project. */
export const DASHBOARDS_DIR = path.join(__dirname, "dashboards");

/** Every problem with `args`: the property, its value, what is wrong and what is allowed. */
export function observabilityArgsProblems(args: ObservabilityArgs): Problem[] {
    const problems = new Problems();
    const retention = args.prometheusRetention ?? "3d";
    problems.add("prometheusRetention", retention, retentionProblem(retention));
    const size = args.prometheusStorageSize ?? "10Gi";
    problems.add("prometheusStorageSize", size, storageSizeProblem(size));
    return [...problems.all];
}

/**
 * Prometheus, Grafana (kube-prometheus-stack) and Jaeger in the `observability` namespace, and
 * the monitors that scrape istiod and the Envoy sidecars every 15 s.
 */
export class Observability extends pulumi.ComponentResource {
    readonly namespace: string;
    readonly prometheusUrl: string;
    readonly grafanaUrl: string;
    /** OTLP/gRPC endpoint of Jaeger's collector, `host:port`. */
    readonly jaegerCollectorEndpoint: string;
    /** The collector as host and port, for Istio's tracing extension provider. */
    readonly jaegerCollector: { readonly host: string; readonly port: number };

    constructor(name: string, args: ObservabilityArgs, opts: pulumi.ComponentResourceOptions = {}) {
        assertValidArgs("Observability", name, observabilityArgsProblems(args));
        super("platform:observability:Observability", name, {}, opts);
        const owner = args.owner;
        const k8sOpts = { parent: this, provider: args.kubernetesProvider };
        const ready = [...(args.dependsOn ?? [])];
        const workload = { component: "observability" };

        const namespace = new k8s.core.v1.Namespace(
            OBSERVABILITY_NAMESPACE,
            // Outside the mesh: Prometheus scrapes plaintext metrics ports, Jaeger takes OTLP from sidecars.
            {
                metadata: kubernetesMetadata(owner, OBSERVABILITY_NAMESPACE, {
                    workload,
                    labels: { "istio-injection": "disabled" },
                }),
            },
            { ...k8sOpts, dependsOn: ready },
        );
        const storage = args.storage ?? "ebs-gp3";
        const storageClass =
            storage === "cluster-default"
                ? []
                : [
                      new k8s.storage.v1.StorageClass(
                          STORAGE_CLASS,
                          {
                              metadata: kubernetesMetadata(owner, STORAGE_CLASS, { workload }),
                              provisioner: "ebs.csi.aws.com",
                              parameters: { type: "gp3", encrypted: "true" },
                              volumeBindingMode: "WaitForFirstConsumer",
                              reclaimPolicy: "Delete",
                              allowVolumeExpansion: true,
                          },
                          { ...k8sOpts, dependsOn: ready },
                      ),
                  ];
        const adminSecret = new k8s.core.v1.Secret(
            GRAFANA_ADMIN_SECRET,
            {
                metadata: kubernetesMetadata(owner, GRAFANA_ADMIN_SECRET, {
                    namespace: OBSERVABILITY_NAMESPACE,
                    workload,
                }),
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi
                        .output(args.grafanaAdminPassword)
                        .apply((password) => ({ "admin-user": "admin", "admin-password": password })),
                ),
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );

        const release = (
            releaseName: string,
            chart: ChartName,
            namespace: string,
            values: PrometheusStackValues | JaegerValues | MetricsServerValues,
            dependsOn: pulumi.Resource[],
        ) =>
            new k8s.helm.v3.Release(
                releaseName,
                {
                    name: releaseName,
                    namespace,
                    ...releaseChart(chart, args.chartMirror),
                    values: { ...values },
                    timeout: RELEASE_TIMEOUT_SECONDS,
                },
                { ...k8sOpts, dependsOn },
            );
        const stack = release(
            PROMETHEUS_STACK_RELEASE,
            "kube-prometheus-stack",
            OBSERVABILITY_NAMESPACE,
            prometheusStackValues({
                retention: args.prometheusRetention ?? "3d",
                storageSize: args.prometheusStorageSize ?? "10Gi",
                ...(storage === "ebs-gp3" ? { storageClass: STORAGE_CLASS } : {}),
            }),
            [namespace, ...storageClass, adminSecret],
        );
        release(JAEGER_RELEASE, "jaeger", OBSERVABILITY_NAMESPACE, jaegerValues(), [namespace]);
        // Resource metrics for HorizontalPodAutoscalers: not among the cluster's managed add-ons, and a chart works on any cluster.
        release(METRICS_SERVER_RELEASE, "metrics-server", METRICS_SERVER_NAMESPACE, metricsServerValues(), ready);
        // Istio's dashboards, shipped with the project; Grafana's sidecar loads them (no download).
        for (const [dashboard, file] of Object.entries(ISTIO_DASHBOARDS)) {
            const metadata = kubernetesMetadata(owner, `${dashboard}-dashboard`, {
                namespace: OBSERVABILITY_NAMESPACE,
                workload,
                labels: { ...DASHBOARD_LABEL },
            });
            new k8s.core.v1.ConfigMap(
                `${dashboard}-dashboard`,
                {
                    metadata: {
                        ...metadata,
                        annotations: { ...metadata.annotations, [DASHBOARD_FOLDER_ANNOTATION]: DASHBOARD_FOLDER },
                    },
                    data: { [file]: fs.readFileSync(path.join(DASHBOARDS_DIR, file), "utf8") },
                },
                { ...k8sOpts, dependsOn: [namespace] },
            );
        }

        // The monitors need the operator's CRDs, which the kube-prometheus-stack release installs.
        new k8s.apiextensions.CustomResource(
            "istiod-service-monitor",
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: kubernetesMetadata(owner, "istiod", { namespace: OBSERVABILITY_NAMESPACE, workload }),
                spec: istiodServiceMonitorSpec(args.istioNamespace ?? ISTIO_NAMESPACE),
            },
            { ...k8sOpts, dependsOn: [stack] },
        );
        new k8s.apiextensions.CustomResource(
            "envoy-pod-monitor",
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: kubernetesMetadata(owner, "envoy-stats", { namespace: OBSERVABILITY_NAMESPACE, workload }),
                spec: envoyPodMonitorSpec(),
            },
            { ...k8sOpts, dependsOn: [stack] },
        );

        this.namespace = OBSERVABILITY_NAMESPACE;
        this.prometheusUrl = ENDPOINTS.prometheusUrl;
        this.grafanaUrl = ENDPOINTS.grafanaUrl;
        this.jaegerCollectorEndpoint = JAEGER_COLLECTOR_ENDPOINT;
        this.jaegerCollector = ENDPOINTS.jaegerCollector;
        this.registerOutputs({
            namespace: this.namespace,
            prometheusUrl: this.prometheusUrl,
            grafanaUrl: this.grafanaUrl,
            jaegerCollectorEndpoint: this.jaegerCollectorEndpoint,
        });
    }
}
