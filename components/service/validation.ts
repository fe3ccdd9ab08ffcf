/**
 * The validation of a service's description: every problem, each with its property path
 * (`versions[0].image`, `allowedCallers[1].paths[0]`), value and fix. The Service component calls
 * `serviceProblems` on its settings; its config slice (./config.ts) calls it once over the parsed
 * config, without the checks its keys' schemas ran already (`checkedBySchema`), so a bad value gets
 * the same message from either, and is checked once.
 */
import { DNS1123_LABEL } from "../conventions/naming";
import { Problem } from "../problems";
import {
    DNS_LABEL_RULE,
    DURATION,
    HEADER,
    HOST,
    QUANTITY,
    checkCallerService,
    checkExternalHost,
    checkExternalProtocol,
    checkImage,
    checkIpBlock,
    checkMethod,
    checkPath,
    checkProtocol,
} from "./checks";
import { DataPlane, DataPlaneMode, dataPlaneOf } from "../mesh/dataplane";
import { quotaProblems } from "./quota";
import { parseQuantity } from "./quantity";
import { CallerRule, ResourcesSpec, ServiceSettings } from "./types";

/** How `serviceProblems` runs. */
export interface ServiceCheckOptions {
    /**
     * Leave out the checks of single values that the config slice's schemas run (pinned images,
     * protocols, callers' services, methods and paths, external hosts): the config has run them
     * already, and a value they refused never gets here.
     */
    readonly checkedBySchema?: boolean;
    /** The data plane the service joins: what each pod runs beside its containers counts in its quota. @default the default one */
    readonly dataPlane?: DataPlane;
    /**
     * Leave out the quota check: the data plane is not known yet (a service stack's config, read
     * before the common stack's outputs), and its caller runs `dataPlaneProblems` once it is.
     */
    readonly quotaLater?: boolean;
    /** The service's own name (also its namespace): a caller naming it is refused. @default not checked */
    readonly service?: string;
}

/** Collects the problems of one check: `add` a check's message (undefined: none), `whole` a number's range. */
class Checks {
    readonly problems: Problem[] = [];

    constructor(private readonly options: ServiceCheckOptions) {}

    add(path: string, value: unknown, message: string | undefined): void {
        if (message !== undefined) {
            this.problems.push({ path, value, message });
        }
    }

    /** A check the config's schemas run too (left out with `checkedBySchema`). */
    single(path: string, value: unknown, check: () => string | undefined): void {
        if (!this.options.checkedBySchema) {
            this.add(path, value, check());
        }
    }

    whole(path: string, value: number, min: number, max: number): void {
        const inRange = Number.isInteger(value) && value >= min && value <= max;
        this.add(path, value, inRange ? undefined : `out of range; allowed: a whole number from ${min} to ${max}`);
    }
}

/**
 * Every problem of a service's settings, each with its property path, value and fix. Checks what
 * the types cannot: pinned images, replicas from 1, weights adding up to 100, paths from `/`,
 * known methods, callers naming exactly one of service or namespace, and well-formed durations.
 */
export function serviceProblems(s: ServiceSettings, options: ServiceCheckOptions = {}): Problem[] {
    const checks = new Checks(options);
    workloadProblems(s, checks);
    versionProblems(s, checks);
    resourceProblems(s, checks);
    if (!options.quotaLater) {
        checks.problems.push(...quotaProblems(s, (options.dataPlane ?? dataPlaneOf()).podOverhead));
    }
    egressProblems(s, checks);
    callerProblems(s, checks, options.service);
    requestProblems(s, checks);
    return checks.problems;
}

/**
 * What the data plane the service joins says of its settings: the keys it cannot honour
 * (`DataPlane.settingsProblems`) and the quota, each pod counting what the data plane runs beside
 * its container.
 */
export function dataPlaneProblems(s: ServiceSettings, plane: DataPlane): Problem[] {
    return [...plane.settingsProblems(s), ...quotaProblems(s, plane.podOverhead)];
}

