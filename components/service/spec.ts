/**
 * The plain description of one service (what a service stack's config says), its defaults and its
 * validation. Pure: no Pulumi, no config reads. The config parser (infra/schema/service.ts) and
 * the Service component both call `serviceProblems`, so a bad value gets the same message from
 * either, under the same property path (`versions[0].image`, `allowedCallers[1].paths[0]`).
 */
import { RESERVED_SERVICE_NAMES, SERVICE_NAME_RULE, isServiceName } from "../conventions/environment";
import { imagePinFault } from "../conventions/images";
import { DNS1123_LABEL } from "../conventions/naming";
import { SIDECAR_RESOURCES } from "../mesh/specs";
import { Problem } from "../problems";

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

/** The defaults of ServiceSettings, in one place. */
export const SERVICE_DEFAULTS = {
    replicas: 3,
    port: 8080,
    protocol: "http" as Protocol,
    healthPath: "/healthz",
    resources: {
        cpuRequest: "100m",
        memoryRequest: "128Mi",
        cpuLimit: "500m",
        memoryLimit: "256Mi",
        ephemeralStorageRequest: "64Mi",
        ephemeralStorageLimit: "1Gi",
    } as ResourcesSpec,
    quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 30 } as QuotaSpec,
    timeout: "15s",
    retries: 2,
} as const;

const DURATION = /^[0-9]+(ms|s|m|h)$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;
const HEADER = /^[a-z0-9][-a-z0-9_]*$/;
const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
/** A Kubernetes namespace or service name (DNS-1123 label). */
const DNS_LABEL_RULE = "lower-case letters, digits and '-', at most 63 characters (DNS-1123)";

/** Why `image` is not pinned, or undefined when it is: the rule of components/conventions/images.ts, with the fix. */
export function checkImage(image: string): string | undefined {
    const example = "e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>";
    switch (imagePinFault(image)) {
        case undefined:
            return undefined;
        case "malformed digest":
            return `not a valid digest; allowed: a tag other than latest or @sha256:<64 hex digits>, ${example}`;
        case "no image":
            return `the image is empty; allowed: an image pinned by a tag other than latest or by a digest, ${example}`;
        case "no tag":
            return `the image has no tag, so it is not pinned; allowed: a tag other than latest or a digest, ${example}`;
        case "latest":
            return `the tag latest is not pinned; allowed: a tag other than latest or a digest, ${example}`;
    }
}

/** In-cluster suffixes: such a host is a service of the mesh, reached through its own allowedCallers. */
const IN_CLUSTER_SUFFIXES = [".svc.cluster.local", ".cluster.local", ".svc"];

/**
 * Why `host` cannot be an external host, or undefined: a lower-case fully qualified DNS name (at
 * least two labels, each at most 63 characters, at most 253 in all), not a wildcard (DNS
 * resolution cannot follow it, and it would open every subdomain), not an IP address (a
 * ServiceEntry with DNS resolution needs a name) and not an in-cluster name.
 */
export function checkExternalHost(host: string): string | undefined {
    const allowed = "allowed: a fully qualified host name in lower case, e.g. api.stripe.com";
    if (host.includes("*")) {
        return `a wildcard would open every subdomain and cannot be resolved by DNS; list each host, ${allowed}`;
    }
    if (/^[0-9.]+$/.test(host) || host.includes(":")) {
        return `an IP address, not a host name; ${allowed}`;
    }
    if (IN_CLUSTER_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
        return `an in-cluster host: a service of the mesh is reached through its own allowedCallers, not as an external host; ${allowed}`;
    }
    if (!HOST.test(host) || host.length > 253 || host.split(".").some((label) => label.length > 63)) {
        return `not a host name; ${allowed}`;
    }
    return undefined;
}

/** Why `path` is not an AuthorizationPolicy path, or undefined. */
export function checkPath(path: string): string | undefined {
    if (!path.startsWith("/")) {
        return "a path must start with '/'; allowed: an absolute path, exact or ending in '*' for a prefix, e.g. /api/*";
    }
    if (path.slice(0, -1).includes("*")) {
        return "'*' is only allowed at the end (a prefix match), e.g. /api/*";
    }
    return undefined;
}

/**
 * Why `service` cannot be a caller, or undefined: it must be a service's name (the service part of
 * a stack `<env>-<service>`); `common` and `global` are layers, whose principal no workload has.
 * Whether the environment has that service's stack is checked by the plan, which knows them all.
 */
export function checkCallerService(service: string): string | undefined {
    const allowed = `allowed: the name of a service of the environment (its stack is <env>-<service>): ${SERVICE_NAME_RULE}, not ${RESERVED_SERVICE_NAMES.join(" or ")}`;
    if (RESERVED_SERVICE_NAMES.includes(service)) {
        return `"${service}" is a layer of the environment, not a service: no workload has its principal; ${allowed}`;
    }
    return isServiceName(service) ? undefined : `not a service name; ${allowed}`;
}

