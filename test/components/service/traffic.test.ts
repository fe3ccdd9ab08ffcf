import * as assert from "assert";
import { destinationRuleSpec, gatewaySpec, localRateLimitSpec, virtualServiceSpec } from "../../../components/service";
import { MESH, settings } from "./settings";

const CANARY = settings({
    versions: [
        { name: "v1", image: "a:1", weight: 90 },
        { name: "v2", image: "a:2", weight: 10 },
    ],
    timeout: "10s",
});
const HOST = "backend.backend.svc.cluster.local";

describe("service traffic (components/service/traffic.ts)", () => {
    it("the DestinationRule: ISTIO_MUTUAL, LEAST_REQUEST, connection pool, consecutive5xxErrors, a subset per version", () => {
        assert.deepStrictEqual(destinationRuleSpec(HOST, CANARY), {
            host: HOST,
            trafficPolicy: {
                tls: { mode: "ISTIO_MUTUAL" },
                loadBalancer: { simple: "LEAST_REQUEST" },
                connectionPool: {
                    tcp: { maxConnections: 100, connectTimeout: "5s" },
                    http: { http1MaxPendingRequests: 100, http2MaxRequests: 1000, maxRequestsPerConnection: 0 },
                },
                outlierDetection: {
                    consecutive5xxErrors: 5,
                    interval: "10s",
                    baseEjectionTime: "30s",
                    maxEjectionPercent: 50,
                },
            },
            subsets: [
                { name: "v1", labels: { version: "v1" } },
                { name: "v2", labels: { version: "v2" } },
            ],
        });
    });

    it("the VirtualService routes to the subsets by weight (summing to 100), with retries and a timeout", () => {
        const vs = virtualServiceSpec(HOST, CANARY) as any;
        assert.deepStrictEqual(vs.hosts, [HOST]);
        assert.strictEqual("gateways" in vs, false);
        const [route] = vs.http;
        assert.deepStrictEqual(route.route, [
            { destination: { host: HOST, subset: "v1", port: { number: 80 } }, weight: 90 },
            { destination: { host: HOST, subset: "v2", port: { number: 80 } }, weight: 10 },
        ]);
        assert.strictEqual(
            route.route.reduce((sum: number, r: { weight: number }) => sum + r.weight, 0),
            100,
        );
        assert.strictEqual(route.timeout, "10s");
        assert.deepStrictEqual(route.retries, {
            attempts: 2,
            perTryTimeout: "3s",
            retryOn: "connect-failure,refused-stream,unavailable,cancelled,5xx",
        });
    });

    it("retries: 0 turns retries off with attempts alone, which Istio's validation accepts (no retryOn or perTryTimeout)", () => {
        const [route] = (virtualServiceSpec(HOST, { ...CANARY, retries: 0 }) as any).http;
        assert.deepStrictEqual(route.retries, { attempts: 0 });
        assert.strictEqual(route.timeout, "10s");
    });

    it("an exposed service's VirtualService also serves its public host on the gateway, and keeps the mesh", () => {
        const vs = virtualServiceSpec(HOST, CANARY, {
            gateway: "frontend/frontend",
            host: "frontend.dev.internal.example.com",
        }) as any;
        assert.deepStrictEqual(vs.hosts, [HOST, "frontend.dev.internal.example.com"]);
        assert.deepStrictEqual(vs.gateways, ["mesh", "frontend/frontend"]);
    });

    it("an exposed service's Gateway serves its host with TLS on 443 (TLS 1.2 or newer, its certificate secret) and only redirects on 80", () => {
        assert.deepStrictEqual(gatewaySpec("frontend.dev.internal.example.com", "frontend", MESH), {
            selector: { istio: "istio-ingressgateway" },
            servers: [
                {
                    port: { number: 443, name: "https", protocol: "HTTPS" },
                    hosts: ["frontend.dev.internal.example.com"],
                    tls: { mode: "SIMPLE", credentialName: "frontend-tls", minProtocolVersion: "TLSV1_2" },
                },
                {
                    port: { number: 80, name: "http", protocol: "HTTP" },
                    hosts: ["frontend.dev.internal.example.com"],
                    tls: { httpsRedirect: true },
                },
            ],
        });
    });

    it("the local rate limit is a token bucket in the workload's inbound sidecar", () => {
        const spec = localRateLimitSpec("frontend", { maxTokens: 200, tokensPerFill: 100, fillInterval: "1s" }) as any;
        assert.deepStrictEqual(spec.workloadSelector, { labels: { app: "frontend" } });
        // A relative patch (INSERT_BEFORE) needs a priority, or Istio's analyzer warns (IST0151).
        assert.strictEqual(spec.priority, 10);
        const [patch] = spec.configPatches;
        assert.strictEqual(patch.applyTo, "HTTP_FILTER");
        assert.strictEqual(patch.match.context, "SIDECAR_INBOUND");
        assert.strictEqual(patch.patch.value.name, "envoy.filters.http.local_ratelimit");
        assert.strictEqual(
            patch.patch.value.typed_config["@type"],
            "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        );
        assert.deepStrictEqual(patch.patch.value.typed_config.token_bucket, {
            max_tokens: 200,
            tokens_per_fill: 100,
            fill_interval: "1s",
        });
    });
});
