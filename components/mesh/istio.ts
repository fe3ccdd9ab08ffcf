import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValidArgs } from "../args";
import { Owner, kubernetesMetadata } from "../conventions";
import {
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
    ISTIO_NAMESPACE,
    LOAD_BALANCER_SCHEMES,
    LoadBalancerScheme,
    OUTBOUND_TRAFFIC_POLICIES,
    OutboundTrafficPolicy,
    TRUST_DOMAIN,
    TracingCollector,
    baseValues,
    canaryRevisionProblem,
    gatewayValues,
    istiodReleaseName,
    istiodValues,
    peerAuthenticationSpec,
    revisionProblem,
    samplingProblem,
    telemetrySpec,
} from "./specs";
import { ChartMirror, releaseChart } from "../charts";
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
    /** Sidecars' handling of unknown hosts; REGISTRY_ONLY is not a security boundary. @default "ALLOW_ANY" */
    readonly outboundTrafficPolicy?: OutboundTrafficPolicy;
    /** Percentage of requests traced, 0 to 100. @default 1 */
    readonly tracingSamplingPercentage?: number;
    /** Where the sidecars send spans (Jaeger's OTLP collector). */
    readonly collector: TracingCollector;
    /** Whether the ingress gateway's NLB is internal or internet-facing. @default "internal" */
    readonly gatewayScheme?: LoadBalancerScheme;
    /** Where the charts come from (config `chartMirror`). @default upstream (components/charts) */
    readonly chartMirror?: ChartMirror;
    /**
     * Where the API server reaches istiod's admission webhooks when not at istiod's Service
     * (config `istiodWebhookUrl`): components/mesh/webhooks.ts. @default istiod's Service
     */
    readonly istiodWebhooks?: IstiodWebhooks;
}

/** `values` with the webhook settings of `extra` merged in (one level below the top). */
function withWebhooks(values: Record<string, unknown>, extra: Record<string, Record<string, unknown>> | undefined): Record<string, unknown> {
    const merged = { ...values };
    for (const [key, value] of Object.entries(extra ?? {})) {
        merged[key] = { ...(values[key] as Record<string, unknown> | undefined), ...value };
    }
    return merged;
}

/** Every problem with `args`, as `property = value: what is wrong; what is allowed`. */
export function istioArgsProblems(args: IstioArgs): string[] {
    const problems: string[] = [];
    const add = (property: string, value: unknown, message: string) => problems.push(`${property} = ${JSON.stringify(value)}: ${message}`);
    const revision = args.revision ?? "";
    const revisionMessage = revisionProblem(revision);
    if (revisionMessage) {
        add("revision", revision, revisionMessage);
    }
    const canary = args.canaryRevision ?? "";
    const canaryMessage = canaryRevisionProblem(canary, revision);
    if (canaryMessage) {
        add("canaryRevision", canary, canaryMessage);
    }
    const sampling = args.tracingSamplingPercentage ?? 1;
    const samplingMessage = samplingProblem(sampling);
    if (samplingMessage) {
        add("tracingSamplingPercentage", sampling, samplingMessage);
    }
    const policy = args.outboundTrafficPolicy ?? "REGISTRY_ONLY";
    if (!(OUTBOUND_TRAFFIC_POLICIES as readonly string[]).includes(policy)) {
        add("outboundTrafficPolicy", policy, `allowed: ${OUTBOUND_TRAFFIC_POLICIES.join(", ")}`);
    }
    const scheme = args.gatewayScheme ?? "internal";
    if (!(LOAD_BALANCER_SCHEMES as readonly string[]).includes(scheme)) {
        add("gatewayScheme", scheme, `allowed: ${LOAD_BALANCER_SCHEMES.join(", ")}`);
    }
    return problems;
}

/**
 * The Istio mesh from its Helm charts, in order: `base` (CRDs) -> `istiod` (waited on) ->
 * the ingress `gateway` in its own namespace as an AWS NLB; then mesh-wide STRICT mTLS and the
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
        const chart = (chartName: "base" | "istiod" | "gateway", version = ISTIO_VERSION) => releaseChart(chartName, args.chartMirror, version);
        // CRDs first: while a canary runs, base is at the canary's (newer) release.
        const baseVersion = canaryRevision === "" ? ISTIO_VERSION : ISTIO_CANARY_VERSION;

        const base = new k8s.helm.v3.Release(
            "istio-base",
            { name: "istio-base", namespace: ISTIO_NAMESPACE, ...chart("base", baseVersion), values: withWebhooks(baseValues(), webhooks && webhookBaseValues(webhooks)), timeout: RELEASE_TIMEOUT_SECONDS },
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
                    values: withWebhooks(
                        istiodValues({
                            revision: rev,
                            outboundTrafficPolicy: args.outboundTrafficPolicy ?? "REGISTRY_ONLY",
                            collector: args.collector,
                        }),
                        webhooks && webhookIstiodValues(webhooks),
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
                values: gatewayValues({ revision, scheme: args.gatewayScheme ?? "internal" }),
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
