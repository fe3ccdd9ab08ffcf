/**
 * The traffic of a service as plain Istio specs (networking.istio.io/v1, EnvoyFilter v1alpha3):
 * DestinationRule, VirtualService, Gateway and the local rate limit. Pure functions, tested directly.
 */
import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway";
import type { IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import type { IEnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";
import { MeshFacts } from "./policies";
import { RateLimitSpec, ServiceSettings } from "./types";
import { SERVICE_PORT } from "./workload";

export const NETWORKING_API_VERSION = "networking.istio.io/v1";
/** EnvoyFilter has no v1: it stays v1alpha3. */
export const ENVOY_FILTER_API_VERSION = "networking.istio.io/v1alpha3";

// The specs are typed with the Istio models (@kubernetes-models/istio, generated from Istio's CRDs;
// type-only imports, nothing of them runs): a misspelled or misplaced field fails tsc.
export type DestinationRuleSpec = NonNullable<IDestinationRule["spec"]>;
export type VirtualServiceSpec = NonNullable<IVirtualService["spec"]>;
export type GatewaySpec = NonNullable<IGateway["spec"]>;
export type EnvoyFilterSpec = NonNullable<IEnvoyFilter["spec"]>;
type HttpRetry = NonNullable<NonNullable<VirtualServiceSpec["http"]>[number]["retries"]>;

/** Circuit breaking and outlier detection of every service (sane defaults, not configurable yet). */
export const TRAFFIC_POLICY_DEFAULTS = {
    connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: "5s" },
        http: { http1MaxPendingRequests: 100, http2MaxRequests: 1000, maxRequestsPerConnection: 0 },
    },
    outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
} as const;

/**
 * The DestinationRule: ISTIO_MUTUAL, LEAST_REQUEST (LEAST_CONN is deprecated), a connection pool,
 * outlier detection and one subset per version.
 */
export function destinationRuleSpec(host: string, settings: ServiceSettings): DestinationRuleSpec {
    return {
        host,
        trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            loadBalancer: { simple: "LEAST_REQUEST" },
            connectionPool: TRAFFIC_POLICY_DEFAULTS.connectionPool,
            outlierDetection: TRAFFIC_POLICY_DEFAULTS.outlierDetection,
        },
        subsets: settings.versions.map((v) => ({ name: v.name, labels: { version: v.name } })),
    };
}

/** The gateway side of an exposed service: the Gateway's `<namespace>/<name>` and the public host. */
export interface Exposure {
    /** `<namespace>/<name>` of the Gateway object the VirtualService binds to. */
    readonly gateway: string;
    readonly host: string;
}

/**
 * The VirtualService: the in-cluster host (and the public one when exposed), weighted routes to
 * the subsets (a canary), retries and a timeout.
 */
export function virtualServiceSpec(host: string, settings: ServiceSettings, exposure?: Exposure): VirtualServiceSpec {
    const spec: VirtualServiceSpec = { hosts: exposure ? [host, exposure.host] : [host] };
    if (exposure) {
        // "mesh" keeps the routes for in-mesh callers once a gateway is named.
        spec.gateways = ["mesh", exposure.gateway];
    }
    spec.http = [
        {
            route: settings.versions.map((v) => ({
                destination: { host, subset: v.name, port: { number: SERVICE_PORT } },
                weight: v.weight,
            })),
            timeout: settings.timeout,
            retries: retryPolicy(settings),
        },
    ];
    return spec;
}

/**
 * The route's retry policy. `retries: 0` is `{attempts: 0}` alone: it turns off the retries Istio
 * would otherwise add (2 by default), and Istio's validation refuses a retry policy (retryOn,
 * perTryTimeout) next to zero attempts ("http retry policy configured when attempts are set to 0").
 */
function retryPolicy(settings: ServiceSettings): HttpRetry {
    if (settings.retries === 0) {
        return { attempts: 0 };
    }
    return {
        attempts: settings.retries,
        perTryTimeout: perTryTimeout(settings),
        retryOn: "connect-failure,refused-stream,unavailable,cancelled,5xx",
    };
}

