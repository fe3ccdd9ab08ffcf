import {
    AutoscalingSpec,
    CallerRule,
    DEFAULT_EXTERNAL_PORTS,
    EXTERNAL_PROTOCOLS,
    ExternalHostSpec,
    ExternalProtocol,
    HttpMethod,
    JwtSpec,
    PROTOCOLS,
    Protocol,
    QuotaSpec,
    RateLimitSpec,
    ResourcesSpec,
    SERVICE_DEFAULTS,
    ServiceSettings,
    VersionSpec,
    serviceProblems,
} from "../../components/service/spec";
import { KeySpec } from "./keys";
import { ConfigReader } from "./reader";

const service = ["service"] as const;

/** Keys of the service layer (stack `<env>-<service>`). */
export const SERVICE_KEYS: readonly KeySpec[] = [
    {
        key: "versions",
        description:
            "The service's versions, a list of maps {name, image, weight, replicas?}: one Deployment and subset each; image pinned (a tag other than latest, or @sha256 digest); weights (percent of traffic) add up to 100.",
        type: "object[]",
        default: [],
        layers: service,
        requiredIn: service,
    },
    { key: "replicas", description: "Replicas of each version (unless autoscaling or the version sets its own), at least 1. A version's own replicas are refused with autoscaling.", type: "integer", default: SERVICE_DEFAULTS.replicas, layers: service },
    { key: "port", description: "The container's port; the Service exposes it on port 80 under the protocol's name.", type: "integer", default: SERVICE_DEFAULTS.port, layers: service },
    { key: "protocol", description: `Application protocol, the Service port's name (Istio reads it): ${PROTOCOLS.join(", ")}.`, type: "string", default: SERVICE_DEFAULTS.protocol, layers: service },
    { key: "metricsPort", description: "Port of the service's own Prometheus metrics (/metrics), merged by the sidecar into its scraped endpoint (Istio's metrics merging); 0 for none.", type: "integer", default: 0, layers: service },
    { key: "healthPath", description: "HTTP path of the liveness and readiness probes.", type: "string", default: SERVICE_DEFAULTS.healthPath, layers: service },
    {
        key: "resources",
        description:
            "Requests and limits of the container, a map {cpuRequest, memoryRequest, cpuLimit, memoryLimit, ephemeralStorageRequest, ephemeralStorageLimit} (Kubernetes quantities); unset fields keep their defaults.",
        type: "object",
        default: {},
        layers: service,
    },
    {
        key: "quota",
        description:
            "The namespace's ResourceQuota, a map {requestsCpu, requestsMemory, limitsCpu, limitsMemory, pods}; it counts the Istio sidecars too, and must admit every version at its autoscalers' maximum (or its replicas) plus the pod a rollout adds. Unset fields keep their defaults.",
        type: "object",
        default: {},
        layers: service,
    },
    {
        key: "autoscaling",
        description: "A HorizontalPodAutoscaler per version, a map {minReplicas, maxReplicas, targetCpuUtilization}; empty for fixed replicas.",
        type: "object",
        default: {},
        layers: service,
    },
    {
        key: "allowedCallers",
        description:
            "Who may call the service (everyone else is refused), a list of maps {service | namespace, methods?, paths?}: service is a service of the environment (its principal), namespace a whole namespace; methods e.g. [GET, POST]; paths exact or prefix*, starting with /.",
        type: "object[]",
        default: [],
        layers: service,
    },
    {
        key: "useCanaryMeshRevision",
        description: "Inject this service's pods from the common stack's canary control plane (meshCanaryRevision) instead of the main one.",
        type: "boolean",
        default: false,
        layers: service,
    },
    {
        key: "externalHosts",
        description: `External hosts the service may reach (closed egress: the mesh refuses every other), a list of maps {host, port?, protocol?}: host a fully qualified name (no wildcard, no IP), protocol one of ${EXTERNAL_PROTOCOLS.join(", ")} (default HTTPS), port 1 to 65535 (default 443, 80 for HTTP). Each becomes a ServiceEntry of the service's namespace and an entry of its Sidecar's egress.`,
        type: "object[]",
        default: [],
        layers: service,
    },
    { key: "exposed", description: "Expose the service through the environment's ingress gateway (its principal is then allowed).", type: "boolean", default: false, layers: service },
    { key: "publicHost", description: "Host name of an exposed service; empty for <service>.<the environment's private zone>.", type: "string", default: "", layers: service },
    {
        key: "jwt",
        description: "End-user JWT validation, a map {issuer, jwksUri, audiences?}: a RequestAuthentication plus a policy refusing requests without a valid token. Empty for none.",
        type: "object",
        default: {},
        layers: service,
    },
    { key: "deniedSourceCidrs", description: "Source IP blocks (CIDR) refused by a DENY policy.", type: "string[]", default: [], layers: service },
    { key: "requiredHeaders", description: "Request headers (lower case) that must be present; a DENY policy refuses requests without them.", type: "string[]", default: [], layers: service },
    {
        key: "rateLimit",
        description: "Envoy local rate limit per pod (token bucket), a map {maxTokens, tokensPerFill, fillInterval}; empty for none.",
        type: "object",
        default: {},
        layers: service,
    },
    { key: "timeout", description: "Timeout of a request to the service (VirtualService), e.g. 15s.", type: "string", default: SERVICE_DEFAULTS.timeout, layers: service },
    { key: "retries", description: "Retry attempts of a failed request (VirtualService), 0 to 10.", type: "integer", default: SERVICE_DEFAULTS.retries, layers: service },
];

