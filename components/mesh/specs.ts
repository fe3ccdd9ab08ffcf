/**
 * Pure functions of plain data behind the mesh component: the Helm values of the three Istio
 * charts and the mesh-wide PeerAuthentication and Telemetry. Stable key order, so previews do not
 * churn. Current API versions only: security.istio.io/v1 and telemetry.istio.io/v1 (Istio 1.22+).
 */

import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import type { ITelemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry";
import type { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import { ISTIO_IMAGE_HUB } from "../charts";
import { AMBIENT_PROFILE, MeshDataPlane } from "./ambient";

/** The mesh's root namespace: istiod and the mesh-wide policies live here. */
export const ISTIO_NAMESPACE = "istio-system";
/** The ingress gateway's own namespace, apart from the control plane. */
export const GATEWAY_NAMESPACE = "istio-ingress";
/**
 * The ingress gateway's release, Deployment, Service and service account name, and the value of
 * its pods' `istio` label (set explicitly in its values: the chart would otherwise use the name
 * without `istio-`), so that a Gateway's selector `istio: <gatewayName>` matches it.
 */
export const GATEWAY_NAME = "istio-ingressgateway";
/** The mesh's trust domain: principals are `cluster.local/ns/<ns>/sa/<sa>`. */
export const TRUST_DOMAIN = "cluster.local";
/** Name of the tracing extension provider that the Telemetry resource selects. */
export const TRACING_PROVIDER = "jaeger";

/** What the sidecars do with traffic to hosts outside the service registry. */
export const OUTBOUND_TRAFFIC_POLICIES = ["ALLOW_ANY", "REGISTRY_ONLY"] as const;
export type OutboundTrafficPolicy = (typeof OUTBOUND_TRAFFIC_POLICIES)[number];

/** How the ingress gateway's AWS Network Load Balancer is reachable. */
export const LOAD_BALANCER_SCHEMES = ["internet-facing", "internal"] as const;
export type LoadBalancerScheme = (typeof LOAD_BALANCER_SCHEMES)[number];

/** Where the sidecars send spans: an OTLP/gRPC collector. */
export interface TracingCollector {
    /** In-cluster FQDN of the collector's Service. */
    readonly host: string;
    /** Its OTLP/gRPC port (4317). */
    readonly port: number;
}

/** A revision name: a DNS label such as `1-30` (no dots), or empty for the default control plane. */
const REVISION = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/;

/** Why `revision` cannot be an Istio revision, or undefined. */
export function revisionProblem(revision: string): string | undefined {
    return REVISION.test(revision) && revision !== "default"
        ? undefined
        : "not a revision name; allowed: empty (no revision) or a DNS label such as 1-30 (lower-case letters, digits and '-', no dots), not 'default'";
}

/** Why `percentage` cannot be a sampling percentage, or undefined. */
export function samplingProblem(percentage: number): string | undefined {
    return Number.isFinite(percentage) && percentage >= 0 && percentage <= 100
        ? undefined
        : "out of range; allowed: 0 to 100";
}

/** The istiod release's name: `istiod`, or `istiod-<revision>` for a canary control plane. */
export function istiodReleaseName(revision: string): string {
    return revision === "" ? "istiod" : `istiod-${revision}`;
}

/** Why `canary` cannot be a canary control plane beside `revision`, or undefined (empty is none). */
export function canaryRevisionProblem(canary: string, revision: string): string | undefined {
    if (canary === "") {
        return undefined;
    }
    return (
        revisionProblem(canary) ??
        (canary === revision ? "the same revision as the main control plane; a canary needs another one" : undefined)
    );
}

/** The subset of the `base` chart's values.yaml we set (field names and nesting as the chart's). */
export interface BaseValues {
    readonly global: { readonly istioNamespace: string };
    /**
     * The revision whose istiod validates every Istio object (the chart's `istiod-default-validator`
     * calls `istiod-<defaultRevision>` and carries its `istio.io/rev` label, by which that istiod
     * keeps the webhook's CA bundle current); the chart's `default` (service `istiod`) when unset.
     */
    readonly defaultRevision?: string;
    /** Istio's validation at a URL (config istiodWebhookUrl: components/mesh/webhooks.ts). */
    readonly base?: { readonly validationURL: string; readonly validationCABundle: string };
}

/**
 * Values of the `base` chart (CRDs and cluster roles), its default validator at the main control
 * plane `revision`: with a revision there is no service `istiod` for the chart's default to call
 * (Istio's Helm install of a revision sets `defaultRevision` too).
 */
export function baseValues(revision: string): BaseValues {
    return { global: { istioNamespace: ISTIO_NAMESPACE }, ...(revision === "" ? {} : { defaultRevision: revision }) };
}

/**
 * Every sidecar's requests and limits. The chart's default limits (2 CPU, 1 GiB per sidecar)
 * would count against each service namespace's ResourceQuota and leave room for only a few pods.
 */
export const SIDECAR_RESOURCES = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
} as const;

/**
 * Address ranges istiod refuses to fetch a RequestAuthentication's `jwksUri` from
 * (`BLOCKED_CIDRS_IN_JWKS_URIS`): loopback, link-local (the instance metadata service), the private
 * and carrier-grade NAT ranges (the VPC, the pods, the cluster's services) and their IPv6
 * counterparts. A service stack may name any https URL as its issuer's key set; without this, a
 * namespace's RequestAuthentication could make istiod fetch from inside the cluster (SSRF), and
 * `istioctl analyze` warns (IST0175). An identity provider inside the VPC would need its range
 * removed here.
 */
export const JWKS_BLOCKED_CIDRS = [
    "127.0.0.0/8",
    "169.254.0.0/16",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "::1/128",
    "fe80::/10",
    "fc00::/7",
] as const;

/** The subset of the `istiod` chart's values.yaml we set (field names and nesting as the chart's). */
export interface IstiodValues {
    /** The chart's `ambient` profile in ambient mode (components/mesh/ambient.ts); unset for sidecars. */
    readonly profile?: typeof AMBIENT_PROFILE;
    readonly revision: string;
    readonly replicaCount: number;
    readonly autoscaleEnabled: boolean;
    readonly autoscaleMin: number;
    readonly autoscaleMax: number;
    readonly pdb: { readonly minAvailable: number };
    readonly topologySpreadConstraints: readonly ITopologySpreadConstraint[];
    readonly global: {
        readonly hub: string;
        readonly istioNamespace: string;
        readonly proxy: { readonly resources: typeof SIDECAR_RESOURCES };
        readonly defaultPodDisruptionBudget: { readonly enabled: boolean };
        /** false leaves out the per-revision validator at istiod's Service (webhooks at a URL). */
        readonly configValidation?: boolean;
    };
    /** Sidecar injection at a URL (config istiodWebhookUrl: components/mesh/webhooks.ts). */
    readonly istiodRemote?: { readonly injectionURL: string; readonly injectionCABundle: string };
    readonly env: Readonly<Record<string, string>>;
    readonly meshConfig: {
        readonly trustDomain: string;
        readonly accessLogFile: string;
        readonly accessLogEncoding: string;
        readonly outboundTrafficPolicy: { readonly mode: OutboundTrafficPolicy };
        readonly extensionProviders: readonly {
            readonly name: string;
            readonly opentelemetry: { readonly service: string; readonly port: number };
        }[];
    };
}

/** What istiod's values are built from. */
export interface IstiodOptions {
    readonly revision: string;
    readonly outboundTrafficPolicy: OutboundTrafficPolicy;
    readonly collector: TracingCollector;
    /** The autoscaler's floor (and the initial replica count). */
    readonly replicas: number;
    /** The environment's data plane: `ambient` adds the chart's ambient profile. @default "sidecar" */
    readonly dataPlane?: MeshDataPlane;
}

/**
 * Values of the `istiod` chart: access logs to stdout (JSON), the OpenTelemetry extension
 * provider pointing at Jaeger's OTLP collector, and the outbound traffic policy. REGISTRY_ONLY
 * makes sidecars refuse unknown hosts, but it is not a security boundary: a workload can bypass
 * its sidecar; use egress gateways and network policies for enforcement.
 * See https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/
 */
export function istiodValues(options: IstiodOptions): IstiodValues {
    return {
        // The ambient profile (the chart's files/profile-ambient.yaml) turns on istiod's ambient
        // controllers (PILOT_ENABLE_AMBIENT) and HBONE for the proxies it configures:
        // https://istio.io/latest/docs/ambient/install/helm/ installs istiod with profile=ambient.
        ...(options.dataPlane === "ambient" ? { profile: AMBIENT_PROFILE } : {}),
        revision: options.revision,
        // High availability through the chart's own keys: its HorizontalPodAutoscaler's floor, and
        // its PodDisruptionBudget (made only with a floor above 1), spread over zones.
        replicaCount: options.replicas,
        autoscaleEnabled: true,
        autoscaleMin: options.replicas,
        autoscaleMax: autoscaleMaxOf(options.replicas),
        pdb: { minAvailable: 1 },
        topologySpreadConstraints: zoneSpread({
            app: "istiod",
            "istio.io/rev": options.revision === "" ? "default" : options.revision,
        }),
        // The 1.30 charts default the hub to registry.istio.io/release, a retiring host (components/charts).
        global: {
            hub: ISTIO_IMAGE_HUB,
            istioNamespace: ISTIO_NAMESPACE,
            proxy: { resources: SIDECAR_RESOURCES },
            defaultPodDisruptionBudget: { enabled: true },
        },
        // The chart writes `env` into istiod's container environment.
        env: {
            BLOCKED_CIDRS_IN_JWKS_URIS: JWKS_BLOCKED_CIDRS.join(","),
            // Gateways get clusters only for the hosts their VirtualServices route to (and the mesh
            // config's extension providers, e.g. the tracing collector), not one per service of the
            // mesh: the ingress gateway's config grows with the exposed services only (docs/benchmarks.md).
            // Sidecars are scoped by each namespace's Sidecar already.
            PILOT_FILTER_GATEWAY_CLUSTER_CONFIG: "true",
        },
        meshConfig: {
            trustDomain: TRUST_DOMAIN,
            accessLogFile: "/dev/stdout",
            accessLogEncoding: "JSON",
            outboundTrafficPolicy: { mode: options.outboundTrafficPolicy },
            extensionProviders: [
                {
                    name: TRACING_PROVIDER,
                    opentelemetry: { service: options.collector.host, port: options.collector.port },
                },
            ],
        },
    };
}

/** The gateway pods' status port: the load balancer's health check, never published on it. */
export const GATEWAY_STATUS_PORT = 15021;

/**
 * The only ports the gateway's Service publishes: 80 (which only redirects to HTTPS, see the
 * services' Gateway objects) and 443 (TLS). The chart's default list also publishes the status
 * port 15021, which nothing outside the cluster needs.
 */
export const GATEWAY_SERVICE_PORTS = [
    { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
    { name: "https", port: 443, protocol: "TCP", targetPort: 443 },
] as const;

/**
 * Annotations of the gateway's Service for an AWS Network Load Balancer made by the AWS Load
 * Balancer Controller (`aws-load-balancer-type: external`; the legacy in-tree controller ignores
 * such a Service): pod IPs as targets, the scheme from config, cross-zone load balancing on, and
 * the health check on the pods' status port (reached on the pod IP, not published).
 * See https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 */
export function loadBalancerAnnotations(scheme: LoadBalancerScheme): Record<string, string> {
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": String(GATEWAY_STATUS_PORT),
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/healthz/ready",
    };
}

/** The fewest replicas of istiod and of the gateway: one is a single point of failure. */
export const MIN_MESH_REPLICAS = 2;
/** The most replicas a config may ask for as the floor (the autoscaler goes up to twice that). */
export const MAX_MESH_REPLICAS = 10;

/** Why `replicas` cannot be the floor of istiod's or the gateway's replicas, or undefined. */
export function meshReplicasProblem(replicas: number): string | undefined {
    return Number.isInteger(replicas) && replicas >= MIN_MESH_REPLICAS && replicas <= MAX_MESH_REPLICAS
        ? undefined
        : `allowed: an integer from ${MIN_MESH_REPLICAS} (one replica is a single point of failure) to ${MAX_MESH_REPLICAS}`;
}

/** The autoscaler's ceiling for a floor of `replicas`: twice the floor, at least the charts' default of 5. */
export function autoscaleMaxOf(replicas: number): number {
    return Math.max(5, 2 * replicas);
}

/**
 * Spread over zones, then over nodes. `ScheduleAnyway`: the scheduler prefers the spread but still
 * places a pod when a zone is down or a cluster (clusterMode existing) has one zone, where
 * `DoNotSchedule` would leave it pending and block a rollout.
 */
export function zoneSpread(matchLabels: Record<string, string>): ITopologySpreadConstraint[] {
    return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels },
    }));
}