/** Why `method` is not an HTTP method, or undefined. */
/** Why `protocol` is not an application protocol of the Service port, or undefined. */
export function checkProtocol(protocol: string): string | undefined {
    return (PROTOCOLS as readonly string[]).includes(protocol) ? undefined : `allowed: ${PROTOCOLS.join(", ")}`;
}

/** Why `protocol` is not a protocol of an external host's ServiceEntry, or undefined. */
export function checkExternalProtocol(protocol: string): string | undefined {
    return (EXTERNAL_PROTOCOLS as readonly string[]).includes(protocol)
        ? undefined
        : `allowed: ${EXTERNAL_PROTOCOLS.join(", ")} (upper case; TCP is not offered: without addresses a TCP ServiceEntry matches every host on its port)`;
}

export function checkMethod(method: string): string | undefined {
    return (HTTP_METHODS as readonly string[]).includes(method)
        ? undefined
        : `unknown HTTP method; allowed: ${HTTP_METHODS.join(", ")} (upper case)`;
}

/** Why `cidr` is not an IPv4 CIDR block, or undefined. */
function checkIpBlock(cidr: string): string | undefined {
    const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(\/([0-9]{1,2}))?$/.exec(cidr);
    if (!m || m.slice(1, 5).some((p) => Number(p) > 255) || (m[6] !== undefined && Number(m[6]) > 32)) {
        return "not an IPv4 address or CIDR block; allowed: e.g. 203.0.113.0/24 or 198.51.100.7";
    }
    return undefined;
}

/**
 * Every problem of a service's settings, each with its property path, value and fix. Checks what
 * the types cannot: pinned images, replicas from 1, weights adding up to 100, paths from `/`,
 * known methods, callers naming exactly one of service or namespace, and well-formed durations.
 */
