import { z } from "zod";
import { SERVICE_DEFAULTS } from "../../components/service/defaults";
import {
    checkCallerService,
    checkExternalHost,
    checkExternalProtocol,
    checkImage,
    checkMethod,
    checkPath,
    checkProtocol,
} from "../../components/service/checks";
import {
    DEFAULT_EXTERNAL_PORTS,
    EXTERNAL_PROTOCOLS,
    HTTP_METHODS,
    PROTOCOLS,
    ServiceSettings,
} from "../../components/service/types";
import { serviceProblems } from "../../components/service/validation";
import { checked, closedMap, configKey, emptyMeansNone, field, narrowed, wholeNumber } from "../schema/keys";
import { ConfigProblems } from "../schema/problems";
import { SHARED_SHAPE } from "../schema/shared";

const service = ["service"] as const;

/** A field with a default: unset keeps the service's default (SERVICE_DEFAULTS). */
const quantity = (fallback: string) => field.string().default(fallback);
const R = SERVICE_DEFAULTS.resources;

/** One entry of `allowedCallers`; the access graph reads the sibling stacks' entries with it too (infra/environment.ts). */
export const CALLER_RULE = closedMap({
    service: field.string().check(checked(checkCallerService)).optional(),
    namespace: field.string().optional(),
    methods: z.array(narrowed(HTTP_METHODS, checkMethod), { error: "expected a list of strings" }).optional(),
    paths: z
        .array(z.string({ error: "expected a string" }).check(checked(checkPath)), {
            error: "expected a list of strings",
        })
        .optional(),
});
const Q = SERVICE_DEFAULTS.quota;

/**
 * Keys of the service layer (stack `<env>-<service>`). The schemas check each value's shape and
 * the checks of single fields (components/service/checks.ts); the checks across fields and keys
 * (weights, quota against replicas, ...) are the Service component's own `serviceProblems`, run
 * over the parsed settings in parseServiceConfig.
 */
export const SERVICE_SHAPE = {
    versions: configKey(
        z.array(
            closedMap({
                name: field.string(),
                image: field.string().check(checked(checkImage)),
                weight: field.integer(),
                replicas: field.integer().optional(),
            }),
        ),
        [],
        {
            description:
                "The service's versions, a list of maps {name, image, weight, replicas?}: one Deployment and subset each; image pinned (a tag other than latest, or @sha256 digest); weights (percent of traffic) add up to 100.",
            layers: service,
            requiredIn: service,
        },
    ),
    replicas: configKey(wholeNumber(), SERVICE_DEFAULTS.replicas, {
        description:
            "Replicas of each version (unless autoscaling or the version sets its own), at least 1. A version's own replicas are refused with autoscaling.",
        layers: service,
    }),
    port: configKey(wholeNumber(), SERVICE_DEFAULTS.port, {
        description: "The container's port; the Service exposes it on port 80 under the protocol's name.",
        layers: service,
    }),
    protocol: configKey(narrowed(PROTOCOLS, checkProtocol), SERVICE_DEFAULTS.protocol, {
        description: `Application protocol, the Service port's name (Istio reads it): ${PROTOCOLS.join(", ")}.`,
        layers: service,
    }),
    metricsPort: configKey(wholeNumber(), 0, {
        description:
            "Port of the service's own Prometheus metrics (/metrics), merged by the sidecar into its scraped endpoint (Istio's metrics merging); 0 for none.",
        layers: service,
    }),
    healthPath: configKey(z.string(), SERVICE_DEFAULTS.healthPath, {
        description: "HTTP path of the liveness and readiness probes.",
        layers: service,
    }),
    resources: configKey(
        closedMap({
            cpuRequest: quantity(R.cpuRequest),
            memoryRequest: quantity(R.memoryRequest),
            cpuLimit: quantity(R.cpuLimit),
            memoryLimit: quantity(R.memoryLimit),
            ephemeralStorageRequest: quantity(R.ephemeralStorageRequest),
            ephemeralStorageLimit: quantity(R.ephemeralStorageLimit),
        }),
        {},
        {
            description:
                "Requests and limits of the container, a map {cpuRequest, memoryRequest, cpuLimit, memoryLimit, ephemeralStorageRequest, ephemeralStorageLimit} (Kubernetes quantities); unset fields keep their defaults.",
            layers: service,
        },
    ),
    quota: configKey(
        closedMap({
            requestsCpu: quantity(Q.requestsCpu),
            requestsMemory: quantity(Q.requestsMemory),
            limitsCpu: quantity(Q.limitsCpu),
            limitsMemory: quantity(Q.limitsMemory),
            pods: field.integer().default(Q.pods),
        }),
        {},
        {
            description:
                "The namespace's ResourceQuota, a map {requestsCpu, requestsMemory, limitsCpu, limitsMemory, pods}; it counts the Istio sidecars too, and must admit every version at its autoscalers' maximum (or its replicas) plus the pod a rollout adds. Unset fields keep their defaults.",
            layers: service,
        },
    ),
    autoscaling: configKey(
        emptyMeansNone({
            minReplicas: field.integer(),
            maxReplicas: field.integer(),
            targetCpuUtilization: field.integer(),
        }),
        {},
        {
            description:
                "A HorizontalPodAutoscaler per version, a map {minReplicas, maxReplicas, targetCpuUtilization}; empty for fixed replicas.",
            layers: service,
        },
    ),
    allowedCallers: configKey(z.array(CALLER_RULE), [], {
        description:
            "Who may call the service (everyone else is refused), a list of maps {service | namespace, methods?, paths?}: service is a service of the environment (its principal), namespace a whole namespace; methods e.g. [GET, POST]; paths exact or prefix*, starting with /.",
        layers: service,
    }),
    useCanaryMeshRevision: configKey(z.boolean(), false, {
        description:
            "Inject this service's pods from the common stack's canary control plane (meshCanaryRevision) instead of the main one.",
        layers: service,
    }),
    externalHosts: configKey(
        z.array(
            closedMap({
                host: field.string().check(checked(checkExternalHost)),
                port: field.integer().optional(),
                protocol: narrowed(EXTERNAL_PROTOCOLS, checkExternalProtocol).default("HTTPS"),
            }).transform((h) => ({
                host: h.host,
                port: h.port ?? DEFAULT_EXTERNAL_PORTS[h.protocol],
                protocol: h.protocol,
            })),
        ),
        [],
        {
            description: `External hosts the service may reach (closed egress: the mesh refuses every other), a list of maps {host, port?, protocol?}: host a fully qualified name (no wildcard, no IP), protocol one of ${EXTERNAL_PROTOCOLS.join(", ")} (default HTTPS), port 1 to 65535 (default 443, 80 for HTTP). Each becomes a ServiceEntry of the service's namespace and an entry of its Sidecar's egress.`,
            layers: service,
        },
    ),
    exposed: configKey(z.boolean(), false, {
        description: "Expose the service through the environment's ingress gateway (its principal is then allowed).",
        layers: service,
    }),
    publicHost: configKey(z.string(), "", {
        description: "Host name of an exposed service; empty for <service>.<the environment's private zone>.",
        layers: service,
    }),
    jwt: configKey(
        emptyMeansNone({ issuer: field.string(), jwksUri: field.string(), audiences: field.strings().optional() }),
        {},
        {
            description:
                "End-user JWT validation, a map {issuer, jwksUri, audiences?}: a RequestAuthentication plus a policy refusing requests without a valid token. Empty for none.",
            layers: service,
        },
    ),
    deniedSourceCidrs: configKey(z.array(z.string()), [], {
        description: "Source IP blocks (CIDR) refused by a DENY policy.",
        layers: service,
    }),
    requiredHeaders: configKey(z.array(z.string()), [], {
        description: "Request headers (lower case) that must be present; a DENY policy refuses requests without them.",
        layers: service,
    }),
    rateLimit: configKey(
        emptyMeansNone({ maxTokens: field.integer(), tokensPerFill: field.integer(), fillInterval: field.string() }),
        {},
        {
            description:
                "Envoy local rate limit per pod (token bucket), a map {maxTokens, tokensPerFill, fillInterval}; empty for none.",
            layers: service,
        },
    ),
    timeout: configKey(z.string(), SERVICE_DEFAULTS.timeout, {
        description: "Timeout of a request to the service (VirtualService), e.g. 15s.",
        layers: service,
    }),
    retries: configKey(wholeNumber(), SERVICE_DEFAULTS.retries, {
        description: "Retry attempts of a failed request (VirtualService), 0 to 10.",
        layers: service,
    }),
};

