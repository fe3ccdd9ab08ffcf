import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValidArgs } from "../args";
import { Problem, Problems } from "../problems";
import { Owner, kubernetesMetadata } from "../conventions";
import {
    GATEWAY_NAME,
    IstiodValues,
    GATEWAY_NAMESPACE,
    ISTIO_NAMESPACE,
    LOAD_BALANCER_SCHEMES,
    LoadBalancerScheme,
    OUTBOUND_TRAFFIC_POLICIES,
    OutboundTrafficPolicy,
    TRUST_DOMAIN,
    TracingCollector,
    MIN_MESH_REPLICAS,
    baseValues,
    canaryRevisionProblem,
    gatewayValues,
    istiodReleaseName,
    istiodValues,
    meshReplicasProblem,
    peerAuthenticationSpec,
    revisionProblem,
    samplingProblem,
    telemetrySpec,
} from "./specs";
import { ChartMirror, releaseChart } from "../charts";
import { parseCidr } from "../network/ipv4";
import { ISTIO_CANARY_VERSION, ISTIO_VERSION } from "./versions";
import { IstiodWebhooks, webhookBaseValues, webhookIstiodValues } from "./webhooks";

/** How long a release may take to become ready before the update fails, in seconds. */
const RELEASE_TIMEOUT_SECONDS = 600;

export interface IstioArgs {
    /** The owner (environment and `common`): labels and annotations. */
    readonly owner: Owner;
    /** The cluster's kubernetes provider. */
    readonly kubernetesProvider: k8s.Provider;
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

/** Every problem with `args`: the property, its value, what is wrong and what is allowed. */
export function istioArgsProblems(args: IstioArgs): Problem[] {
    const problems = new Problems();
    const add = problems.add.bind(problems);
    const revision = args.revision ?? "";
    add("revision", revision, revisionProblem(revision));
    const canary = args.canaryRevision ?? "";
    add("canaryRevision", canary, canaryRevisionProblem(canary, revision));
    const sampling = args.tracingSamplingPercentage ?? 1;
    add("tracingSamplingPercentage", sampling, samplingProblem(sampling));
    const policy = args.outboundTrafficPolicy ?? "REGISTRY_ONLY";
    if (!(OUTBOUND_TRAFFIC_POLICIES as readonly string[]).includes(policy)) {
        add("outboundTrafficPolicy", policy, `allowed: ${OUTBOUND_TRAFFIC_POLICIES.join(", ")}`);
    }
    const scheme = args.gatewayScheme ?? "internal";
    if (!(LOAD_BALANCER_SCHEMES as readonly string[]).includes(scheme)) {
        add("gatewayScheme", scheme, `allowed: ${LOAD_BALANCER_SCHEMES.join(", ")}`);
    }
    for (const [property, replicas] of [
        ["gatewayReplicas", args.gatewayReplicas ?? MIN_MESH_REPLICAS],
        ["istiodReplicas", args.istiodReplicas ?? MIN_MESH_REPLICAS],
    ] as const) {
        const message = meshReplicasProblem(replicas);
        if (message) {
            add(property, replicas, message);
        }
    }
    if (args.gatewaySourceRanges.length === 0) {
        add("gatewaySourceRanges", [], "at least one CIDR is needed, or the load balancer is open to every address");
    }
    args.gatewaySourceRanges.forEach((cidr, i) => {
        if (parseCidr(cidr) === undefined) {
            add(`gatewaySourceRanges[${i}]`, cidr, "not an IPv4 CIDR block; allowed: a.b.c.d/n, e.g. 10.20.0.0/16");
        }
    });
    return [...problems.all];
}

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
        assertValidArgs("Istio", name, istioArgsProblems(args));
        super("platform:mesh:Istio", name, {}, opts);
        const owner = args.owner;
        const revision = args.revision ?? "";
        const k8sOpts = { parent: this, provider: args.kubernetesProvider };
        const ready = [...(args.dependsOn ?? [])];
        const workload = { component: "mesh" };

