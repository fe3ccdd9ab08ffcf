import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders } from "../args";
import { AddOnPlacement, addOnNamespace, helmRelease } from "../addons/helm";
import { ChartMirror } from "../charts";
import { Owner, kubernetesMetadata } from "../conventions";
import { IstioSettings, istioSettings } from "./settings";
import {
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
    ISTIO_NAMESPACE,
    IstiodValues,
    LoadBalancerScheme,
    OutboundTrafficPolicy,
    TRUST_DOMAIN,
    TracingCollector,
    baseValues,
    gatewayValues,
    istiodReleaseName,
    istiodValues,
    peerAuthenticationSpec,
    telemetrySpec,
} from "./specs";
import { ISTIO_CANARY_VERSION, ISTIO_VERSION } from "./versions";
import { IstiodWebhooks, webhookBaseValues, webhookIstiodValues } from "./webhooks";

/** How long a release may take to become ready before the update fails, in seconds. */
const RELEASE_TIMEOUT_SECONDS = 600;

export interface IstioArgs {
    /** The owner (environment and `common`): labels and annotations. */
    readonly owner: Owner;
    /** The stack's providers: kubernetes (the cluster's), used by every object and release. */
    readonly providers: ComponentProviders<"kubernetes">;
    /** What the mesh waits for: the cluster's nodes and add-ons. @default [] */
    readonly dependsOn?: readonly pulumi.Resource[];
    /**
     * The control plane's revision, e.g. `1-30`: the one the gateway and the services use.
     * Empty installs without a revision. @default ""
     */
    readonly revision?: string;
    /**
     * A second control plane for a canary upgrade, e.g. `1-31`: another istiod release with this
     * revision beside the first, used only by namespaces labelled `istio.io/rev: <canary>`.
     * Empty for none. @default ""
     */
    readonly canaryRevision?: string;
    /** Sidecars' handling of unknown hosts; REGISTRY_ONLY is not a security boundary. @default "REGISTRY_ONLY" */
    readonly outboundTrafficPolicy?: OutboundTrafficPolicy;
    /** Percentage of requests traced, 0 to 100. @default 1 */
    readonly tracingSamplingPercentage?: number;
    /** Where the sidecars send spans (Jaeger's OTLP collector). */
    readonly collector: TracingCollector;
    /** Whether the ingress gateway's NLB is internal or internet-facing. @default "internal" */
    readonly gatewayScheme?: LoadBalancerScheme;
    /**
     * IPv4 CIDRs that may reach the gateway's NLB (the Service's `loadBalancerSourceRanges`); at
     * least one. The common layer passes the VPC's CIDR unless config names others.
     */
    readonly gatewaySourceRanges: readonly string[];
    /** The floor of the gateway's replicas (its autoscaler's minimum), 2 to 10. @default 2 */
    readonly gatewayReplicas?: number;
    /** The floor of istiod's replicas (its autoscaler's minimum), 2 to 10. @default 2 */
    readonly istiodReplicas?: number;
    /** Where the charts come from (config `chartMirror`). @default upstream (components/charts) */
    readonly chartMirror?: ChartMirror;
    /**
     * Where the API server reaches istiod's admission webhooks when not at istiod's Service
     * (config `istiodWebhookUrl`): components/mesh/webhooks.ts. @default istiod's Service
     */
    readonly istiodWebhooks?: IstiodWebhooks;
}

/** istiod's values with the webhook settings at a URL, when there are any. */
function withIstiodWebhooks(values: IstiodValues, webhooks: IstiodWebhooks | undefined): IstiodValues {
    if (webhooks === undefined) {
        return values;
    }
    const hooks = webhookIstiodValues(webhooks);
    return { ...values, istiodRemote: hooks.istiodRemote, global: { ...values.global, ...hooks.global } };
}

/** What every builder of the mesh uses: the settings, the owner, and how its children are created. */
interface Build {
    readonly settings: IstioSettings;
    readonly owner: Owner;
    /** The options of every child: parented to the mesh, with the stack's kubernetes provider. */
    readonly child: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider };
    /** Where its namespaces and releases go: as `child`, charts from the settings' mirror. */
    readonly placement: AddOnPlacement;
}

/** The labels' `component` of every object of the mesh. */
const WORKLOAD = { component: "mesh" };

/**
 * The Istio mesh from its Helm charts, in order: `base` (CRDs) -> `istiod` (waited on) ->
 * the ingress `gateway` in its own namespace as an AWS NLB of the AWS Load Balancer Controller;
 * istiod and the gateway highly available (at least two replicas over zones, autoscaled, with
 * PodDisruptionBudgets); then mesh-wide STRICT mTLS and the
 * mesh-wide Telemetry (tracing to Jaeger, access logs).
 */
export class Istio extends pulumi.ComponentResource {
    /** The control plane's revision ('' when none). */
    readonly revision: string;
    /** The canary control plane's revision ('' when none). */
    readonly canaryRevision: string;
    readonly istioNamespace: string;
    readonly gatewayNamespace: string;
    readonly gatewayName: string;
    readonly trustDomain: string;
    /** The istiod release: what mesh objects of other components wait for. */
    readonly istiod: k8s.helm.v3.Release;

