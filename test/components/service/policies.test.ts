import * as assert from "assert";
import {
    allowCallersPolicy,
    allowNothingPolicy,
    callerRule,
    denySourcesPolicy,
    gatewayPrincipal,
    principalOf,
    requestAuthenticationPolicy,
    requireHeadersPolicy,
    strictPeerAuthentication,
} from "../../../components/service";
import { MESH } from "./settings";

describe("service policies (components/service/policies.ts)", () => {
    it("principals are <trustDomain>/ns/<namespace>/sa/<account>; the gateway's is its namespace and name", () => {
        assert.strictEqual(principalOf("cluster.local", "backend", "backend"), "cluster.local/ns/backend/sa/backend");
        assert.strictEqual(gatewayPrincipal(MESH), "cluster.local/ns/istio-ingress/sa/istio-ingressgateway");
    });

    it("default deny is an empty-spec AuthorizationPolicy and a STRICT PeerAuthentication", () => {
        assert.deepStrictEqual(allowNothingPolicy(), { name: "allow-nothing", spec: {} });
        assert.deepStrictEqual(strictPeerAuthentication(), { name: "default", spec: { mtls: { mode: "STRICT" } } });
    });

    it("a caller by service is its principal; by namespace, the namespace; methods and paths only when given", () => {
        assert.deepStrictEqual(
            callerRule({ service: "frontend", methods: ["GET", "POST"], paths: ["/api/*"] }, "cluster.local"),
            {
                from: [{ source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } }],
                to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }],
            },
        );
        assert.deepStrictEqual(callerRule({ namespace: "backend", paths: ["/charge"] }, "example.org"), {
            from: [{ source: { namespaces: ["backend"] } }],
            to: [{ operation: { paths: ["/charge"] } }],
        });
        assert.deepStrictEqual(callerRule({ namespace: "backend" }, "cluster.local"), {
            from: [{ source: { namespaces: ["backend"] } }],
        });
    });

    it("the ALLOW policy has one rule per caller plus the gateway when exposed, and is absent when nobody may call", () => {
        assert.deepStrictEqual(
            allowCallersPolicy(
                "payment",
                [{ namespace: "backend", methods: ["POST"], paths: ["/charge"] }],
                MESH,
                false,
                false,
            ),
            {
                name: "allow-callers",
                spec: {
                    selector: { matchLabels: { app: "payment" } },
                    action: "ALLOW",
                    rules: [
                        {
                            from: [{ source: { namespaces: ["backend"] } }],
                            to: [{ operation: { methods: ["POST"], paths: ["/charge"] } }],
                        },
                    ],
                },
            },
        );
        assert.deepStrictEqual(allowCallersPolicy("frontend", [], MESH, true, false)?.spec.rules, [
            { from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }] },
        ]);
        assert.strictEqual(allowCallersPolicy("lonely", [], MESH, false, false), undefined);
    });

    it("DENY rules refuse source IP blocks and requests without a required header", () => {
        assert.deepStrictEqual(denySourcesPolicy("payment", ["203.0.113.0/24"]), {
            name: "deny-source-ips",
            spec: {
                selector: { matchLabels: { app: "payment" } },
                action: "DENY",
                rules: [
                    {
                        from: [
                            { source: { ipBlocks: ["203.0.113.0/24"] } },
                            { source: { remoteIpBlocks: ["203.0.113.0/24"] } },
                        ],
                    },
                ],
            },
        });
        assert.deepStrictEqual(requireHeadersPolicy("payment", ["x-tenant-id", "x-request-id"]), {
            name: "deny-missing-headers",
            spec: {
                selector: { matchLabels: { app: "payment" } },
                action: "DENY",
                rules: [
                    { when: [{ key: "request.headers[x-tenant-id]", notValues: ["*"] }] },
                    { when: [{ key: "request.headers[x-request-id]", notValues: ["*"] }] },
                ],
            },
        });
        assert.strictEqual(denySourcesPolicy("payment", []), undefined);
        assert.strictEqual(requireHeadersPolicy("payment", []), undefined);
    });

    it("JWT is a pair: a RequestAuthentication, and ALLOW rules that each require a request principal", () => {
        assert.deepStrictEqual(
            requestAuthenticationPolicy("frontend", {
                issuer: "https://auth.example.com/",
                jwksUri: "https://auth.example.com/jwks.json",
                audiences: ["shop"],
            }),
            {
                name: "jwt",
                spec: {
                    selector: { matchLabels: { app: "frontend" } },
                    jwtRules: [
                        {
                            issuer: "https://auth.example.com/",
                            jwksUri: "https://auth.example.com/jwks.json",
                            forwardOriginalToken: true,
                            audiences: ["shop"],
                        },
                    ],
                },
            },
        );
        assert.strictEqual(
            "audiences" in requestAuthenticationPolicy("f", { issuer: "i", jwksUri: "https://j" }).spec.jwtRules![0],
            false,
        );
        // No DENY on notRequestPrincipals: that HTTP-only DENY would refuse every TCP connection (IST0133).
        assert.deepStrictEqual(
            allowCallersPolicy("frontend", [{ service: "backend", methods: ["GET"] }], MESH, true, true)?.spec.rules,
            [
                {
                    from: [
                        { source: { principals: ["cluster.local/ns/backend/sa/backend"], requestPrincipals: ["*"] } },
                    ],
                    to: [{ operation: { methods: ["GET"] } }],
                },
                {
                    from: [
                        {
                            source: {
                                principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"],
                                requestPrincipals: ["*"],
                            },
                        },
                    ],
                },
            ],
        );
    });
});