/** Each try's timeout: the request timeout shared by the tries (at least 1s). */
function perTryTimeout(settings: ServiceSettings): string {
    const m = /^([0-9]+)(ms|s|m|h)$/.exec(settings.timeout);
    const unit = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
    const seconds = m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : 15;
    return `${Math.max(1, Math.floor(seconds / (settings.retries + 1)))}s`;
}

/** The oldest TLS version the gateway accepts from clients. */
export const GATEWAY_MIN_TLS_VERSION = "TLSV1_2";

/**
 * The Kubernetes TLS secret (`kubernetes.io/tls`) holding an exposed service's certificate, in the
 * ingress gateway's namespace, where the gateway's Envoy reads it through istiod (SDS). It is
 * issued by cert-manager, or written by whoever holds the certificate (docs/service.md).
 */
export function gatewayCredentialName(service: string): string {
    return `${service}-tls`;
}

/**
 * The Gateway for an exposed service's host on the common layer's ingress gateway (selected by its
 * `istio` pod label). It lives in the service's namespace, so a service stack owns its host and
 * cannot touch another's. TLS terminates at the gateway's Envoy on 443 (SIMPLE, TLS 1.2 or newer,
 * the certificate from `credentialName`); port 80 serves nothing but a redirect to HTTPS, so no
 * request, and no bearer token, is answered in clear.
 */
export function gatewaySpec(host: string, service: string, mesh: MeshFacts): GatewaySpec {
    return {
        selector: { istio: mesh.gatewayName },
        servers: [
            {
                port: { number: 443, name: "https", protocol: "HTTPS" },
                hosts: [host],
                tls: {
                    mode: "SIMPLE",
                    credentialName: gatewayCredentialName(service),
                    minProtocolVersion: GATEWAY_MIN_TLS_VERSION,
                },
            },
            { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: [host], tls: { httpsRedirect: true } },
        ],
    };
}

/**
 * The EnvoyFilter's priority. Its patch is relative (INSERT_BEFORE), so its order among other
 * EnvoyFilters must be fixed, or it may be applied before the filter it is relative to
 * (istioctl analyze IST0151). Positive: after the mesh's own filters (priority 0).
 */
export const RATE_LIMIT_FILTER_PRIORITY = 10;

/**
 * Envoy's local rate limit on the workload's inbound sidecar: a token bucket per pod. Requests over
 * the limit get HTTP 429. See https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/
 */
export function localRateLimitSpec(service: string, limit: RateLimitSpec): EnvoyFilterSpec {
    return {
        workloadSelector: { labels: { app: service } },
        priority: RATE_LIMIT_FILTER_PRIORITY,
        configPatches: [
            {
                applyTo: "HTTP_FILTER",
                match: {
                    context: "SIDECAR_INBOUND",
                    listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } },
                },
                patch: {
                    operation: "INSERT_BEFORE",
                    value: {
                        name: "envoy.filters.http.local_ratelimit",
                        typed_config: {
                            "@type":
                                "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                            stat_prefix: "http_local_rate_limiter",
                            token_bucket: {
                                max_tokens: limit.maxTokens,
                                tokens_per_fill: limit.tokensPerFill,
                                fill_interval: limit.fillInterval,
                            },
                            filter_enabled: {
                                runtime_key: "local_rate_limit_enabled",
                                default_value: { numerator: 100, denominator: "HUNDRED" },
                            },
                            filter_enforced: {
                                runtime_key: "local_rate_limit_enforced",
                                default_value: { numerator: 100, denominator: "HUNDRED" },
                            },
                            response_headers_to_add: [
                                {
                                    append_action: "OVERWRITE_IF_EXISTS_OR_ADD",
                                    header: { key: "x-local-rate-limit", value: "true" },
                                },
                            ],
                        },
                    },
                },
            },
        ],
    };
}