/** Every key a service stack reads: the shared organization, then its own. */
export const SERVICE_LAYER_SHAPE = { organization: SHARED_SHAPE.organization, ...SERVICE_SHAPE };

/** The parsed values of a service stack's keys. */
export type ServiceValues = z.output<z.ZodObject<typeof SERVICE_LAYER_SHAPE>>;

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

/**
 * The service stack's config from its parsed keys; the Service component's own checks
 * (`serviceProblems`) run over the settings, under the same paths as the config keys. A value
 * whose shape was already reported (or a part of it, or the whole it is part of) is not reported
 * again: the follow-up would only repeat the first problem.
 */
export function parseServiceConfig(
    v: ServiceValues,
    stack: string,
    env: string,
    serviceName: string,
    problems: ConfigProblems,
): ServiceConfig {
    const settings: ServiceSettings = {
        versions: v.versions,
        replicas: v.replicas,
        port: v.port,
        protocol: v.protocol,
        ...(v.metricsPort === 0 ? {} : { metricsPort: v.metricsPort }),
        healthPath: v.healthPath,
        resources: v.resources,
        quota: v.quota,
        ...(v.autoscaling ? { autoscaling: v.autoscaling } : {}),
        allowedCallers: v.allowedCallers,
        exposed: v.exposed,
        ...(v.publicHost === "" ? {} : { publicHost: v.publicHost }),
        ...(v.jwt ? { jwt: v.jwt } : {}),
        deniedSourceCidrs: v.deniedSourceCidrs,
        requiredHeaders: v.requiredHeaders,
        ...(v.rateLimit ? { rateLimit: v.rateLimit } : {}),
        timeout: v.timeout,
        retries: v.retries,
        externalHosts: v.externalHosts,
    };
    const recorded = problems.all.map((p) => p.path.slice(problems.prefix.length));
    const related = (a: string, b: string) => a === b || (a.startsWith(b) && /^[.[]/.test(a.slice(b.length)));
    for (const p of serviceProblems(settings)) {
        if (!recorded.some((key) => related(key, p.path) || related(p.path, key))) {
            problems.add(p.path, p.value, p.message);
        }
    }
    return {
        layer: "service",
        stack,
        env,
        service: serviceName,
        organization: v.organization,
        settings,
        useCanaryMeshRevision: v.useCanaryMeshRevision,
    };
}