export function serviceProblems(s: ServiceSettings): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, value: unknown, message: string | undefined) => {
        if (message !== undefined) {
            problems.push({ path, value, message });
        }
    };
    const whole = (path: string, value: number, min: number, max: number) =>
        add(
            path,
            value,
            Number.isInteger(value) && value >= min && value <= max
                ? undefined
                : `out of range; allowed: a whole number from ${min} to ${max}`,
        );
    whole("replicas", s.replicas, 1, 100);
    whole("port", s.port, 1, 65535);
    if (s.metricsPort !== undefined) {
        whole("metricsPort", s.metricsPort, 1, 65535);
        add(
            "metricsPort",
            s.metricsPort,
            s.metricsPort === s.port
                ? "must differ from port (the metrics are merged into the sidecar's endpoint, not served on the service port)"
                : undefined,
        );
    }
    whole("retries", s.retries, 0, 10);
    add("protocol", s.protocol, checkProtocol(s.protocol));
    add(
        "healthPath",
        s.healthPath,
        s.healthPath.startsWith("/") ? undefined : "a path must start with '/', e.g. /healthz",
    );
    add(
        "timeout",
        s.timeout,
        DURATION.test(s.timeout) ? undefined : "not a duration; allowed: a whole number with ms, s, m or h, e.g. 15s",
    );
    if (s.versions.length === 0) {
        add(
            "versions",
            [],
            "at least one version is required, e.g. [{name: v1, image: registry.example.com/app:1.0.0, weight: 100}]",
        );
    }
    const seen = new Set<string>();
    s.versions.forEach((v, i) => {
        const at = `versions[${i}]`;
        add(
            `${at}.name`,
            v.name,
            DNS1123_LABEL.test(v.name) && v.name.length <= 20
                ? undefined
                : "not a version name; allowed: lower-case letters, digits and '-', at most 20 characters, e.g. v1",
        );
        add(`${at}.name`, v.name, seen.has(v.name) ? "duplicate version name; each version needs its own" : undefined);
        seen.add(v.name);
        add(`${at}.image`, v.image, checkImage(v.image));
        whole(`${at}.weight`, v.weight, 0, 100);
        if (v.replicas !== undefined) {
            whole(`${at}.replicas`, v.replicas, 1, 100);
            if (s.autoscaling) {
                add(
                    `${at}.replicas`,
                    v.replicas,
                    `ignored while autoscaling is on (its HorizontalPodAutoscaler sets ${v.name}'s replicas, from autoscaling.minReplicas ${s.autoscaling.minReplicas} to maxReplicas ${s.autoscaling.maxReplicas}); remove it, or remove autoscaling for fixed replicas`,
                );
            }
        }
    });
    const total = s.versions.reduce((sum, v) => sum + v.weight, 0);
    if (s.versions.length > 0 && total !== 100) {
        add(
            "versions",
            s.versions.map((v) => `${v.name}=${v.weight}`).join(", "),
            `the weights add up to ${total}; they must add up to 100`,
        );
    }
    // Each resource field with the example its message gives.
    const examples: Record<keyof ResourcesSpec, string> = {
        cpuRequest: "100m",
        cpuLimit: "500m",
        memoryRequest: "128Mi",
        memoryLimit: "256Mi",
        ephemeralStorageRequest: "64Mi",
        ephemeralStorageLimit: "1Gi",
    };
    for (const [field, example] of Object.entries(examples) as [keyof ResourcesSpec, string][]) {
        const value = s.resources[field];
        add(
            `resources.${field}`,
            value,
            QUANTITY.test(value) ? undefined : `not a Kubernetes quantity, e.g. ${example}`,
        );
    }
    for (const key of ["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory"] as const) {
        add(
            `quota.${key}`,
            s.quota[key],
            QUANTITY.test(s.quota[key]) ? undefined : "not a Kubernetes quantity, e.g. 4 or 8Gi",
        );
    }
    whole("quota.pods", s.quota.pods, 1, 1000);
    if (s.autoscaling) {
        whole("autoscaling.minReplicas", s.autoscaling.minReplicas, 1, 100);
        whole("autoscaling.maxReplicas", s.autoscaling.maxReplicas, 1, 1000);
        whole("autoscaling.targetCpuUtilization", s.autoscaling.targetCpuUtilization, 1, 100);
        add(
            "autoscaling.maxReplicas",
            s.autoscaling.maxReplicas,
            s.autoscaling.maxReplicas < s.autoscaling.minReplicas
                ? `must be at least minReplicas (${s.autoscaling.minReplicas})`
                : undefined,
        );
    }
    problems.push(...quotaProblems(s));
    const seenHosts = new Set<string>();
    (s.externalHosts ?? []).forEach((h, i) => {
        const at = `externalHosts[${i}]`;
        add(`${at}.host`, h.host, checkExternalHost(h.host));
        whole(`${at}.port`, h.port, 1, 65535);
        add(`${at}.protocol`, h.protocol, checkExternalProtocol(h.protocol));
        const key = `${h.host}:${h.port}`;
        add(at, key, seenHosts.has(key) ? "listed twice; each host and port once" : undefined);
        seenHosts.add(key);
    });
    s.allowedCallers.forEach((c, i) => {
        const at = `allowedCallers[${i}]`;
        if ((c.service === undefined) === (c.namespace === undefined)) {
            add(at, c, "name exactly one of service (a service of the environment) or namespace");
        }
        if (c.service !== undefined) {
            add(`${at}.service`, c.service, checkCallerService(c.service));
        }
        if (c.namespace !== undefined) {
            add(
                `${at}.namespace`,
                c.namespace,
                DNS1123_LABEL.test(c.namespace) && c.namespace.length <= 63
                    ? undefined
                    : `not a namespace; allowed: ${DNS_LABEL_RULE}`,
            );
        }
        (c.methods ?? []).forEach((m, j) => add(`${at}.methods[${j}]`, m, checkMethod(m)));
        (c.paths ?? []).forEach((p, j) => add(`${at}.paths[${j}]`, p, checkPath(p)));
    });
    if (s.publicHost !== undefined) {
        add(
            "publicHost",
            s.publicHost,
            HOST.test(s.publicHost) ? undefined : "not a DNS host name; allowed: e.g. shop.example.com",
        );
        add("publicHost", s.publicHost, s.exposed ? undefined : "set only when exposed is true");
    }
    if (s.jwt) {
        add(
            "jwt.issuer",
            s.jwt.issuer,
            s.jwt.issuer.length > 0 ? undefined : "required: the iss claim of accepted tokens",
        );
        add(
            "jwt.jwksUri",
            s.jwt.jwksUri,
            /^https:\/\/[^\s]+$/.test(s.jwt.jwksUri)
                ? undefined
                : "not an https URL; allowed: e.g. https://auth.example.com/.well-known/jwks.json",
        );
    }
    s.deniedSourceCidrs.forEach((c, i) => add(`deniedSourceCidrs[${i}]`, c, checkIpBlock(c)));
    s.requiredHeaders.forEach((h, i) =>
        add(
            `requiredHeaders[${i}]`,
            h,
            HEADER.test(h)
                ? undefined
                : "not a header name; allowed: lower-case letters, digits, '-' and '_', e.g. x-request-id",
        ),
    );
    if (s.rateLimit) {
        whole("rateLimit.maxTokens", s.rateLimit.maxTokens, 1, 1_000_000);
        whole("rateLimit.tokensPerFill", s.rateLimit.tokensPerFill, 1, 1_000_000);
        add(
            "rateLimit.fillInterval",
            s.rateLimit.fillInterval,
            DURATION.test(s.rateLimit.fillInterval) ? undefined : "not a duration; allowed: e.g. 1s or 60s",
        );
    }
    return problems;
}

