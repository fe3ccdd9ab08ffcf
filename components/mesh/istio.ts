import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders } from "../args";
import { AddOnPlacement, addOnNamespace, helmRelease } from "../addons/helm";
import { ChartMirror } from "../charts";
import { Owner, kubernetesMetadata } from "../conventions";
import { CNI_RELEASE, MeshDataPlane, ZTUNNEL_RELEASE, cniValues, ztunnelValues } from "./ambient";
import { GatewayApiKind, GatewayApiObject, gatewayApiObjects } from "./gateway-api";
import { ControlPlaneRelease, IstioSettings, controlPlaneReleases, istioSettings } from "./settings";
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
import { newestIstioRelease, revisionTagLabels, revisionTagWebhookName, revisionTagWebhooks } from "./revisions";
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
    /**
     * The Istio release (chart version) of the main control plane, e.g. `1.31.0`: within one minor
     * of the pinned release (components/mesh/revisions.ts). Empty for the pinned one,
     * ISTIO_VERSION. The gateway's chart follows it. @default ""
     */
    readonly version?: string;
    /** The Istio release of the canary control plane; empty for the pinned one. @default "" */
    readonly canaryVersion?: string;
    /**
     * Revision tags, tag -> revision (`revision` or `canaryRevision`), e.g. `{ stable: "1-30",
     * canary: "1-31" }`: namespaces labelled `istio.io/rev: <tag>` are injected by the tag's
     * revision, so a control plane is swapped by moving a tag (components/mesh/revisions.ts).
     * @default {}
     */
    readonly revisionTags?: Readonly<Record<string, string>>;
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
    /**
     * The data plane of the environment's services (config `dataPlane`): `sidecar`, or `ambient`,
     * which adds Istio's `cni` and `ztunnel` charts, istiod's ambient profile and the Gateway API
     * CRDs (components/mesh/ambient.ts). @default "sidecar"
     */
    readonly dataPlane?: MeshDataPlane;
}

/** istiod's values with the webhook settings at a URL, when there are any. */
function withIstiodWebhooks(
    values: IstiodValues,
    webhooks: IstiodWebhooks | undefined,
    revision: string,
): IstiodValues {
    if (webhooks === undefined) {
        return values;
    }
    const hooks = webhookIstiodValues(webhooks, revision);
    return { ...values, istiodRemote: hooks.istiodRemote, global: { ...values.global, ...hooks.global } };
}

/** Creates one object of the Gateway API's standard install from upstream's metadata and spec. */
type GatewayApiResource = (
    name: string,
    metadata: k8s.types.input.meta.v1.ObjectMeta,
    spec: Record<string, unknown>,
    opts: pulumi.CustomResourceOptions,
) => pulumi.Resource;

/**
 * A GatewayApiResource of the provider's typed kind `kind`. The spec is cast to the kind's input
 * type: upstream's files are the schema (checked by kind and version when read, by the API server
 * when applied), not our code.
 */
function typedKind(
    kind: new (name: string, args: never, opts: pulumi.CustomResourceOptions) => pulumi.Resource,
): GatewayApiResource {
    return (name, metadata, spec, opts) => new kind(name, { metadata, spec } as never, opts);
}

/** How each kind of the Gateway API's standard install is created. */
const GATEWAY_API_RESOURCES: Readonly<Record<GatewayApiKind, GatewayApiResource>> = {
    CustomResourceDefinition: typedKind(k8s.apiextensions.v1.CustomResourceDefinition),
    ValidatingAdmissionPolicy: typedKind(k8s.admissionregistration.v1.ValidatingAdmissionPolicy),
    ValidatingAdmissionPolicyBinding: typedKind(k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding),
};

