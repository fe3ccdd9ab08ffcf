import * as assert from "assert";
import { ServiceConfig, isConfigError, parseConfig } from "../../../layers/config";
import { SERVICE_DEFAULTS } from "../../../components/service";
import type * as Slice from "../../../components/config/slice";
import { platformConfig } from "../../helpers/config";
import { checkServiceDataPlane } from "../../../layers/service/deploy";

/**
 * The mark the layer's config leaves on settings it checked, as the layers see it: the package's
 * built module (the layers import the package by its name), not its TypeScript source.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal of the built package, by its file
const { isValidated } = require("../../../components/bin/config/slice") as typeof Slice;

const VERSIONS = [{ name: "v1", image: "registry.example.com/a:1.0.0", weight: 100 }];

/** Parses a dev-backend config given as short keys (values JSON-encoded as the engine passes them). */
function parse(values: Record<string, unknown>): ServiceConfig {
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(platformConfig({ layer: "service", ...values }))) {
        raw[k.slice("platform:".length)] = v;
    }
    return parseConfig("dev-backend", raw) as ServiceConfig;
}

/**
 * The problems of a bad config, one line each: its keys', then (when they pass) its data plane's,
 * the quota counting the sidecars, as the layer checks it once the common stack says which runs.
 */
function problems(values: Record<string, unknown>): string[] {
    try {
        checkServiceDataPlane(parse(values), "sidecar");
    } catch (err) {
        assert.ok(isConfigError(err));
        return err.problems.map(
            (p) => `${p.path} = ${p.value === undefined ? "(not set)" : JSON.stringify(p.value)}: ${p.message}`,
        );
    }
    return [];
}