        const systemNs = new k8s.core.v1.Namespace(
            ISTIO_NAMESPACE,
            { metadata: kubernetesMetadata(owner, ISTIO_NAMESPACE, { workload }) },
            { ...k8sOpts, dependsOn: ready },
        );
        const gatewayNs = new k8s.core.v1.Namespace(
            GATEWAY_NAMESPACE,
            { metadata: kubernetesMetadata(owner, GATEWAY_NAMESPACE, { workload }) },
            { ...k8sOpts, dependsOn: ready },
        );
        const canaryRevision = args.canaryRevision ?? "";
        const webhooks = args.istiodWebhooks;
        const chart = (chartName: "base" | "istiod" | "gateway", version = ISTIO_VERSION) =>
            releaseChart(chartName, args.chartMirror, version);
        // CRDs first: while a canary runs, base is at the canary's (newer) release.
        const baseVersion = canaryRevision === "" ? ISTIO_VERSION : ISTIO_CANARY_VERSION;

        const base = new k8s.helm.v3.Release(
            "istio-base",
            {
                name: "istio-base",
                namespace: ISTIO_NAMESPACE,
                ...chart("base", baseVersion),
                values: { ...baseValues(), ...(webhooks && webhookBaseValues(webhooks)) },
                timeout: RELEASE_TIMEOUT_SECONDS,
            },
            { ...k8sOpts, dependsOn: [systemNs] },
        );
        // One istiod release per revision: Istio's Helm canary upgrade runs two side by side.
        const controlPlane = (rev: string, version: string) => {
            const releaseName = istiodReleaseName(rev);
            return new k8s.helm.v3.Release(
                releaseName,
                {
                    name: releaseName,
                    namespace: ISTIO_NAMESPACE,
                    ...chart("istiod", version),
                    values: withIstiodWebhooks(
                        istiodValues({
                            revision: rev,
                            outboundTrafficPolicy: args.outboundTrafficPolicy ?? "REGISTRY_ONLY",
                            collector: args.collector,
                            replicas: args.istiodReplicas ?? MIN_MESH_REPLICAS,
                        }),
                        webhooks,
                    ),
                    // Waited on: the gateway's pods are injected by istiod's webhook.
                    skipAwait: false,
                    timeout: RELEASE_TIMEOUT_SECONDS,
                },
                { ...k8sOpts, dependsOn: [base] },
            );
        };
        const istiod = controlPlane(revision, ISTIO_VERSION);
        if (canaryRevision !== "") {
            controlPlane(canaryRevision, ISTIO_CANARY_VERSION);
        }
        new k8s.helm.v3.Release(
            GATEWAY_NAME,
            {
                name: GATEWAY_NAME,
                namespace: GATEWAY_NAMESPACE,
                ...chart("gateway"),
                values: gatewayValues({
                    revision,
                    scheme: args.gatewayScheme ?? "internal",
                    replicas: args.gatewayReplicas ?? MIN_MESH_REPLICAS,
                    sourceRanges: args.gatewaySourceRanges,
                }),
                timeout: RELEASE_TIMEOUT_SECONDS,
            },
            { ...k8sOpts, dependsOn: [gatewayNs, istiod] },
        );

        new k8s.apiextensions.CustomResource(
            "mesh-peer-authentication",
            {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: kubernetesMetadata(owner, "default", { namespace: ISTIO_NAMESPACE, workload }),
                spec: peerAuthenticationSpec(),
            },
            { ...k8sOpts, dependsOn: [istiod] },
        );
        new k8s.apiextensions.CustomResource(
            "mesh-telemetry",
            {
                apiVersion: "telemetry.istio.io/v1",
                kind: "Telemetry",
                metadata: kubernetesMetadata(owner, "mesh-default", { namespace: ISTIO_NAMESPACE, workload }),
                spec: telemetrySpec(args.tracingSamplingPercentage ?? 1),
            },
            { ...k8sOpts, dependsOn: [istiod] },
        );

        this.revision = revision;
        this.canaryRevision = canaryRevision;
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
}