    constructor(name: string, args: IstioArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Every default applied and every argument checked before anything is registered.
        const settings = istioSettings(name, args);
        super("platform:mesh:Istio", name, {}, opts);
        const build: Build = {
            settings,
            owner: args.owner,
            child: { parent: this, provider: args.providers.kubernetes },
            placement: { parent: this, provider: args.providers.kubernetes, mirror: settings.chartMirror },
        };

        const { systemNs, gatewayNs } = this.namespaces(build);
        const base = this.base(build, systemNs);
        const istiod = this.controlPlanes(build, base);
        this.gateway(build, gatewayNs, istiod);
        this.meshPolicies(build, istiod);

        this.revision = settings.revision;
        this.canaryRevision = settings.canaryRevision;
        this.istioNamespace = ISTIO_NAMESPACE;
        this.gatewayNamespace = GATEWAY_NAMESPACE;
        this.gatewayName = GATEWAY_NAME;
        this.trustDomain = TRUST_DOMAIN;
        this.istiod = istiod;
        this.registerOutputs({
            revision: this.revision,
            canaryRevision: this.canaryRevision,
            istioNamespace: this.istioNamespace,
            gatewayNamespace: this.gatewayNamespace,
            gatewayName: this.gatewayName,
            trustDomain: this.trustDomain,
        });
    }

    /** The control plane's namespace and the gateway's, after what the mesh waits for. */
    private namespaces(build: Build): { systemNs: k8s.core.v1.Namespace; gatewayNs: k8s.core.v1.Namespace } {
        const namespace = (nsName: string, protect: boolean) =>
            addOnNamespace(
                build.owner,
                nsName,
                { workload: WORKLOAD },
                build.placement,
                build.settings.dependsOn,
                protect,
            );
        return {
            // Protected: istiod keeps the mesh's self-signed root CA here (Secret istio-ca-secret);
            // a new root invalidates every workload certificate, and mTLS between pods fails until
            // every pod has restarted.
            systemNs: namespace(ISTIO_NAMESPACE, true),
            // Not protected: it holds the gateway and the hosts' certificates, which cert-manager issues again.
            gatewayNs: namespace(GATEWAY_NAMESPACE, false),
        };
    }

    /** The `base` release (CRDs, cluster roles, the default validator); at the canary's release while a canary runs. */
    private base(build: Build, systemNs: k8s.core.v1.Namespace): k8s.helm.v3.Release {
        const webhooks = build.settings.istiodWebhooks;
        // CRDs first: while a canary runs, base is at the canary's (newer) release.
        const baseVersion = build.settings.canaryRevision === "" ? ISTIO_VERSION : ISTIO_CANARY_VERSION;
        return helmRelease(
            {
                chart: "base",
                version: baseVersion,
                release: "istio-base",
                namespace: ISTIO_NAMESPACE,
                values: { ...baseValues(), ...(webhooks && webhookBaseValues(webhooks)) },
                timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
            },
            build.placement,
            [systemNs],
        );
    }

    /**
     * One istiod release per revision (Istio's Helm canary upgrade runs two side by side): the
     * main one, and the canary's when there is one. Returns the main one.
     */
    private controlPlanes(build: Build, base: k8s.helm.v3.Release): k8s.helm.v3.Release {
        const { settings } = build;
        const controlPlane = (rev: string, version: string) => {
            const releaseName = istiodReleaseName(rev);
            const values = istiodValues({
                revision: rev,
                outboundTrafficPolicy: settings.outboundTrafficPolicy,
                collector: settings.collector,
                replicas: settings.istiodReplicas,
            });
            return helmRelease(
                {
                    chart: "istiod",
                    version,
                    release: releaseName,
                    namespace: ISTIO_NAMESPACE,
                    values: withIstiodWebhooks(values, settings.istiodWebhooks),
                    // Waited on: the gateway's pods are injected by istiod's webhook.
                    waitForReady: true,
                    timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
                },
                build.placement,
                [base],
            );
        };
        const istiod = controlPlane(settings.revision, ISTIO_VERSION);
        if (settings.canaryRevision !== "") {
            controlPlane(settings.canaryRevision, ISTIO_CANARY_VERSION);
        }
        return istiod;
    }

    /** The ingress gateway's release in its own namespace, injected by the main control plane. */
    private gateway(build: Build, gatewayNs: k8s.core.v1.Namespace, istiod: k8s.helm.v3.Release): void {
        const { settings } = build;
        helmRelease(
            {
                chart: "gateway",
                version: ISTIO_VERSION,
                release: GATEWAY_NAME,
                namespace: GATEWAY_NAMESPACE,
                values: gatewayValues({
                    revision: settings.revision,
                    scheme: settings.gatewayScheme,
                    replicas: settings.gatewayReplicas,
                    sourceRanges: settings.gatewaySourceRanges,
                }),
                timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
            },
            build.placement,
            [gatewayNs, istiod],
        );
    }

    /** Mesh-wide STRICT mTLS and the mesh-wide Telemetry, in the root namespace, once istiod runs. */
    private meshPolicies(build: Build, istiod: k8s.helm.v3.Release): void {
        const afterIstiod = { ...build.child, dependsOn: [istiod] };
        const metadata = (objectName: string) =>
            kubernetesMetadata(build.owner, objectName, { namespace: ISTIO_NAMESPACE, workload: WORKLOAD });
        new k8s.apiextensions.CustomResource(
            "mesh-peer-authentication",
            {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: metadata("default"),
                spec: peerAuthenticationSpec(),
            },
            afterIstiod,
        );
        new k8s.apiextensions.CustomResource(
            "mesh-telemetry",
            {
                apiVersion: "telemetry.istio.io/v1",
                kind: "Telemetry",
                metadata: metadata("mesh-default"),
                spec: telemetrySpec(build.settings.tracingSamplingPercentage),
            },
            afterIstiod,
        );
    }
}
