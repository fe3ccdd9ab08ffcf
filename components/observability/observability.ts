import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { ComponentProviders } from "../args";
import { AddOnPlacement, addOnNamespace, helmRelease } from "../addons/helm";
import { ChartMirror, ChartName } from "../charts";
import type { MeshDataPlane } from "../mesh/ambient";
import { ProxyMonitor, dataPlaneOf } from "../mesh/dataplane";
import { Owner, kubernetesMetadata } from "../conventions";
import { PrometheusStackVersion, prometheusStackCrds } from "./crds";
import { ObservabilitySettings, ObservabilityStorage, observabilitySettings } from "./settings";
import {
    DASHBOARD_FOLDER,
    DASHBOARD_FOLDER_ANNOTATION,
    DASHBOARD_LABEL,
    ENDPOINTS,
    GRAFANA_ADMIN_SECRET,
    ISTIO_DASHBOARDS,
    JAEGER_COLLECTOR_ENDPOINT,
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
    ztunnelPodMonitorSpec,
} from "./specs";
import type { JaegerValues, MetricsServerValues } from "./values";

/** The annotation by which the provider's server-side apply takes over fields another manager owns. */
const PATCH_FORCE = "pulumi.com/patchForce";

/** How long a release may take to become ready before the update fails, in seconds. */
const RELEASE_TIMEOUT_SECONDS = 900;

export interface ObservabilityArgs {
    /** The owner (environment and `common`): labels and annotations. */
    readonly owner: Owner;
    /** The stack's providers: kubernetes (the cluster's), used by every object and release. */
    readonly providers: ComponentProviders<"kubernetes">;
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
    readonly storage?: ObservabilityStorage;
    /**
     * The environment's data plane (config `dataPlane`): `ambient` adds ztunnel's monitor and keeps
     * ztunnel out of the Envoy monitor (which scrapes the gateway, the waypoints and any sidecar).
     * @default "sidecar"
     */
    readonly dataPlane?: MeshDataPlane;
    /**
     * The kube-prometheus-stack chart version (config `prometheusStackVersion`): one whose CRDs the
     * package carries (components/observability/crds.ts). Changing it applies that version's CRDs
     * first, then upgrades the release. @default the pin of components/charts/sources.ts
     */
    readonly prometheusStackVersion?: PrometheusStackVersion;
}

/**
 * The monitors of the mesh's proxies: the service data plane's (Envoy sidecars), and in ambient
 * mode the Envoys outside ztunnel (gateway, waypoints, sidecars left in a mixed mesh) plus ztunnel.
 */
export function meshMonitors(dataPlane: MeshDataPlane, istioNamespace: string): ProxyMonitor[] {
    if (dataPlane === "sidecar") {
        return dataPlaneOf().proxyMonitors();
    }
    return [
        { id: "envoy-pod-monitor", name: "envoy-stats", spec: envoyPodMonitorSpec({ skipZtunnel: true }) },
        { id: "ztunnel-pod-monitor", name: "ztunnel", spec: ztunnelPodMonitorSpec(istioNamespace) },
    ];
}

/** The folder of the dashboards shipped with the project. */
export const DASHBOARDS_DIR = path.join(__dirname, "dashboards");

/** What every builder of the component uses: the settings, the owner, and how its children are created. */
interface Build {
    readonly settings: ObservabilitySettings;
    readonly owner: Owner;
    /** The options of every child: parented to the component, with the stack's kubernetes provider. */
    readonly child: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider };
    /** Where its namespace and releases go: as `child`, charts from the settings' mirror. */
    readonly placement: AddOnPlacement;
    /** Metadata of an object of the component in the `observability` namespace. */
    readonly metadata: (objectName: string, labels?: Record<string, string>) => ReturnType<typeof kubernetesMetadata>;
}

