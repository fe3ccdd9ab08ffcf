/**
 * The validation of a service's description: every problem, each with its property path
 * (`versions[0].image`, `allowedCallers[1].paths[0]`), value and fix. The config parser
 * (layers/service/config.ts) and the Service component both call `serviceProblems`, so a bad value
 * gets the same message from either.
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
import { quotaProblems } from "./quota";
import { ResourcesSpec, ServiceSettings } from "./types";

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