/** `dataPlaneProblems` for the data plane of that name (a namespace joining `mode`). */
export function dataPlaneModeProblems(s: ServiceSettings, mode: DataPlaneMode): Problem[] {
    return dataPlaneProblems(s, dataPlaneOf(mode));
}

/** The replicas, ports, retries, protocol, health path and timeout. */
function workloadProblems(s: ServiceSettings, checks: Checks): void {
    checks.whole("replicas", s.replicas, 1, 100);
    checks.whole("port", s.port, 1, 65535);
    if (s.metricsPort !== undefined) {
        checks.whole("metricsPort", s.metricsPort, 1, 65535);
        checks.add(
            "metricsPort",
            s.metricsPort,
            s.metricsPort === s.port
                ? "must differ from port (the metrics are merged into the sidecar's endpoint, not served on the service port)"
                : undefined,
        );
    }
    checks.whole("retries", s.retries, 0, 10);
    checks.single("protocol", s.protocol, () => checkProtocol(s.protocol));
    checks.add(
        "healthPath",
        s.healthPath,
        s.healthPath.startsWith("/") ? undefined : "a path must start with '/', e.g. /healthz",
    );
    checks.add(
        "timeout",
        s.timeout,
        DURATION.test(s.timeout) ? undefined : "not a duration; allowed: a whole number with ms, s, m or h, e.g. 15s",
    );
}

/** The versions: at least one, each named once and pinned, its replicas, and weights adding up to 100. */
function versionProblems(s: ServiceSettings, checks: Checks): void {
    if (s.versions.length === 0) {
        checks.add(
            "versions",
            [],
            "at least one version is required, e.g. [{name: v1, image: registry.example.com/app:1.0.0, weight: 100}]",
        );
    }
    const seen = new Set<string>();
    s.versions.forEach((v, i) => {
        const at = `versions[${i}]`;
        checks.add(
            `${at}.name`,
            v.name,
            DNS1123_LABEL.test(v.name) && v.name.length <= 20
                ? undefined
                : "not a version name; allowed: lower-case letters, digits and '-', at most 20 characters, e.g. v1",
        );
        const duplicate = seen.has(v.name) ? "duplicate version name; each version needs its own" : undefined;
        checks.add(`${at}.name`, v.name, duplicate);
        seen.add(v.name);
        checks.single(`${at}.image`, v.image, () => checkImage(v.image));
        checks.whole(`${at}.weight`, v.weight, 0, 100);
        if (v.replicas !== undefined) {
            checks.whole(`${at}.replicas`, v.replicas, 1, 100);
            if (s.autoscaling) {
                checks.add(
                    `${at}.replicas`,
                    v.replicas,
                    `ignored while autoscaling is on (its HorizontalPodAutoscaler sets ${v.name}'s replicas, from autoscaling.minReplicas ${s.autoscaling.minReplicas} to maxReplicas ${s.autoscaling.maxReplicas}); remove it, or remove autoscaling for fixed replicas`,
                );
            }
        }
    });
    const total = s.versions.reduce((sum, v) => sum + v.weight, 0);
    if (s.versions.length > 0 && total !== 100) {
        checks.add(
            "versions",
            s.versions.map((v) => `${v.name}=${v.weight}`).join(", "),
            `the weights add up to ${total}; they must add up to 100`,
        );
    }
}