/** The validated config of a service stack. */
export interface ServiceConfig {
    readonly layer: "service";
    readonly stack: string;
    readonly env: string;
    /** The service: its namespace, service account and the owner-service of its resources. */
    readonly service: string;
    /** Pulumi organization used to name the StackReferences to the global and common stacks. */
    readonly organization: string;
    /** What the stack's config says about the service. */
    readonly settings: ServiceSettings;
    /** Whether the service's namespace is injected by the mesh's canary control plane. */
    readonly useCanaryMeshRevision: boolean;
}

type Fields = Record<string, unknown>;

/**
 * Reads the fields of one config map, recording problems under `key` (e.g. `allowedCallers[0]`):
 * unknown fields, missing required ones and fields of the wrong type, each with its full path.
 */
class MapReader {
    constructor(
        private readonly reader: ConfigReader,
        private readonly key: string,
        private readonly map: Fields,
        allowed: readonly string[],
    ) {
        for (const field of Object.keys(map)) {
            if (!allowed.includes(field)) {
                this.problem(field, map[field], `unknown field; allowed: ${allowed.join(", ")}`);
            }
        }
    }

    private problem(field: string, value: unknown, message: string): void {
        this.reader.problems.add(`${this.key}.${field}`, value, message);
    }

    string(field: string, required: boolean): string | undefined {
        const v = this.map[field];
        if (v === undefined) {
            if (required) {
                this.problem(field, undefined, "required");
            }
            return undefined;
        }
        if (typeof v !== "string") {
            this.problem(field, v, "expected a string");
            return undefined;
        }
        return v;
    }

    integer(field: string, required: boolean): number | undefined {
        const v = this.map[field];
        if (v === undefined) {
            if (required) {
                this.problem(field, undefined, "required");
            }
            return undefined;
        }
        if (!Number.isInteger(v)) {
            this.problem(field, v, "expected a whole number");
            return undefined;
        }
        return v as number;
    }

    strings(field: string): string[] | undefined {
        const v = this.map[field];
        if (v === undefined) {
            return undefined;
        }
        if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
            this.problem(field, v, "expected a list of strings");
            return undefined;
        }
        return v;
    }
}