const QUANTITY_UNITS: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** A Kubernetes quantity (`500m`, `2`, `256Mi`) in base units (cores, bytes); undefined when it is not one. */
export function parseQuantity(quantity: string): number | undefined {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(quantity);
    return m ? Number(m[1]) * QUANTITY_UNITS[m[2] ?? ""] : undefined;
}

/** CPU cores as Kubernetes writes them: whole cores (`20`) or millicores (`2500m`). */
function formatCpu(cores: number): string {
    const milli = Math.round(cores * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as Kubernetes writes them: `10Gi` when whole, else `Mi` rounded up. */
function formatMemory(bytes: number): string {
    return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

/**
 * The pods of each version at the most the service may run: the autoscalers' maxReplicas, or the
 * fixed replicas (a version's own, else the service's).
 */
/** The extra pods a version's Deployment runs during a rollout (its `maxSurge`; `maxUnavailable` is 0). */
export const ROLLOUT_SURGE_PODS = 1;

/** The most pods each version runs: its autoscaler's maximum (or its replicas), plus a rollout's surge. */
export function maxPodsPerVersion(
    s: Pick<ServiceSettings, "versions" | "replicas" | "autoscaling">,
): { version: string; pods: number }[] {
    return s.versions.map((v) => ({
        version: v.name,
        pods: (s.autoscaling ? s.autoscaling.maxReplicas : (v.replicas ?? s.replicas)) + ROLLOUT_SURGE_PODS,
    }));
}

/**
 * Whether the namespace's quota admits the service at its most: every version at its autoscaler's
 * maximum (or its fixed replicas) plus the pod a rollout adds, each pod counting its container and
 * its Istio sidecar. A quota
 * too small would silently stop the autoscalers (`exceeded quota`), so it is refused, naming the
 * quota key, what is needed, how it is computed and the fix.
 */
function quotaProblems(s: ServiceSettings): Problem[] {
    const perVersion = maxPodsPerVersion(s);
    const pods = perVersion.reduce((sum, v) => sum + v.pods, 0);
    if (s.versions.length === 0 || !Number.isInteger(pods)) {
        return [];
    }
    const at = s.autoscaling ? "at its autoscalers' maximum during a rollout" : "at its replicas during a rollout";
    const lower = s.autoscaling ? "autoscaling.maxReplicas" : "the replicas";
    const breakdown = `${pods} pods (${perVersion.map((v) => `${v.version} ${v.pods}`).join(", ")})`;
    const problems: Problem[] = [];
    if (pods > s.quota.pods) {
        problems.push({
            path: "quota.pods",
            value: s.quota.pods,
            message: `the service needs ${breakdown} ${at}; raise it to at least ${pods}, or lower ${lower}`,
        });
    }
    const checks = [
        {
            key: "requestsCpu",
            resource: "cpuRequest",
            sidecar: SIDECAR_RESOURCES.requests.cpu,
            format: (n: number) => `${formatCpu(n)} CPU`,
        },
        {
            key: "limitsCpu",
            resource: "cpuLimit",
            sidecar: SIDECAR_RESOURCES.limits.cpu,
            format: (n: number) => `${formatCpu(n)} CPU`,
        },
        {
            key: "requestsMemory",
            resource: "memoryRequest",
            sidecar: SIDECAR_RESOURCES.requests.memory,
            format: (n: number) => `${formatMemory(n)} of memory`,
        },
        {
            key: "limitsMemory",
            resource: "memoryLimit",
            sidecar: SIDECAR_RESOURCES.limits.memory,
            format: (n: number) => `${formatMemory(n)} of memory`,
        },
    ] as const;
    for (const c of checks) {
        const quota = parseQuantity(s.quota[c.key]);
        const container = parseQuantity(s.resources[c.resource]);
        const sidecar = parseQuantity(c.sidecar) ?? 0;
        if (quota === undefined || container === undefined) {
            continue; // reported as not a quantity
        }
        // Compared in thousandths (millicores, millibytes), so 3 × (200m + 100m) is exactly 900m.
        const needed = Math.round(pods * (container + sidecar) * 1000) / 1000;
        if (Math.round(quota * 1000) < Math.round(needed * 1000)) {
            problems.push({
                path: `quota.${c.key}`,
                value: s.quota[c.key],
                message:
                    `the service needs ${c.format(needed)} ${at}: ${breakdown} × (resources.${c.resource} ${s.resources[c.resource]} + the sidecar's ${c.sidecar}); ` +
                    `raise it to at least ${c.format(needed).split(" ")[0]}, or lower ${lower} or resources.${c.resource}`,
            });
        }
    }
    return problems;
}
