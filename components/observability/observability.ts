import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValidArgs } from "../args";
import { ISTIO_NAMESPACE } from "../mesh/specs";
import { Owner, kubernetesMetadata } from "../conventions";
import {
    ENDPOINTS,
    GRAFANA_ADMIN_SECRET,
    JAEGER_COLLECTOR_ENDPOINT,
    JAEGER_RELEASE,
    OBSERVABILITY_NAMESPACE,
    PROMETHEUS_STACK_RELEASE,
    STORAGE_CLASS,
    envoyPodMonitorSpec,
    istiodServiceMonitorSpec,
    jaegerValues,
    prometheusStackValues,
    retentionProblem,
    storageSizeProblem,
} from "./specs";
import { JAEGER_CHART, KUBE_PROMETHEUS_STACK_CHART } from "./versions";

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
}

/** Every problem with `args`, as `property = value: what is wrong; what is allowed`. */
export function observabilityArgsProblems(args: ObservabilityArgs): string[] {
    const problems: string[] = [];
    const retention = args.prometheusRetention ?? "3d";
    const retentionMessage = retentionProblem(retention);
    if (retentionMessage) {
        problems.push(`prometheusRetention = ${JSON.stringify(retention)}: ${retentionMessage}`);
    }
    const size = args.prometheusStorageSize ?? "10Gi";
    const sizeMessage = storageSizeProblem(size);
    if (sizeMessage) {
        problems.push(`prometheusStorageSize = ${JSON.stringify(size)}: ${sizeMessage}`);
    }
    return problems;
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
            { metadata: kubernetesMetadata(owner, OBSERVABILITY_NAMESPACE, { workload, labels: { "istio-injection": "disabled" } }) },
            { ...k8sOpts, dependsOn: ready },
        );
        const storageClass = new k8s.storage.v1.StorageClass(
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
        );
        const adminSecret = new k8s.core.v1.Secret(
            GRAFANA_ADMIN_SECRET,
            {
                metadata: kubernetesMetadata(owner, GRAFANA_ADMIN_SECRET, { namespace: OBSERVABILITY_NAMESPACE, workload }),
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi.output(args.grafanaAdminPassword).apply((password) => ({ "admin-user": "admin", "admin-password": password })),
                ),
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );

        const stack = new k8s.helm.v3.Release(
            PROMETHEUS_STACK_RELEASE,
            {
                name: PROMETHEUS_STACK_RELEASE,
                namespace: OBSERVABILITY_NAMESPACE,
                chart: KUBE_PROMETHEUS_STACK_CHART.chart,
                version: KUBE_PROMETHEUS_STACK_CHART.version,
                repositoryOpts: { repo: KUBE_PROMETHEUS_STACK_CHART.repository },
                values: prometheusStackValues({
                    retention: args.prometheusRetention ?? "3d",
                    storageSize: args.prometheusStorageSize ?? "10Gi",
                }),
                timeout: RELEASE_TIMEOUT_SECONDS,
            },
            { ...k8sOpts, dependsOn: [namespace, storageClass, adminSecret] },
        );
        new k8s.helm.v3.Release(
            JAEGER_RELEASE,
            {
                name: JAEGER_RELEASE,
                namespace: OBSERVABILITY_NAMESPACE,
                chart: JAEGER_CHART.chart,
                version: JAEGER_CHART.version,
                repositoryOpts: { repo: JAEGER_CHART.repository },
                values: jaegerValues(),
                timeout: RELEASE_TIMEOUT_SECONDS,
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );

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