function isEmpty(v: unknown): boolean {
    return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

/** Reads and checks the service layer's keys; problems are recorded in `reader.problems`. */
export function parseServiceConfig(reader: ConfigReader, env: string, serviceName: string): ServiceConfig {
    const versions: VersionSpec[] = ((reader.value("versions") ?? []) as Fields[]).map((raw, i) => {
        const m = new MapReader(reader, `versions[${i}]`, raw, ["name", "image", "weight", "replicas"]);
        const replicas = m.integer("replicas", false);
        return {
            name: m.string("name", true) ?? "",
            image: m.string("image", true) ?? "",
            weight: m.integer("weight", true) ?? 0,
            ...(replicas === undefined ? {} : { replicas }),
        };
    });
    const callers: CallerRule[] = ((reader.value("allowedCallers") ?? []) as Fields[]).map((raw, i) => {
        const m = new MapReader(reader, `allowedCallers[${i}]`, raw, ["service", "namespace", "methods", "paths"]);
        const rule: { service?: string; namespace?: string; methods?: HttpMethod[]; paths?: string[] } = {};
        const svc = m.string("service", false);
        const ns = m.string("namespace", false);
        const methods = m.strings("methods");
        const paths = m.strings("paths");
        if (svc !== undefined) rule.service = svc;
        if (ns !== undefined) rule.namespace = ns;
        if (methods !== undefined) rule.methods = methods as HttpMethod[];
        if (paths !== undefined) rule.paths = paths;
        return rule;
    });
    const externalHosts: ExternalHostSpec[] = ((reader.value("externalHosts") ?? []) as Fields[]).map((raw, i) => {
        const m = new MapReader(reader, `externalHosts[${i}]`, raw, ["host", "port", "protocol"]);
        const protocol = (m.string("protocol", false) ?? "HTTPS") as ExternalProtocol;
        return {
            host: m.string("host", true) ?? "",
            port: m.integer("port", false) ?? DEFAULT_EXTERNAL_PORTS[protocol] ?? 443,
            protocol,
        };
    });
    const rawResources = (reader.value("resources") ?? {}) as Fields;
    const r = new MapReader(reader, "resources", rawResources, Object.keys(SERVICE_DEFAULTS.resources));
    const resources: ResourcesSpec = {
        cpuRequest: r.string("cpuRequest", false) ?? SERVICE_DEFAULTS.resources.cpuRequest,
        memoryRequest: r.string("memoryRequest", false) ?? SERVICE_DEFAULTS.resources.memoryRequest,
        cpuLimit: r.string("cpuLimit", false) ?? SERVICE_DEFAULTS.resources.cpuLimit,
        memoryLimit: r.string("memoryLimit", false) ?? SERVICE_DEFAULTS.resources.memoryLimit,
        ephemeralStorageRequest: r.string("ephemeralStorageRequest", false) ?? SERVICE_DEFAULTS.resources.ephemeralStorageRequest,
        ephemeralStorageLimit: r.string("ephemeralStorageLimit", false) ?? SERVICE_DEFAULTS.resources.ephemeralStorageLimit,
    };
    const q = new MapReader(reader, "quota", (reader.value("quota") ?? {}) as Fields, Object.keys(SERVICE_DEFAULTS.quota));
    const quota: QuotaSpec = {
        requestsCpu: q.string("requestsCpu", false) ?? SERVICE_DEFAULTS.quota.requestsCpu,
        requestsMemory: q.string("requestsMemory", false) ?? SERVICE_DEFAULTS.quota.requestsMemory,
        limitsCpu: q.string("limitsCpu", false) ?? SERVICE_DEFAULTS.quota.limitsCpu,
        limitsMemory: q.string("limitsMemory", false) ?? SERVICE_DEFAULTS.quota.limitsMemory,
        pods: q.integer("pods", false) ?? SERVICE_DEFAULTS.quota.pods,
    };
    let autoscaling: AutoscalingSpec | undefined;
    const rawAutoscaling = reader.value("autoscaling");
    if (!isEmpty(rawAutoscaling)) {
        const a = new MapReader(reader, "autoscaling", rawAutoscaling as Fields, ["minReplicas", "maxReplicas", "targetCpuUtilization"]);
        autoscaling = {
            minReplicas: a.integer("minReplicas", true) ?? 1,
            maxReplicas: a.integer("maxReplicas", true) ?? 1,
            targetCpuUtilization: a.integer("targetCpuUtilization", true) ?? 1,
        };
    }
    let jwt: JwtSpec | undefined;
    const rawJwt = reader.value("jwt");
    if (!isEmpty(rawJwt)) {
        const j = new MapReader(reader, "jwt", rawJwt as Fields, ["issuer", "jwksUri", "audiences"]);
        const audiences = j.strings("audiences");
        jwt = { issuer: j.string("issuer", true) ?? "", jwksUri: j.string("jwksUri", true) ?? "", ...(audiences ? { audiences } : {}) };
    }
    let rateLimit: RateLimitSpec | undefined;
    const rawRateLimit = reader.value("rateLimit");
    if (!isEmpty(rawRateLimit)) {
        const l = new MapReader(reader, "rateLimit", rawRateLimit as Fields, ["maxTokens", "tokensPerFill", "fillInterval"]);
        rateLimit = {
            maxTokens: l.integer("maxTokens", true) ?? 1,
            tokensPerFill: l.integer("tokensPerFill", true) ?? 1,
            fillInterval: l.string("fillInterval", true) ?? "1s",
        };
    }
    const metricsPort = reader.value("metricsPort") as number;
    const publicHost = reader.string("publicHost");
    const settings: ServiceSettings = {
        versions,
        replicas: reader.value("replicas") as number,
        port: reader.value("port") as number,
        protocol: reader.string("protocol") as Protocol,
        ...(metricsPort === 0 ? {} : { metricsPort }),
        healthPath: reader.string("healthPath"),
        resources,
        quota,
        ...(autoscaling ? { autoscaling } : {}),
        allowedCallers: callers,
        exposed: reader.boolean("exposed"),
        ...(publicHost === "" ? {} : { publicHost }),
        ...(jwt ? { jwt } : {}),
        deniedSourceCidrs: reader.strings("deniedSourceCidrs"),
        requiredHeaders: reader.strings("requiredHeaders"),
        ...(rateLimit ? { rateLimit } : {}),
        timeout: reader.string("timeout"),
        retries: reader.value("retries") as number,
        externalHosts,
    };
    // Semantic checks shared with the Service component, under the same paths as the config keys.
    // A value whose shape was already reported (or a part of it, or the whole it is part of) is
    // not reported again: the follow-up would only repeat the first problem.
    const recorded = reader.problems.all.map((p) => p.key.slice(reader.problems.namespace.length + 1));
    const related = (a: string, b: string) => a === b || (a.startsWith(b) && /^[.[]/.test(a.slice(b.length)));
    for (const p of serviceProblems(settings)) {
        if (!recorded.some((key) => related(key, p.path) || related(p.path, key))) {
            reader.problems.add(p.path, p.value, p.message);
        }
    }
    return {
        layer: "service",
        stack: reader.stack,
        env,
        service: serviceName,
        organization: reader.string("organization", undefined, true),
        settings,
        useCanaryMeshRevision: reader.boolean("useCanaryMeshRevision"),
    };
}