/** What the gateway's values are built from. */
export interface GatewayOptions {
    readonly revision: string;
    readonly scheme: LoadBalancerScheme;
    /** The autoscaler's floor (and the initial replica count). */
    readonly replicas: number;
    /** CIDRs that may reach the load balancer (`loadBalancerSourceRanges`). */
    readonly sourceRanges: readonly string[];
}

/** The subset of the `gateway` chart's values.yaml we set (field names and nesting as the chart's). */
export interface GatewayValues {
    readonly revision: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly replicaCount: number;
    readonly autoscaling: { readonly enabled: boolean; readonly minReplicas: number; readonly maxReplicas: number };
    readonly podDisruptionBudget: { readonly minAvailable: number };
    readonly topologySpreadConstraints: readonly ITopologySpreadConstraint[];
    readonly service: {
        readonly type: string;
        readonly annotations: Readonly<Record<string, string>>;
        readonly ports: readonly {
            readonly name: string;
            readonly port: number;
            readonly protocol?: string;
            readonly targetPort?: number;
        }[];
        readonly loadBalancerSourceRanges: readonly string[];
    };
}

/**
 * Values of the `gateway` chart: injected by `revision`; at least `replicas` pods spread over
 * zones, scaled by the chart's HorizontalPodAutoscaler and kept by its PodDisruptionBudget (the
 * chart makes one only with a floor above 1); a LoadBalancer Service as an NLB of the AWS Load
 * Balancer Controller publishing only ports 80 and 443, reachable from `sourceRanges` only.
 */