/** The container's resources, the quota's quantities and pods, and the autoscaler's bounds. */
function resourceProblems(s: ServiceSettings, checks: Checks): void {
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
        const notQuantity = `not a Kubernetes quantity, e.g. ${example}`;
        checks.add(`resources.${field}`, value, QUANTITY.test(value) ? undefined : notQuantity);
    }
    for (const [request, limit] of [
        ["cpuRequest", "cpuLimit"],
        ["memoryRequest", "memoryLimit"],
        ["ephemeralStorageRequest", "ephemeralStorageLimit"],
    ] as const) {
        const [asked, most] = [parseQuantity(s.resources[request]), parseQuantity(s.resources[limit])];
        checks.add(
            `resources.${request}`,
            s.resources[request],
            asked !== undefined && most !== undefined && asked > most
                ? `more than ${limit} (${s.resources[limit]}): Kubernetes refuses a container that requests more than its limit; allowed: at most ${s.resources[limit]}, or raise ${limit}`
                : undefined,
        );
    }
    for (const key of ["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory"] as const) {
        const notQuantity = "not a Kubernetes quantity, e.g. 4 or 8Gi";
        checks.add(`quota.${key}`, s.quota[key], QUANTITY.test(s.quota[key]) ? undefined : notQuantity);
    }
    checks.whole("quota.pods", s.quota.pods, 1, 1000);
    if (s.autoscaling) {
        checks.whole("autoscaling.minReplicas", s.autoscaling.minReplicas, 1, 100);
        checks.whole("autoscaling.maxReplicas", s.autoscaling.maxReplicas, 1, 1000);
        checks.whole("autoscaling.targetCpuUtilization", s.autoscaling.targetCpuUtilization, 1, 100);
        checks.add(
            "autoscaling.maxReplicas",
            s.autoscaling.maxReplicas,
            s.autoscaling.maxReplicas < s.autoscaling.minReplicas
                ? `must be at least minReplicas (${s.autoscaling.minReplicas})`
                : undefined,
        );
    }
}

/** The external hosts: each a host name on a port and protocol, listed once. */
function egressProblems(s: ServiceSettings, checks: Checks): void {
    const seenHosts = new Set<string>();
    (s.externalHosts ?? []).forEach((h, i) => {
        const at = `externalHosts[${i}]`;
        checks.single(`${at}.host`, h.host, () => checkExternalHost(h.host));
        checks.whole(`${at}.port`, h.port, 1, 65535);
        checks.single(`${at}.protocol`, h.protocol, () => checkExternalProtocol(h.protocol));
        const key = `${h.host}:${h.port}`;
        checks.add(at, key, seenHosts.has(key) ? "listed twice; each host and port once" : undefined);
        seenHosts.add(key);
    });
}

/** What a caller rule admits, for finding the same rule twice: its source, its methods and paths in order. */
function ruleKey(c: CallerRule): string {
    const sorted = (list?: readonly string[]) => (list === undefined ? undefined : [...list].sort());
    return JSON.stringify([c.service, c.namespace, sorted(c.methods), sorted(c.paths)]);
}

/**
 * The allowed callers: each a service or a namespace, not the service itself, each rule once, with
 * known methods and paths from `/`; an empty list of methods or paths would admit any.
 */
function callerProblems(s: ServiceSettings, checks: Checks, self: string | undefined): void {
    const seen = new Map<string, number>();
    s.allowedCallers.forEach((c, i) => {
        const at = `allowedCallers[${i}]`;
        if ((c.service === undefined) === (c.namespace === undefined)) {
            checks.add(at, c, "name exactly one of service (a service of the environment) or namespace");
        }
        const service = c.service;
        if (service !== undefined) {
            checks.single(`${at}.service`, service, () => checkCallerService(service));
            checks.add(
                `${at}.service`,
                service,
                service === self
                    ? "the service itself: a rule for its own pods is not offered (the access graph has no edge from a service to itself); allowed: another service of the environment"
                    : undefined,
            );
        }
        if (c.namespace !== undefined) {
            checks.add(
                `${at}.namespace`,
                c.namespace,
                DNS1123_LABEL.test(c.namespace) && c.namespace.length <= 63
                    ? undefined
                    : `not a namespace; allowed: ${DNS_LABEL_RULE}`,
            );
            checks.add(
                `${at}.namespace`,
                c.namespace,
                c.namespace === self
                    ? "the service's own namespace: a rule for its own pods is not offered; allowed: another namespace"
                    : undefined,
            );
        }
        const example = { methods: "e.g. [GET, POST]", paths: "e.g. [/api/*]" };
        for (const list of ["methods", "paths"] as const) {
            checks.add(
                `${at}.${list}`,
                c[list],
                c[list]?.length === 0
                    ? `an empty list would admit any ${list === "methods" ? "method" : "path"}; allowed: at least one, ${example[list]}, or leave ${list} out to admit any`
                    : undefined,
            );
        }
        (c.methods ?? []).forEach((m, j) => checks.single(`${at}.methods[${j}]`, m, () => checkMethod(m)));
        (c.paths ?? []).forEach((p, j) => checks.single(`${at}.paths[${j}]`, p, () => checkPath(p)));
        const key = ruleKey(c);
        const first = seen.get(key);
        checks.add(
            at,
            c,
            first === undefined ? undefined : `the same rule as allowedCallers[${first}]; list each rule once`,
        );
        if (first === undefined) {
            seen.set(key, i);
        }
    });
}

