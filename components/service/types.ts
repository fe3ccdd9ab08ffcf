/**
 * The plain description of one service (what a service stack's config says): its types and the
 * values they may take. Pure: no Pulumi, no config reads.
 */
/** The HTTP methods an AuthorizationPolicy may name. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The application protocols Istio learns from the Service port name (`http`, `http2`, `grpc`). */
export const PROTOCOLS = ["http", "http2", "grpc"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * Protocols of an external host, as a ServiceEntry port names them. HTTPS and TLS are routed by
 * SNI, HTTP by the Host header, so each host is told apart from the others on its port. TCP is
 * not offered: without addresses, a TCP ServiceEntry matches every host on its port.
 */
export const EXTERNAL_PROTOCOLS = ["HTTPS", "TLS", "HTTP"] as const;
export type ExternalProtocol = (typeof EXTERNAL_PROTOCOLS)[number];

/** The port an external host gets when none is given: 443 for HTTPS and TLS, 80 for HTTP. */
export const DEFAULT_EXTERNAL_PORTS: Readonly<Record<ExternalProtocol, number>> = { HTTPS: 443, TLS: 443, HTTP: 80 };

/**
 * A host outside the mesh the service may reach (closed egress): a ServiceEntry in its namespace
 * and an entry of its Sidecar's egress. With the mesh's REGISTRY_ONLY outbound policy, any other
 * external host is refused by the sidecar.
 */
export interface ExternalHostSpec {
    /** A fully qualified DNS name, e.g. `api.stripe.com`; no wildcard, no IP address. */
    readonly host: string;
    /** @default 443 for HTTPS and TLS, 80 for HTTP */
    readonly port: number;
    /** @default "HTTPS" */
    readonly protocol: ExternalProtocol;
}

/** One version of the workload: one Deployment, one DestinationRule subset, one weighted route. */
export interface VersionSpec {
    /** The `version` label and subset name, e.g. `v1`: lower-case letters, digits and `-`. */
    readonly name: string;
    /** A pinned image (components/conventions/images.ts): a tag other than `latest`, or a full `@sha256:` digest. */
    readonly image: string;
    /** Percent of the service's traffic routed to this version; all versions add up to 100. */
    readonly weight: number;
    /** Replicas of this version. @default the service's `replicas` */
    readonly replicas?: number;
}

/** Who may call the service: a service (its principal) or a whole namespace, and on what. */
export interface CallerRule {
    /** A service of the environment (principal `<trustDomain>/ns/<service>/sa/<service>`). */
    readonly service?: string;
    /** A namespace whose every workload may call (e.g. dev's payment allows the backend namespace). */
    readonly namespace?: string;
    /** HTTP methods allowed. @default any method */
    readonly methods?: readonly HttpMethod[];
    /** Paths allowed, exact or with a trailing `*` (prefix). @default any path */
    readonly paths?: readonly string[];
}

/** JWT validation of end-user tokens: a RequestAuthentication plus a policy requiring a token. */
export interface JwtSpec {
    /** The `iss` of accepted tokens, e.g. `https://auth.example.com/`. */
    readonly issuer: string;
    /** Where the issuer's signing keys are, e.g. `https://auth.example.com/.well-known/jwks.json`. */
    readonly jwksUri: string;
    /** Accepted `aud` values. @default any audience */
    readonly audiences?: readonly string[];
}

/** Envoy's local rate limit (a token bucket per sidecar). */
export interface RateLimitSpec {
    /** Bucket size: the largest burst. */
    readonly maxTokens: number;
    /** Tokens added every `fillInterval`. */
    readonly tokensPerFill: number;
    /** Refill period, a duration such as `1s` or `60s`. */
    readonly fillInterval: string;
}

/** A HorizontalPodAutoscaler per version on CPU utilisation. */
export interface AutoscalingSpec {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Target average CPU utilisation in percent of the request. */
    readonly targetCpuUtilization: number;
}

/** Requests and limits of the application container (Kubernetes quantities). */
export interface ResourcesSpec {
    readonly cpuRequest: string;
    readonly memoryRequest: string;
    readonly cpuLimit: string;
    readonly memoryLimit: string;
    /** Local disk (logs, the writable /tmp) the scheduler reserves. @default "64Mi" */
    readonly ephemeralStorageRequest: string;
    /** Local disk beyond which the kubelet evicts the pod. @default "1Gi" */
    readonly ephemeralStorageLimit: string;
}

/** The namespace's ResourceQuota (sums over every pod, the Istio sidecars included). */
export interface QuotaSpec {
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
    readonly pods: number;
}

/** Everything a service stack's config says about its service. */
export interface ServiceSettings {
    /** One or more versions; their weights add up to 100. */
    readonly versions: readonly VersionSpec[];
    /** Replicas of each version. @default 3 */
    readonly replicas: number;
    /** The container's (and the Service's) port. @default 8080 */
    readonly port: number;
    /** The application protocol, written as the Service port's name. @default "http" */
    readonly protocol: Protocol;
    /**
     * Port of the service's own Prometheus metrics (`/metrics`), served to Prometheus through the
     * sidecar's merged endpoint (Istio's metrics merging). @default none
     */
    readonly metricsPort?: number;
    /** HTTP path of the liveness and readiness probes. @default "/healthz" */
    readonly healthPath: string;
    readonly resources: ResourcesSpec;
    readonly quota: QuotaSpec;
    /** @default no autoscaler: fixed replicas */
    readonly autoscaling?: AutoscalingSpec;
    /** Who may call the service; nobody else can (default deny). @default [] */
    readonly allowedCallers: readonly CallerRule[];
    /** Expose the service through the environment's ingress gateway. @default false */
    readonly exposed: boolean;
    /** Host name on the gateway. @default `<service>.<privateZoneName>` */
    readonly publicHost?: string;
    /** @default no JWT validation */
    readonly jwt?: JwtSpec;
    /** Source IP blocks refused by a DENY policy. @default [] */
    readonly deniedSourceCidrs: readonly string[];
    /** Request headers that must be present; a request without one is refused. @default [] */
    readonly requiredHeaders: readonly string[];
    /** @default no rate limit */
    readonly rateLimit?: RateLimitSpec;
    /** Timeout of a request through the VirtualService. @default "15s" */
    readonly timeout: string;
    /** Retry attempts of a failed request. @default 2 */
    readonly retries: number;
    /** External hosts the service may reach (closed egress). @default [] */
    readonly externalHosts?: readonly ExternalHostSpec[];
}