/** What every builder of the mesh uses: the settings, the owner, and how its children are created. */
interface Build {
    readonly settings: IstioSettings;
    readonly owner: Owner;
    /** The options of every child: parented to the mesh, with the stack's kubernetes provider. */
    readonly child: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider };
    /** Where its namespaces and releases go: as `child`, charts from the settings' mirror. */
    readonly placement: AddOnPlacement;
    /** The control planes, the main one first, each with its Istio release (controlPlaneReleases). */
    readonly releases: readonly ControlPlaneRelease[];
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
    /** The revision tags, tag -> revision. */
    readonly revisionTags: Readonly<Record<string, string>>;
    readonly istioNamespace: string;
    readonly gatewayNamespace: string;
    readonly gatewayName: string;
    readonly trustDomain: string;
    /** The istiod release: what mesh objects of other components wait for. */
    readonly istiod: k8s.helm.v3.Release;
    /** The environment's data plane (`sidecar` or `ambient`): what the service stacks join. */
    readonly dataPlane: MeshDataPlane;

    constructor(name: string, args: IstioArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Every default applied and every argument checked before anything is registered.
        const settings = istioSettings(name, args);
        super("platform:mesh:Istio", name, {}, opts);
        const build: Build = {
            settings,
            owner: args.owner,
            child: { parent: this, provider: args.providers.kubernetes },
            placement: { parent: this, provider: args.providers.kubernetes, mirror: settings.chartMirror },
            releases: controlPlaneReleases(settings),
        };

        const { systemNs, gatewayNs } = this.namespaces(build);
        const base = this.base(build, systemNs);
        // Ambient mode: the Gateway API's CRDs before istiod, which watches them (waypoints are Gateways).
        const gatewayApi = settings.dataPlane === "ambient" ? this.gatewayApi(build) : [];
        const controlPlanes = this.controlPlanes(build, [base, ...gatewayApi]);
        const istiod = controlPlanes[0];
        if (settings.dataPlane === "ambient") {
            this.ambientDataPlane(build, istiod);
        }
        this.gateway(build, gatewayNs, istiod);
        this.meshPolicies(build, istiod);
        this.revisionTagWebhooks(build, controlPlanes);

        this.revision = settings.revision;
        this.canaryRevision = settings.canaryRevision;
        this.revisionTags = { ...settings.revisionTags };
        this.istioNamespace = ISTIO_NAMESPACE;
        this.gatewayNamespace = GATEWAY_NAMESPACE;
        this.gatewayName = GATEWAY_NAME;
        this.trustDomain = TRUST_DOMAIN;
        this.istiod = istiod;
        this.dataPlane = settings.dataPlane;
        this.registerOutputs({
            dataPlane: this.dataPlane,
            revision: this.revision,
            canaryRevision: this.canaryRevision,
            revisionTags: this.revisionTags,
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

    /**
     * The `base` release (CRDs, cluster roles, the default validator, at the main control plane) at
     * the newest release of the control planes: Istio's CRDs are backward compatible, and a newer
     * control plane may need a newer CRD.
     */
    private base(build: Build, systemNs: k8s.core.v1.Namespace): k8s.helm.v3.Release {
        const { settings } = build;
        const webhooks = settings.istiodWebhooks;
        return helmRelease(
            {
                chart: "base",
                version: newestIstioRelease(build.releases.map((c) => c.version)),
                release: "istio-base",
                namespace: ISTIO_NAMESPACE,
                values: {
                    ...baseValues(settings.revision),
                    ...(webhooks && webhookBaseValues(webhooks, settings.revision)),
                },
                timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
            },
            build.placement,
            [systemNs],
        );
    }

    /**
     * One istiod release per revision, each at its own Istio release (Istio's Helm canary upgrade
     * runs two side by side): the main one, and the canary's when there is one. Returns them in
     * that order. A release is named by its revision only (`istiod-<revision>`), so a canary that
     * becomes the main control plane keeps its release.
     */
    private controlPlanes(build: Build, after: readonly pulumi.Resource[]): k8s.helm.v3.Release[] {
        const { settings } = build;
        return build.releases.map(({ revision: rev, version }) => {
            const releaseName = istiodReleaseName(rev);
            const values = istiodValues({
                revision: rev,
                outboundTrafficPolicy: settings.outboundTrafficPolicy,
                collector: settings.collector,
                replicas: settings.istiodReplicas,
                dataPlane: settings.dataPlane,
            });
            return helmRelease(
                {
                    chart: "istiod",
                    version,
                    release: releaseName,
                    namespace: ISTIO_NAMESPACE,
                    values: withIstiodWebhooks(values, settings.istiodWebhooks, rev),
                    // Waited on: the gateway's pods are injected by istiod's webhook.
                    waitForReady: true,
                    timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
                },
                build.placement,
                after,
            );
        });
    }

    /**
     * One MutatingWebhookConfiguration per revision tag, calling the injector of the tag's
     * revision (components/mesh/revisions.ts), after that revision's istiod. Named by the tag
     * only: moving a tag to another revision updates its object in place.
     */
    private revisionTagWebhooks(build: Build, controlPlanes: readonly k8s.helm.v3.Release[]): void {
        const { settings } = build;
        for (const [tag, revision] of Object.entries(settings.revisionTags)) {
            const istiod = controlPlanes[build.releases.findIndex((r) => r.revision === revision)];
            const name = revisionTagWebhookName(tag);
            const metadata = kubernetesMetadata(build.owner, name, { workload: WORKLOAD });
            new k8s.admissionregistration.v1.MutatingWebhookConfiguration(
                `mesh-revision-tag-${tag}`,
                {
                    metadata: { ...metadata, labels: { ...metadata.labels, ...revisionTagLabels(tag, revision) } },
                    webhooks: revisionTagWebhooks(tag, revision, settings.istiodWebhooks),
                },
                { ...build.child, dependsOn: istiod === undefined ? [] : [istiod] },
            );
        }
    }

    /**
     * The Gateway API's standard channel (components/mesh/gateway-api.ts): its CRDs, then the
     * admission policy that refuses a downgrade and its binding, as upstream ships them plus the
     * owner's labels and annotations. Also on an existing cluster: these are the versions Istio 1.30
     * needs; a cluster that already has them sees them adopted (server-side apply) or updated.
     */
    private gatewayApi(build: Build): pulumi.Resource[] {
        const after = { ...build.child, dependsOn: [...build.settings.dependsOn] };
        const metadata = (o: GatewayApiObject) => {
            const ours = kubernetesMetadata(build.owner, o.name, { workload: WORKLOAD });
            return { ...ours, annotations: { ...o.annotations, ...ours.annotations } };
        };
        const created: pulumi.Resource[] = [];
        for (const o of gatewayApiObjects()) {
            // The binding comes after its policy and the CRDs, and shares its policy's name.
            const binding = o.kind === "ValidatingAdmissionPolicyBinding";
            const name = `gateway-api-${o.name}${binding ? "-binding" : ""}`;
            // A CRD is kept when the stack goes (retainOnDelete): deleting it would delete every
            // Gateway and route of the cluster, as Istio's base chart keeps its CRDs.
            const opts = binding
                ? { ...after, dependsOn: [...created] }
                : { ...after, retainOnDelete: o.kind === "CustomResourceDefinition" };
            created.push(GATEWAY_API_RESOURCES[o.kind](name, metadata(o), o.spec, opts));
        }
        return created;
    }

    /**
     * Ambient mode's node-level data plane, after istiod (the order of Istio's Helm install,
     * https://istio.io/latest/docs/ambient/install/helm/): the CNI node agent (profile ambient),
     * then ztunnel, which gets its certificates and configuration from istiod.
     */
    private ambientDataPlane(build: Build, istiod: k8s.helm.v3.Release): void {
        const { revision } = build.settings;
        const release = (chart: "cni" | "ztunnel", name: string, values: object, after: pulumi.Resource[]) =>
            helmRelease(
                {
                    chart,
                    // The main control plane's release (ambient runs no canary).
                    version: build.releases[0].version,
                    release: name,
                    namespace: ISTIO_NAMESPACE,
                    values,
                    timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
                },
                build.placement,
                after,
            );
        const cni = release("cni", CNI_RELEASE, cniValues(revision), [istiod]);
        release("ztunnel", ZTUNNEL_RELEASE, ztunnelValues(revision), [cni]);
    }

    /** The ingress gateway's release in its own namespace, injected by the main control plane. */
    private gateway(build: Build, gatewayNs: k8s.core.v1.Namespace, istiod: k8s.helm.v3.Release): void {
        const { settings } = build;
        helmRelease(
            {
                chart: "gateway",
                version: build.releases[0].version,
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