/** The public host, JWT, denied sources, required headers and rate limit. */
function requestProblems(s: ServiceSettings, checks: Checks): void {
    if (s.publicHost !== undefined) {
        checks.add(
            "publicHost",
            s.publicHost,
            HOST.test(s.publicHost) ? undefined : "not a DNS host name; allowed: e.g. shop.example.com",
        );
        checks.add("publicHost", s.publicHost, s.exposed ? undefined : "set only when exposed is true");
    }
    if (s.jwt) {
        checks.add("jwt.issuer", s.jwt.issuer, issuerProblem(s.jwt.issuer));
        checks.add(
            "jwt.jwksUri",
            s.jwt.jwksUri,
            /^https:\/\/[^\s]+$/.test(s.jwt.jwksUri)
                ? undefined
                : "not an https URL; allowed: e.g. https://auth.example.com/.well-known/jwks.json",
        );
        checks.add(
            "jwt.audiences",
            s.jwt.audiences,
            s.jwt.audiences?.length === 0
                ? "an empty list would accept a token of any audience; allowed: at least one, e.g. [shop], or leave audiences out to accept any"
                : undefined,
        );
    }
    s.deniedSourceCidrs.forEach((c, i) => checks.add(`deniedSourceCidrs[${i}]`, c, checkIpBlock(c)));
    s.requiredHeaders.forEach((h, i) =>
        checks.add(
            `requiredHeaders[${i}]`,
            h,
            HEADER.test(h)
                ? undefined
                : "not a header name; allowed: lower-case letters, digits, '-' and '_', e.g. x-request-id",
        ),
    );
    if (s.rateLimit) {
        checks.whole("rateLimit.maxTokens", s.rateLimit.maxTokens, 1, 1_000_000);
        checks.whole("rateLimit.tokensPerFill", s.rateLimit.tokensPerFill, 1, 1_000_000);
        checks.add(
            "rateLimit.fillInterval",
            s.rateLimit.fillInterval,
            DURATION.test(s.rateLimit.fillInterval) ? undefined : "not a duration; allowed: e.g. 1s or 60s",
        );
        const { maxTokens, tokensPerFill } = s.rateLimit;
        checks.add(
            "rateLimit.tokensPerFill",
            tokensPerFill,
            maxTokens >= 1 && tokensPerFill > maxTokens
                ? `more than maxTokens (${maxTokens}): the bucket holds at most maxTokens, so a fill could not add them all; allowed: 1 to ${maxTokens}, or raise maxTokens`
                : undefined,
        );
    }
}

/** Why `issuer` cannot be a JWT issuer (the iss claim of accepted tokens), or undefined: an https URL with a host. */
function issuerProblem(issuer: string): string | undefined {
    const allowed = "allowed: the iss claim of accepted tokens, an https URL, e.g. https://auth.example.com/";
    if (issuer === "") {
        return `required; ${allowed}`;
    }
    let url: URL | undefined;
    try {
        url = new URL(issuer);
    } catch {
        url = undefined;
    }
    return url?.protocol === "https:" && url.hostname !== "" && !/\s/.test(issuer)
        ? undefined
        : `not an https URL; ${allowed}`;
}
