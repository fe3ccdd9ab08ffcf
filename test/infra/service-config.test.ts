import * as assert from "assert";
import { ConfigError, ServiceConfig, parseConfig } from "../../infra/schema";
import { SERVICE_DEFAULTS } from "../../components/service";
import { platformConfig } from "../helpers/config";

const VERSIONS = [{ name: "v1", image: "registry.example.com/a:1.0.0", weight: 100 }];

/** Parses a dev-backend config given as short keys (values JSON-encoded as the engine passes them). */
function parse(values: Record<string, unknown>): ServiceConfig {
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(platformConfig({ layer: "service", ...values }))) {
        raw[k.slice("platform:".length)] = v;
    }
    return parseConfig("dev-backend", raw) as ServiceConfig;
}

/** The problems of a bad config, one line each. */
function problems(values: Record<string, unknown>): string[] {
    try {
        parse(values);
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems.map((p) => `${p.key} = ${p.value === undefined ? "(not set)" : JSON.stringify(p.value)}: ${p.message}`);
    }
    return [];
}

describe("service config (infra/schema/service.ts)", () => {
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
        });
    });

    it("reads the maps field by field, keeping defaults for unset fields", () => {
        const config = parse({
            versions: [{ name: "v1", image: "a:1", weight: 90 }, { name: "v2", image: "a:2", weight: 10, replicas: 1 }],
            allowedCallers: [{ service: "frontend", methods: ["GET"], paths: ["/api/*"] }, { namespace: "backend" }],
            resources: { cpuRequest: "200m" },
            quota: { pods: 50 },
            autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 60 },
            jwt: { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" },
            rateLimit: { maxTokens: 10, tokensPerFill: 5, fillInterval: "1s" },
            metricsPort: 9090,
            exposed: true,
            publicHost: "api.example.com",
        });
        const s = config.settings;
        assert.deepStrictEqual(s.versions[1], { name: "v2", image: "a:2", weight: 10, replicas: 1 });
        assert.deepStrictEqual(s.allowedCallers, [{ service: "frontend", methods: ["GET"], paths: ["/api/*"] }, { namespace: "backend" }]);
        assert.deepStrictEqual(s.resources, { ...SERVICE_DEFAULTS.resources, cpuRequest: "200m" });
        assert.deepStrictEqual(s.quota, { ...SERVICE_DEFAULTS.quota, pods: 50 });
        assert.deepStrictEqual(s.autoscaling, { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 60 });
        assert.deepStrictEqual(s.jwt, { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" });
        assert.deepStrictEqual(s.rateLimit, { maxTokens: 10, tokensPerFill: 5, fillInterval: "1s" });
        assert.strictEqual(s.metricsPort, 9090);
        assert.strictEqual(s.publicHost, "api.example.com");
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
                'platform:allowedCallers[0].paths = "/api/*": expected a list of strings',
                'platform:resources.cpu = "1": unknown field; allowed: cpuRequest, memoryRequest, cpuLimit, memoryLimit',
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
        const allowed = "allowed: the name of a service of the environment (its stack is <env>-<service>): lower-case letters, digits and single '-', starting with a letter, at most 40 characters, not global or common";
        assert.deepStrictEqual(
            problems({
                versions: VERSIONS,
                allowedCallers: [{ service: "common" }, { service: "global" }, { service: "Front_End" }, { service: "a".repeat(41) }, { service: "frontend" }],
            }),
            [
                `platform:allowedCallers[0].service = "common": "common" is a layer of the environment, not a service: no workload has its principal; ${allowed}`,
                `platform:allowedCallers[1].service = "global": "global" is a layer of the environment, not a service: no workload has its principal; ${allowed}`,
                `platform:allowedCallers[2].service = "Front_End": not a service name; ${allowed}`,
                `platform:allowedCallers[3].service = "${"a".repeat(41)}": not a service name; ${allowed}`,
            ],
        );
    });
});