describe("service config (layers/service/config.ts)", () => {
    it("applies the defaults: 3 replicas, port 8080, http, no autoscaling, JWT, rate limit or metrics; nobody allowed", () => {
        const config = parse({ versions: VERSIONS });
        assert.strictEqual(config.service, "backend");
        assert.deepStrictEqual(config.settings, {
            versions: VERSIONS,
            replicas: 3,
            port: 8080,
            protocol: "http",
            healthPath: "/healthz",
            resources: SERVICE_DEFAULTS.resources,
            quota: SERVICE_DEFAULTS.quota,
            allowedCallers: [],
            exposed: false,
            deniedSourceCidrs: [],
            requiredHeaders: [],
            timeout: "15s",
            retries: 2,
            externalHosts: [],
        });
    });

    it("hands the Service its settings checked and frozen, so the component does not check them again", () => {
        const config = parse({ versions: VERSIONS });
        assert.ok(isValidated(config.settings));
        assert.ok(Object.isFrozen(config.settings) && Object.isFrozen(config.settings.versions));
    });

    it("reads external hosts with HTTPS on 443 by default (80 for HTTP), and names bad fields by their full path", () => {
        const config = parse({
            versions: VERSIONS,
            externalHosts: [
                { host: "api.stripe.com" },
                { host: "hooks.example.com", protocol: "HTTP" },
                { host: "mq.example.com", port: 5671, protocol: "TLS" },
            ],
        });
        assert.deepStrictEqual(config.settings.externalHosts, [
            { host: "api.stripe.com", port: 443, protocol: "HTTPS" },
            { host: "hooks.example.com", port: 80, protocol: "HTTP" },
            { host: "mq.example.com", port: 5671, protocol: "TLS" },
        ]);
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                externalHosts: [
                    { hostname: "api.stripe.com" },
                    { host: "*.example.com", port: "443" },
                    { host: "db.example.com", port: 5432, protocol: "TCP" },
                ],
            }),
            [
                'platform:externalHosts[0].hostname = "api.stripe.com": unknown field; allowed: host, port, protocol',
                "platform:externalHosts[0].host = (not set): required",
                'platform:externalHosts[1].port = "443": expected a whole number',
                'platform:externalHosts[1].host = "*.example.com": a wildcard would open every subdomain and cannot be resolved by DNS; list each host, allowed: a fully qualified host name in lower case, e.g. api.stripe.com',
                'platform:externalHosts[2].protocol = "TCP": allowed: HTTPS, TLS, HTTP (upper case; TCP is not offered: without addresses a TCP ServiceEntry matches every host on its port)',
            ],
        );
    });

    it("reads the maps field by field, keeping defaults for unset fields", () => {
        const config = parse({
            versions: [
                { name: "v1", image: "a:1", weight: 90 },
                { name: "v2", image: "a:2", weight: 10 },
            ],
            allowedCallers: [{ service: "frontend", methods: ["GET"], paths: ["/api/*"] }, { namespace: "payment" }],
            resources: { cpuRequest: "200m" },
            quota: { pods: 50, limitsCpu: "14", requestsCpu: "4200m" },
            autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 60 },
            jwt: { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" },
            rateLimit: { maxTokens: 10, tokensPerFill: 5, fillInterval: "1s" },
            metricsPort: 9090,
            exposed: true,
            publicHost: "api.example.com",
        });
        const s = config.settings;
        assert.deepStrictEqual(s.versions[1], { name: "v2", image: "a:2", weight: 10 });
        assert.deepStrictEqual(s.allowedCallers, [
            { service: "frontend", methods: ["GET"], paths: ["/api/*"] },
            { namespace: "payment" },
        ]);
        assert.deepStrictEqual(s.resources, { ...SERVICE_DEFAULTS.resources, cpuRequest: "200m" });
        assert.deepStrictEqual(s.quota, { ...SERVICE_DEFAULTS.quota, pods: 50, limitsCpu: "14", requestsCpu: "4200m" });
        assert.deepStrictEqual(s.autoscaling, { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 60 });
        assert.deepStrictEqual(s.jwt, {
            issuer: "https://auth.example.com/",
            jwksUri: "https://auth.example.com/jwks.json",
        });
        assert.deepStrictEqual(s.rateLimit, { maxTokens: 10, tokensPerFill: 5, fillInterval: "1s" });
        assert.strictEqual(s.metricsPort, 9090);
        assert.strictEqual(s.publicHost, "api.example.com");
    });

    it("leaves the quota to the data plane: a config whose quota fits no sidecar parses", () => {
        const small = { versions: VERSIONS, quota: { requestsCpu: "400m" } };
        assert.strictEqual(parse(small).settings.quota.requestsCpu, "400m");
        assert.strictEqual(problems(small).length, 1);
    });

    it("refuses a quota too small for the autoscalers' maximum during a rollout, sidecars included, with the numbers and the fix", () => {
        const twoVersions = [
            { name: "v1", image: "a:1", weight: 90 },
            { name: "v2", image: "a:2", weight: 10 },
        ];
        // Each version: 10 pods at its maximum, plus the one a rollout adds (maxSurge 1, maxUnavailable 0).
        assert.deepStrictEqual(
            problems({
                versions: twoVersions,
                autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 },
            }),
            [
                "platform:quota.requestsCpu = \"4\": the service needs 4400m CPU at its autoscalers' maximum during a rollout: 22 pods (v1 11, v2 11) × (resources.cpuRequest 100m + the sidecar's 100m); raise it to at least 4400m, or lower autoscaling.maxReplicas or resources.cpuRequest",
                "platform:quota.limitsCpu = \"8\": the service needs 22 CPU at its autoscalers' maximum during a rollout: 22 pods (v1 11, v2 11) × (resources.cpuLimit 500m + the sidecar's 500m); raise it to at least 22, or lower autoscaling.maxReplicas or resources.cpuLimit",
            ],
        );
        assert.deepStrictEqual(
            problems({
                versions: twoVersions,
                autoscaling: { minReplicas: 3, maxReplicas: 20, targetCpuUtilization: 70 },
                resources: { memoryRequest: "200Mi", cpuRequest: "150m" },
                quota: { limitsCpu: "42", limitsMemory: "21Gi" },
            }),
            [
                "platform:quota.pods = 30: the service needs 42 pods (v1 21, v2 21) at its autoscalers' maximum during a rollout; raise it to at least 42, or lower autoscaling.maxReplicas",
                "platform:quota.requestsCpu = \"4\": the service needs 10500m CPU at its autoscalers' maximum during a rollout: 42 pods (v1 21, v2 21) × (resources.cpuRequest 150m + the sidecar's 100m); raise it to at least 10500m, or lower autoscaling.maxReplicas or resources.cpuRequest",
                "platform:quota.requestsMemory = \"8Gi\": the service needs 13776Mi of memory at its autoscalers' maximum during a rollout: 42 pods (v1 21, v2 21) × (resources.memoryRequest 200Mi + the sidecar's 128Mi); raise it to at least 13776Mi, or lower autoscaling.maxReplicas or resources.memoryRequest",
            ],
        );
    });

    it("counts fixed replicas (a version's own first) when there is no autoscaler; an exact fit passes", () => {
        const versions = [
            { name: "v1", image: "a:1", weight: 90, replicas: 7 },
            { name: "v2", image: "a:2", weight: 10 },
        ];
        assert.deepStrictEqual(problems({ versions, replicas: 1, resources: { cpuLimit: "1500m" } }), [
            'platform:quota.limitsCpu = "8": the service needs 20 CPU at its replicas during a rollout: 10 pods (v1 8, v2 2) × (resources.cpuLimit 1500m + the sidecar\'s 500m); raise it to at least 20, or lower the replicas or resources.cpuLimit',
        ]);
        assert.deepStrictEqual(
            problems({ versions, replicas: 1, resources: { cpuLimit: "1500m" }, quota: { limitsCpu: "20" } }),
            [],
        );
    });

    it("refuses a version's replicas while autoscaling is on, naming the autoscaler's bounds", () => {
        assert.deepStrictEqual(
            problems({
                versions: [
                    { name: "v1", image: "a:1", weight: 90 },
                    { name: "v2", image: "a:2", weight: 10, replicas: 1 },
                ],
                autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 70 },
                quota: { limitsCpu: "10" },
            }),
            [
                "platform:versions[1].replicas = 1: ignored while autoscaling is on (its HorizontalPodAutoscaler sets v2's replicas, from autoscaling.minReplicas 2 to maxReplicas 4); remove it, or remove autoscaling for fixed replicas",
            ],
        );
    });

    it("requires at least one version", () => {
        assert.deepStrictEqual(problems({}), [
            "platform:versions = []: at least one version is required, e.g. [{name: v1, image: registry.example.com/app:1.0.0, weight: 100}]",
        ]);
    });

    it("names unknown, missing and mistyped fields by their full path", () => {
        assert.deepStrictEqual(
            problems({
                versions: [{ name: "v1", weight: "100", img: "a:1" }],
                allowedCallers: [{ service: "frontend", paths: "/api/*" }],
                jwt: { issuer: "https://auth.example.com/" },
                resources: { cpu: "1" },
            }),
            [
                'platform:versions[0].img = "a:1": unknown field; allowed: name, image, weight, replicas',
                "platform:versions[0].image = (not set): required",
                'platform:versions[0].weight = "100": expected a whole number',
                'platform:resources.cpu = "1": unknown field; allowed: cpuRequest, memoryRequest, cpuLimit, memoryLimit, ephemeralStorageRequest, ephemeralStorageLimit',
                'platform:allowedCallers[0].paths = "/api/*": expected a list of strings',
                "platform:jwt.jwksUri = (not set): required",
            ],
        );
    });

    it("reports a list of objects that is not one, and a map that is a list", () => {
        assert.deepStrictEqual(problems({ versions: VERSIONS, allowedCallers: ["frontend"], jwt: ["x"] }), [
            'platform:allowedCallers = "[\\"frontend\\"]": expected a list of objects (YAML maps)',
            'platform:jwt = "[\\"x\\"]": expected an object (a YAML map)',
        ]);
    });

    it("refuses a caller that is a layer (common, global) or not a service name, saying what is allowed", () => {
        const allowed =
            "allowed: the name of a service of the environment (its stack is <env>-<service>): lower-case letters, digits and single '-', starting with a letter, at most 40 characters, not global or common";
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                allowedCallers: [
                    { service: "common" },
                    { service: "global" },
                    { service: "Front_End" },
                    { service: "a".repeat(41) },
                    { service: "frontend" },
                ],
            }),
            [
                `platform:allowedCallers[0].service = "common": "common" is a layer of the environment, not a service: no workload has its principal; ${allowed}`,
                `platform:allowedCallers[1].service = "global": "global" is a layer of the environment, not a service: no workload has its principal; ${allowed}`,
                `platform:allowedCallers[2].service = "Front_End": not a service name; ${allowed}`,
                `platform:allowedCallers[3].service = "${"a".repeat(41)}": not a service name; ${allowed}`,
            ],
        );
    });

    it("refuses a request above its limit, per resource, naming the limit; equal is allowed", () => {
        const HEADING =
            'Configuration of stack "dev-backend" (Pulumi.dev-backend.yaml) is invalid; nothing was created:';
        const resources = { cpuRequest: "2", cpuLimit: "500m", memoryRequest: "1Gi", memoryLimit: "512Mi" };
        assert.throws(() => parse({ versions: VERSIONS, resources, quota: { requestsCpu: "20" } }), {
            name: "ConfigError",
            message:
                `${HEADING}\n` +
                '  - platform:resources.cpuRequest = "2": more than cpuLimit (500m): Kubernetes refuses a container that requests more than its limit; allowed: at most 500m, or raise cpuLimit\n' +
                '  - platform:resources.memoryRequest = "1Gi": more than memoryLimit (512Mi): Kubernetes refuses a container that requests more than its limit; allowed: at most 512Mi, or raise memoryLimit',
        });
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                resources: { ephemeralStorageRequest: "2Gi", ephemeralStorageLimit: "1Gi" },
            }),
            [
                'platform:resources.ephemeralStorageRequest = "2Gi": more than ephemeralStorageLimit (1Gi): Kubernetes refuses a container that requests more than its limit; allowed: at most 1Gi, or raise ephemeralStorageLimit',
            ],
        );
        const equal = parse({ versions: VERSIONS, resources: { memoryRequest: "512Mi", memoryLimit: "512Mi" } });
        assert.strictEqual(equal.settings.resources.memoryRequest, "512Mi");
    });

    it("refuses the service itself as a caller, a rule listed twice, and empty methods or paths (they would admit any)", () => {
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                allowedCallers: [
                    { service: "backend" },
                    { namespace: "backend" },
                    { service: "frontend", methods: ["GET", "POST"], paths: ["/api/*"] },
                    { service: "frontend", methods: ["POST", "GET"], paths: ["/api/*"] },
                    { service: "frontend", methods: [] },
                    { namespace: "payment", paths: [] },
                ],
            }),
            [
                'platform:allowedCallers[0].service = "backend": the service itself: a rule for its own pods is not offered (the access graph has no edge from a service to itself); allowed: another service of the environment',
                'platform:allowedCallers[1].namespace = "backend": the service\'s own namespace: a rule for its own pods is not offered; allowed: another namespace',
                'platform:allowedCallers[3] = {"service":"frontend","methods":["POST","GET"],"paths":["/api/*"]}: the same rule as allowedCallers[2]; list each rule once',
                "platform:allowedCallers[4].methods = []: an empty list would admit any method; allowed: at least one, e.g. [GET, POST], or leave methods out to admit any",
                "platform:allowedCallers[5].paths = []: an empty list would admit any path; allowed: at least one, e.g. [/api/*], or leave paths out to admit any",
            ],
        );
        // The same caller with other methods or paths is another rule.
        const two = parse({
            versions: VERSIONS,
            allowedCallers: [
                { service: "frontend", methods: ["GET"] },
                { service: "frontend", methods: ["POST"], paths: ["/orders"] },
            ],
        });
        assert.strictEqual(two.settings.allowedCallers.length, 2);
    });

    it("refuses a rate limit that fills more than its bucket holds, a JWT issuer that is not an https URL and empty audiences", () => {
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                rateLimit: { maxTokens: 100, tokensPerFill: 200, fillInterval: "1s" },
                jwt: { issuer: "auth.example.com", jwksUri: "https://auth.example.com/jwks.json", audiences: [] },
            }),
            [
                'platform:jwt.issuer = "auth.example.com": not an https URL; allowed: the iss claim of accepted tokens, an https URL, e.g. https://auth.example.com/',
                "platform:jwt.audiences = []: an empty list would accept a token of any audience; allowed: at least one, e.g. [shop], or leave audiences out to accept any",
                "platform:rateLimit.tokensPerFill = 200: more than maxTokens (100): the bucket holds at most maxTokens, so a fill could not add them all; allowed: 1 to 100, or raise maxTokens",
            ],
        );
        for (const issuer of ["http://auth.example.com/", "https://", "not a url"]) {
            assert.deepStrictEqual(
                problems({ versions: VERSIONS, jwt: { issuer, jwksUri: "https://auth.example.com/jwks.json" } }),
                [
                    `platform:jwt.issuer = ${JSON.stringify(issuer)}: not an https URL; allowed: the iss claim of accepted tokens, an https URL, e.g. https://auth.example.com/`,
                ],
            );
        }
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                rateLimit: { maxTokens: 100, tokensPerFill: 100, fillInterval: "1s" },
                jwt: { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks.json" },
            }),
            [],
        );
    });
});
