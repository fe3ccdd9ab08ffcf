import * as assert from "assert";
import { describeProblem } from "../../../components/problems";
import { checkImage, checkMethod, checkPath, serviceProblems } from "../../../components/service";
import { settings } from "./settings";

const PIN =
    "allowed: a tag other than latest or a digest, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>";

describe("service settings validation (components/service/validation.ts)", () => {
    it("accepts a tag other than latest, a registry with a port, and a digest", () => {
        assert.strictEqual(checkImage("registry.example.com/shop/backend:2.7.0"), undefined);
        assert.strictEqual(checkImage("registry.example.com:5000/backend:1.0"), undefined);
        assert.strictEqual(checkImage(`backend@sha256:${"a".repeat(64)}`), undefined);
    });

    it("refuses an image tagged latest, without a tag or empty, with the fix", () => {
        assert.strictEqual(checkImage("backend:latest"), `the tag latest is not pinned; ${PIN}`);
        assert.strictEqual(
            checkImage("registry.example.com:5000/backend"),
            `the image has no tag, so it is not pinned; ${PIN}`,
        );
        assert.strictEqual(checkImage("backend"), `the image has no tag, so it is not pinned; ${PIN}`);
        assert.strictEqual(checkImage("backend:"), `the image has no tag, so it is not pinned; ${PIN}`);
        assert.strictEqual(
            checkImage(""),
            "the image is empty; allowed: an image pinned by a tag other than latest or by a digest, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>",
        );
        assert.strictEqual(
            checkImage("backend@sha256:abc"),
            "not a valid digest; allowed: a tag other than latest or @sha256:<64 hex digits>, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>",
        );
    });

    it("checks paths and methods", () => {
        assert.strictEqual(checkPath("/api/*"), undefined);
        assert.strictEqual(checkPath("/charge"), undefined);
        assert.strictEqual(
            checkPath("api/*"),
            "a path must start with '/'; allowed: an absolute path, exact or ending in '*' for a prefix, e.g. /api/*",
        );
        assert.strictEqual(checkPath("/a*/b"), "'*' is only allowed at the end (a prefix match), e.g. /api/*");
        assert.strictEqual(checkMethod("POST"), undefined);
        assert.strictEqual(
            checkMethod("FETCH"),
            "unknown HTTP method; allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE (upper case)",
        );
        assert.strictEqual(
            checkMethod("get"),
            "unknown HTTP method; allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE (upper case)",
        );
    });

    it("finds no problem in valid settings", () => {
        assert.deepStrictEqual(serviceProblems(settings()), []);
    });

    it("names every bad property with its value and the fix, all at once", () => {
        const problems = serviceProblems(
            settings({
                replicas: 0,
                versions: [
                    { name: "v1", image: "shop/backend:latest", weight: 80 },
                    { name: "v2", image: "shop/backend", weight: 10 },
                ],
                allowedCallers: [{ service: "frontend", methods: ["GET", "FETCH" as "GET"], paths: ["/api/*", "api"] }],
            }),
        ).map(describeProblem);
        assert.deepStrictEqual(problems, [
            "replicas = 0: out of range; allowed: a whole number from 1 to 100",
            `versions[0].image = "shop/backend:latest": the tag latest is not pinned; ${PIN}`,
            `versions[1].image = "shop/backend": the image has no tag, so it is not pinned; ${PIN}`,
            'versions = "v1=80, v2=10": the weights add up to 90; they must add up to 100',
            'allowedCallers[0].methods[1] = "FETCH": unknown HTTP method; allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE (upper case)',
            "allowedCallers[0].paths[1] = \"api\": a path must start with '/'; allowed: an absolute path, exact or ending in '*' for a prefix, e.g. /api/*",
        ]);
    });

    it("requires a version, unique version names and exactly one of service or namespace per caller", () => {
        assert.deepStrictEqual(serviceProblems(settings({ versions: [] })).map(describeProblem), [
            "versions = []: at least one version is required, e.g. [{name: v1, image: registry.example.com/app:1.0.0, weight: 100}]",
        ]);
        const dup = settings({
            versions: [
                { name: "v1", image: "a:1", weight: 50 },
                { name: "v1", image: "a:2", weight: 50 },
            ],
        });
        assert.deepStrictEqual(serviceProblems(dup).map(describeProblem), [
            'versions[1].name = "v1": duplicate version name; each version needs its own',
        ]);
        const callers = settings({ allowedCallers: [{ service: "a", namespace: "b" }, {}] });
        assert.deepStrictEqual(serviceProblems(callers).map(describeProblem), [
            'allowedCallers[0] = {"service":"a","namespace":"b"}: name exactly one of service (a service of the environment) or namespace',
            "allowedCallers[1] = {}: name exactly one of service (a service of the environment) or namespace",
        ]);
    });

    it("checks the optional parts: autoscaling bounds, JWT URL, CIDRs, headers, rate limit, publicHost", () => {
        const problems = serviceProblems(
            settings({
                autoscaling: { minReplicas: 5, maxReplicas: 2, targetCpuUtilization: 70 },
                jwt: { issuer: "https://auth.example.com/", jwksUri: "http://auth.example.com/jwks" },
                deniedSourceCidrs: ["10.0.0.0/33"],
                requiredHeaders: ["X-Tenant"],
                rateLimit: { maxTokens: 0, tokensPerFill: 1, fillInterval: "1 second" },
                publicHost: "shop.example.com",
                metricsPort: 8080,
            }),
        ).map(describeProblem);
        assert.deepStrictEqual(problems, [
            "metricsPort = 8080: must differ from port (the metrics are merged into the sidecar's endpoint, not served on the service port)",
            "autoscaling.maxReplicas = 2: must be at least minReplicas (5)",
            'publicHost = "shop.example.com": set only when exposed is true',
            'jwt.jwksUri = "http://auth.example.com/jwks": not an https URL; allowed: e.g. https://auth.example.com/.well-known/jwks.json',
            'deniedSourceCidrs[0] = "10.0.0.0/33": not an IPv4 address or CIDR block; allowed: e.g. 203.0.113.0/24 or 198.51.100.7',
            "requiredHeaders[0] = \"X-Tenant\": not a header name; allowed: lower-case letters, digits, '-' and '_', e.g. x-request-id",
            "rateLimit.maxTokens = 0: out of range; allowed: a whole number from 1 to 1000000",
            'rateLimit.fillInterval = "1 second": not a duration; allowed: e.g. 1s or 60s',
        ]);
    });
});