/** The labels' `component` of every object of the component. */
const WORKLOAD = { component: "observability" };

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
        // Every default applied and every argument checked before anything is registered.
        const settings = observabilitySettings(name, args);
        super("platform:observability:Observability", name, {}, opts);
        const build: Build = {
            settings,
            owner: args.owner,
            child: { parent: this, provider: args.providers.kubernetes },
            placement: { parent: this, provider: args.providers.kubernetes, mirror: settings.chartMirror },
            metadata: (objectName, labels) =>
                kubernetesMetadata(args.owner, objectName, {
                    namespace: OBSERVABILITY_NAMESPACE,
                    workload: WORKLOAD,
                    labels,
                }),
        };

        const namespace = this.namespaceOf(build);
        const storageClass = this.storageClass(build);
        const adminSecret = this.grafanaAdminSecret(build, namespace, args.grafanaAdminPassword);
        const crds = this.operatorCrds(build);
        const stack = this.releases(build, namespace, [namespace, ...storageClass, adminSecret, ...crds]);
        this.dashboards(build, namespace);
        this.monitors(build, stack);

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

    /** The `observability` namespace, outside the mesh, after what the component waits for. */
    private namespaceOf(build: Build): k8s.core.v1.Namespace {
        // Outside the mesh: Prometheus scrapes plaintext metrics ports, Jaeger takes OTLP from sidecars.
        return addOnNamespace(
            build.owner,
            OBSERVABILITY_NAMESPACE,
            { workload: WORKLOAD, labels: { "istio-injection": "disabled" } },
            build.placement,
            build.settings.dependsOn,
            // Protected: Prometheus' volume claim lives here; deleting the namespace deletes it and,
            // with the gp3 class's reclaimPolicy Delete, the EBS volume and the metrics on it.
            true,
        );
    }

    /** The encrypted gp3 StorageClass of Prometheus' volume with `ebs-gp3` storage; none with the cluster's default. */
    private storageClass(build: Build): k8s.storage.v1.StorageClass[] {
        if (build.settings.storage === "cluster-default") {
            return [];
        }
        const storageClass = new k8s.storage.v1.StorageClass(
            STORAGE_CLASS,
            {
                metadata: kubernetesMetadata(build.owner, STORAGE_CLASS, { workload: WORKLOAD }),
                provisioner: "ebs.csi.aws.com",
                parameters: { type: "gp3", encrypted: "true" },
                volumeBindingMode: "WaitForFirstConsumer",
                reclaimPolicy: "Delete",
                allowVolumeExpansion: true,
            },
            { ...build.child, dependsOn: [...build.settings.dependsOn] },
        );
        return [storageClass];
    }

    /**
     * The Prometheus operator's CRDs of the chart version installed (components/observability/crds.ts),
     * as the chart ships them plus the owner's labels and annotations, before the release: a chart
     * upgrade applies the new CRDs first, then the new operator. Server-side apply (some exceed the
     * 256 KiB annotation a client-side apply writes), taking the fields over from whoever installed
     * them before (`pulumi.com/patchForce`: Helm on a first install, `kubectl`). Kept when the stack
     * goes (retainOnDelete): deleting a CRD deletes every ServiceMonitor, PodMonitor and rule of the
     * cluster, its services' included.
     */
    private operatorCrds(build: Build): k8s.apiextensions.v1.CustomResourceDefinition[] {
        return prometheusStackCrds(build.settings.prometheusStackVersion).map((crd) => {
            const ours = kubernetesMetadata(build.owner, crd.name, { workload: WORKLOAD });
            return new k8s.apiextensions.v1.CustomResourceDefinition(
                `prometheus-operator-${crd.name}`,
                {
                    metadata: {
                        ...ours,
                        annotations: { ...crd.annotations, ...ours.annotations, [PATCH_FORCE]: "true" },
                    },
                    // Upstream's file is the schema (checked when read, and by the API server), not our code.
                    spec: crd.spec as unknown as k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec,
                },
                { ...build.child, dependsOn: [...build.settings.dependsOn], retainOnDelete: true },
            );
        });
    }

    /** Grafana's admin credentials as a Secret (secret in the state), so no Helm value holds the password. */
    private grafanaAdminSecret(
        build: Build,
        namespace: k8s.core.v1.Namespace,
        password: pulumi.Input<string>,
    ): k8s.core.v1.Secret {
        return new k8s.core.v1.Secret(
            GRAFANA_ADMIN_SECRET,
            {
                metadata: build.metadata(GRAFANA_ADMIN_SECRET),
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi.output(password).apply((value) => ({ "admin-user": "admin", "admin-password": value })),
                ),
            },
            { ...build.child, dependsOn: [namespace] },
        );
    }

    /**
     * The three releases: kube-prometheus-stack (after `stackDependsOn`: the namespace, the
     * StorageClass, Grafana's Secret and the operator's CRDs), Jaeger, and metrics-server. Returns kube-prometheus-stack's.
     */
    private releases(
        build: Build,
        namespace: k8s.core.v1.Namespace,
        stackDependsOn: pulumi.Resource[],
    ): k8s.helm.v3.Release {
        const { settings } = build;
        const prometheusValues = prometheusStackValues({
            retention: settings.prometheusRetention,
            storageSize: settings.prometheusStorageSize,
            ...(settings.storage === "ebs-gp3" ? { storageClass: STORAGE_CLASS } : {}),
        });
        // Its CRDs are the component's (operatorCrds, in `stackDependsOn`): Helm skips the chart's.
        const stack = helmRelease(
            {
                chart: "kube-prometheus-stack",
                version: settings.prometheusStackVersion,
                release: PROMETHEUS_STACK_RELEASE,
                namespace: OBSERVABILITY_NAMESPACE,
                values: prometheusValues,
                timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
                crds: "platform",
            },
            build.placement,
            stackDependsOn,
        );
        this.release(build, JAEGER_RELEASE, "jaeger", jaegerValues(), {
            namespace: OBSERVABILITY_NAMESPACE,
            dependsOn: [namespace],
        });
        // Resource metrics for HorizontalPodAutoscalers: not among the cluster's managed add-ons, and a chart works on any cluster.
        this.release(build, METRICS_SERVER_RELEASE, "metrics-server", metricsServerValues(), {
            namespace: METRICS_SERVER_NAMESPACE,
            dependsOn: [...settings.dependsOn],
        });
        return stack;
    }

    /** One Helm release of `chart` (from the settings' mirror) named `releaseName`, in `at.namespace`, after `at.dependsOn`. */
    private release(
        build: Build,
        releaseName: string,
        chart: ChartName,
        values: JaegerValues | MetricsServerValues,
        at: { readonly namespace: string; readonly dependsOn: pulumi.Resource[] },
    ): k8s.helm.v3.Release {
        return helmRelease(
            { chart, release: releaseName, namespace: at.namespace, values, timeoutSeconds: RELEASE_TIMEOUT_SECONDS },
            build.placement,
            at.dependsOn,
        );
    }

    /** Istio's dashboards, shipped with the project; Grafana's sidecar loads them (no download). */
    private dashboards(build: Build, namespace: k8s.core.v1.Namespace): void {
        for (const [dashboard, file] of Object.entries(ISTIO_DASHBOARDS)) {
            const metadata = build.metadata(`${dashboard}-dashboard`, { ...DASHBOARD_LABEL });
            new k8s.core.v1.ConfigMap(
                `${dashboard}-dashboard`,
                {
                    metadata: {
                        ...metadata,
                        annotations: { ...metadata.annotations, [DASHBOARD_FOLDER_ANNOTATION]: DASHBOARD_FOLDER },
                    },
                    data: { [file]: fs.readFileSync(path.join(DASHBOARDS_DIR, file), "utf8") },
                },
                { ...build.child, dependsOn: [namespace] },
            );
        }
    }

    /**
     * The monitors of istiod and of the data plane's proxies (the sidecars); they need the
     * operator's CRDs, which kube-prometheus-stack installs.
     */
    private monitors(build: Build, stack: k8s.helm.v3.Release): void {
        const afterStack = { ...build.child, dependsOn: [stack] };
        new k8s.apiextensions.CustomResource(
            "istiod-service-monitor",
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: build.metadata("istiod"),
                spec: istiodServiceMonitorSpec(build.settings.istioNamespace),
            },
            afterStack,
        );
        for (const monitor of meshMonitors(build.settings.dataPlane, build.settings.istioNamespace)) {
            new k8s.apiextensions.CustomResource(
                monitor.id,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: build.metadata(monitor.name),
                    spec: monitor.spec,
                },
                afterStack,
            );
        }
    }
}
