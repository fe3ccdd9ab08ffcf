import { z } from "zod";
import {
    checked,
    closedMap,
    configKey,
    configSlice,
    emptyMeansNone,
    field,
    narrowed,
    validatedOnce,
    wholeNumber,
} from "../config";
import {
    checkCallerService,
    checkExternalHost,
    checkExternalProtocol,
    checkImage,
    checkMethod,
    checkPath,
    checkProtocol,
} from "./checks";
import { SERVICE_DEFAULTS } from "./defaults";
import { DEFAULT_EXTERNAL_PORTS, EXTERNAL_PROTOCOLS, HTTP_METHODS, PROTOCOLS, ServiceSettings } from "./types";
import { serviceProblems } from "./validation";

/** A field with a default: unset keeps the service's default (SERVICE_DEFAULTS). */
const quantity = (fallback: string) => field.string().default(fallback);
const R = SERVICE_DEFAULTS.resources;

/** One entry of `allowedCallers`; the access graph reads the sibling stacks' entries with it too (the program's access graph, infra/environment.ts). */
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
 * The Service's config slice: the keys of a service stack (`<env>-<service>`) that describe the
 * service. Each key's schema checks its value's shape and the checks of its single fields
 * (./checks.ts); the Service's own validation (`serviceProblems`, ./validation.ts) then runs once
 * over the settings, without the checks the schemas ran (`checkedBySchema`).
 */
export const SERVICE_CONFIG = configSlice(
    {
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
                mandatory: true,
            },
        ),
        replicas: configKey(wholeNumber(), SERVICE_DEFAULTS.replicas, {
            description:
                "Replicas of each version (unless autoscaling or the version sets its own), at least 1. A version's own replicas are refused with autoscaling.",
        }),
        port: configKey(wholeNumber(), SERVICE_DEFAULTS.port, {
            description: "The container's port; the Service exposes it on port 80 under the protocol's name.",
        }),
        protocol: configKey(narrowed(PROTOCOLS, checkProtocol), SERVICE_DEFAULTS.protocol, {
            description: `Application protocol, the Service port's name (Istio reads it): ${PROTOCOLS.join(", ")}.`,
        }),
        metricsPort: configKey(wholeNumber(), 0, {
            description:
                "Port of the service's own Prometheus metrics (/metrics), merged by the sidecar into its scraped endpoint (Istio's metrics merging); 0 for none.",
        }),
        healthPath: configKey(z.string(), SERVICE_DEFAULTS.healthPath, {
            description: "HTTP path of the liveness and readiness probes.",
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
                    "Requests and limits of the container, a map {cpuRequest, memoryRequest, cpuLimit, memoryLimit, ephemeralStorageRequest, ephemeralStorageLimit} (Kubernetes quantities), each request at most its limit; unset fields keep their defaults.",
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
            },
        ),
        allowedCallers: configKey(z.array(CALLER_RULE), [], {
            description:
                "Who may call the service (everyone else is refused), a list of maps {service | namespace, methods?, paths?}: service is another service of the environment (its principal), namespace another whole namespace; methods e.g. [GET, POST]; paths exact or prefix*, starting with /; leave methods or paths out to admit any (an empty list is refused); each rule once.",
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
            },
        ),
        exposed: configKey(z.boolean(), false, {
            description:
                "Expose the service through the environment's ingress gateway (its principal is then allowed).",
        }),
        publicHost: configKey(z.string(), "", {
            description: "Host name of an exposed service; empty for <service>.<the environment's private zone>.",
        }),
        jwt: configKey(
            emptyMeansNone({ issuer: field.string(), jwksUri: field.string(), audiences: field.strings().optional() }),
            {},
            {
                description:
                    "End-user JWT validation, a map {issuer, jwksUri, audiences?}: issuer and jwksUri https URLs; audiences left out for any (an empty list is refused). A RequestAuthentication plus a policy refusing requests without a valid token. Empty for none.",
            },
        ),
        deniedSourceCidrs: configKey(z.array(z.string()), [], {
            description: "Source IP blocks (CIDR) refused by a DENY policy.",
        }),
        requiredHeaders: configKey(z.array(z.string()), [], {
            description:
                "Request headers (lower case) that must be present; a DENY policy refuses requests without them.",
        }),
        rateLimit: configKey(
            emptyMeansNone({
                maxTokens: field.integer(),
                tokensPerFill: field.integer(),
                fillInterval: field.string(),
            }),
            {},
            {
                description:
                    "Envoy local rate limit per pod (token bucket), a map {maxTokens, tokensPerFill, fillInterval}, tokensPerFill at most maxTokens; empty for none.",
            },
        ),
        timeout: configKey(z.string(), SERVICE_DEFAULTS.timeout, {
            description: "Timeout of a request to the service (VirtualService), e.g. 15s.",
        }),
        retries: configKey(wholeNumber(), SERVICE_DEFAULTS.retries, {
            description: "Retry attempts of a failed request (VirtualService), 0 to 10.",
        }),
    },
    (v, { problems, refused }, { service }: { readonly service: string }): ServiceSettings => {
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
        // A key its schema refused holds its default: what the checks would say of it only repeats that.
        // The quota waits for the data plane (the common stack's output): the layer checks it then.
        for (const p of serviceProblems(settings, { checkedBySchema: true, service, quotaLater: true })) {
            if (!refused.has(keyOf(p.path))) {
                problems.add(p.path, p.value, p.message);
            }
        }
        return validatedOnce(settings);
    },
);

/** The config key a property path is under: `versions` for `versions[0].image`. */
function keyOf(path: string): string {
    return /^[^.[]*/.exec(path)?.[0] ?? path;
}