export function gatewayValues(options: GatewayOptions): GatewayValues {
    return {
        revision: options.revision,
        // The chart's selector labels take `labels.istio` when it is set (templates/_helpers.tpl).
        labels: { istio: GATEWAY_NAME },
        replicaCount: options.replicas,
        autoscaling: { enabled: true, minReplicas: options.replicas, maxReplicas: autoscaleMaxOf(options.replicas) },
        podDisruptionBudget: { minAvailable: 1 },
        topologySpreadConstraints: zoneSpread({ istio: GATEWAY_NAME }),
        service: {
            type: "LoadBalancer",
            annotations: loadBalancerAnnotations(options.scheme),
            ports: GATEWAY_SERVICE_PORTS.map((p) => ({ ...p })),
            loadBalancerSourceRanges: [...options.sourceRanges],
        },
    };
}

/** Mesh-wide mutual TLS: STRICT in the root namespace, so plaintext between sidecars is refused. */
export function peerAuthenticationSpec(): NonNullable<IPeerAuthentication["spec"]> {
    return { mtls: { mode: "STRICT" } };
}

/**
 * Mesh-wide telemetry: traces to the Jaeger provider at `samplingPercentage` (0..100) and access
 * logs through the built-in `envoy` provider (stdout).
 */
export function telemetrySpec(samplingPercentage: number): NonNullable<ITelemetry["spec"]> {
    return {
        tracing: [{ providers: [{ name: TRACING_PROVIDER }], randomSamplingPercentage: samplingPercentage }],
        accessLogging: [{ providers: [{ name: "envoy" }] }],
    };
}
