import * as assert from "assert";
import {
    Decision,
    PolicyManifest,
    Request,
    Workload,
    checkPolicies,
    withTrustDomain,
    evaluateAccess as evaluateWithRule,
    inIpBlock,
    matchesValue,
    pathMatches,
    policyProblems,
    requestPrincipalMatches,
} from "../../plan/authorization";

/** The verdict and its reason (the deciding rule is asserted where it matters). */
const evaluateAccess = (policies: PolicyManifest[], workload: Workload, request: Request): Omit<Decision, "rule"> => {
    const { allowed, reason } = evaluateWithRule(policies, workload, request);
    return { allowed, reason };
};
const BACKEND = { namespace: "backend", labels: { app: "backend", version: "v1" } };
const FRONTEND_SA = "cluster.local/ns/frontend/sa/frontend";
const get = (overrides: Partial<Request> = {}): Request => ({
    principal: FRONTEND_SA,
    method: "GET",
    path: "/api/items",
    ...overrides,
});
const policy = (name: string, spec: PolicyManifest["spec"], namespace = "backend"): PolicyManifest => ({
    metadata: { name, namespace },
    spec,
});
const allowNothing = policy("allow-nothing", {});
const allowFrontend = policy("allow-callers", {
    selector: { matchLabels: { app: "backend" } },
    action: "ALLOW",
    rules: [
        {
            from: [{ source: { principals: [FRONTEND_SA] } }],
            to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }],
        },
    ],
});

describe("access evaluator (plan/authorization.ts)", () => {
    it("matches strings as Istio does: exact, prefix*, *suffix and * for any non-empty value", () => {
        assert.strictEqual(matchesValue("/api/*", "/api/items"), true);
        assert.strictEqual(matchesValue("/api/*", "/apix"), false);
        assert.strictEqual(matchesValue("*/sa/frontend", FRONTEND_SA), true);
        assert.strictEqual(matchesValue("*", ""), false);
        assert.strictEqual(matchesValue("*", undefined), false);
        assert.strictEqual(matchesValue("GET", "GET"), true);
        assert.strictEqual(inIpBlock("203.0.113.0/24", "203.0.113.77"), true);
        assert.strictEqual(inIpBlock("203.0.113.0/24", "203.0.114.1"), false);
        assert.strictEqual(inIpBlock("198.51.100.7", "198.51.100.7"), true);
    });

    it("no policy admits", () => {
        assert.deepStrictEqual(evaluateAccess([], BACKEND, get()), {
            allowed: true,
            reason: "no ALLOW policy selects the workload",
        });
    });

    it("allow-nothing admits nothing", () => {
        assert.deepStrictEqual(evaluateAccess([allowNothing], BACKEND, get()), {
            allowed: false,
            reason: "no ALLOW policy matched (backend/allow-nothing)",
        });
    });

    it("with an ALLOW policy, only a matching one admits: principal, method and path must all match", () => {
        const policies = [allowNothing, allowFrontend];
        assert.deepStrictEqual(evaluateAccess(policies, BACKEND, get()), {
            allowed: true,
            reason: "ALLOW backend/allow-callers",
        });
        assert.deepStrictEqual(evaluateWithRule(policies, BACKEND, get()).rule, { policy: allowFrontend, index: 0 });
        assert.strictEqual(evaluateAccess(policies, BACKEND, get({ method: "DELETE" })).allowed, false);
        assert.strictEqual(evaluateAccess(policies, BACKEND, get({ path: "/admin" })).allowed, false);
        assert.strictEqual(
            evaluateAccess(policies, BACKEND, get({ principal: "cluster.local/ns/default/sa/default" })).allowed,
            false,
        );
    });

    it("a matching DENY refuses even what an ALLOW admits; a DENY that does not match changes nothing", () => {
        const deny = policy("deny-source-ips", {
            selector: { matchLabels: { app: "backend" } },
            action: "DENY",
            rules: [{ from: [{ source: { ipBlocks: ["203.0.113.0/24"] } }] }],
        });
        assert.deepStrictEqual(evaluateAccess([allowFrontend, deny], BACKEND, get({ ip: "203.0.113.9" })), {
            allowed: false,
            reason: "DENY backend/deny-source-ips",
        });
        assert.deepStrictEqual(evaluateAccess([allowFrontend, deny], BACKEND, get({ ip: "10.0.0.9" })), {
            allowed: true,
            reason: "ALLOW backend/allow-callers",
        });
        // A DENY alone does not make the workload default-deny.
        assert.strictEqual(evaluateAccess([deny], BACKEND, get({ ip: "10.0.0.9" })).allowed, true);
    });

    it("a policy applies only to its namespace (or the root namespace) and to workloads its selector matches", () => {
        const elsewhere = policy("allow-nothing", {}, "payment");
        assert.strictEqual(evaluateAccess([elsewhere], BACKEND, get()).allowed, true);
        const meshWide = policy("allow-nothing", {}, "istio-system");
        assert.deepStrictEqual(evaluateAccess([meshWide], BACKEND, get()), {
            allowed: false,
            reason: "no ALLOW policy matched (istio-system/allow-nothing)",
        });
        const otherApp = policy("allow-callers", {
            selector: { matchLabels: { app: "payment" } },
            action: "ALLOW",
            rules: [{}],
        });
        assert.strictEqual(evaluateAccess([otherApp], BACKEND, get({ method: "DELETE" })).allowed, true);
    });

    it("namespaces and negated fields: notMethods, notPaths, notPrincipals", () => {
        const byNamespace = policy("allow-callers", {
            action: "ALLOW",
            rules: [
                {
                    from: [{ source: { namespaces: ["frontend"], notPrincipals: ["*/sa/legacy"] } }],
                    to: [{ operation: { notMethods: ["DELETE"], notPaths: ["/admin*"] } }],
                },
            ],
        });
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get()).allowed, true);
        assert.strictEqual(
            evaluateAccess([byNamespace], BACKEND, get({ principal: "cluster.local/ns/payment/sa/payment" })).allowed,
            false,
        );
        // Istio reads the namespace from the peer certificate: without mTLS no namespace matches.
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ principal: undefined })).allowed, false);
        assert.strictEqual(
            evaluateAccess([byNamespace], BACKEND, get({ principal: "cluster.local/ns/frontend/sa/legacy" })).allowed,
            false,
        );
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ method: "DELETE" })).allowed, false);
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ path: "/admin/x" })).allowed, false);
    });

    it("JWT: the require-token DENY refuses a request without a request principal and lets one with a token through", () => {
        const requireJwt = policy("require-jwt", {
            selector: { matchLabels: { app: "backend" } },
            action: "DENY",
            rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }],
        });
        const policies = [allowNothing, allowFrontend, requireJwt];
        assert.deepStrictEqual(evaluateAccess(policies, BACKEND, get()), {
            allowed: false,
            reason: "DENY backend/require-jwt",
        });
        assert.deepStrictEqual(
            evaluateAccess(policies, BACKEND, get({ token: { iss: "https://auth.example.com/", sub: "user-1" } })),
            {
                allowed: true,
                reason: "ALLOW backend/allow-callers",
            },
        );
    });

    it("required headers: a DENY with notValues [*] refuses a request without the header", () => {
        const headers = policy("deny-missing-headers", {
            action: "DENY",
            rules: [{ when: [{ key: "request.headers[x-tenant-id]", notValues: ["*"] }] }],
        });
        assert.deepStrictEqual(evaluateAccess([headers], BACKEND, get()), {
            allowed: false,
            reason: "DENY backend/deny-missing-headers",
        });
        assert.strictEqual(evaluateAccess([headers], BACKEND, get({ headers: { "x-tenant-id": "t1" } })).allowed, true);
    });

    it("an ALLOW policy with an empty rule admits everything; one without rules admits nothing", () => {
        assert.strictEqual(
            evaluateAccess([policy("all", { action: "ALLOW", rules: [{}] })], BACKEND, get({ principal: undefined }))
                .allowed,
            true,
        );
        assert.strictEqual(
            evaluateAccess([policy("none", { action: "ALLOW", rules: [] })], BACKEND, get()).allowed,
            false,
        );
    });

    it("ambient: a waypoint enforces the policies attached to its Gateway by targetRefs, ztunnel the others; ztunnel's are L4 only", () => {
        const waypointRef = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }];
        const atWaypoint = policy("allow-callers", {
            targetRefs: waypointRef,
            action: "ALLOW",
            rules: allowFrontend.spec!.rules,
        });
        const allowWaypoint = policy("allow-waypoint", {
            selector: { matchLabels: { app: "backend" } },
            action: "ALLOW",
            rules: [{ from: [{ source: { principals: ["cluster.local/ns/backend/sa/waypoint"] } }] }],
        });
        const all = [allowNothing, atWaypoint, allowWaypoint];
        const at = (binding: "waypoint" | "ambient", request: Request) => {
            const { allowed, reason } = evaluateWithRule(all, BACKEND, request, undefined, undefined, binding);
            return { allowed, reason };
        };
        assert.deepStrictEqual(at("waypoint", get()), { allowed: true, reason: "ALLOW backend/allow-callers" });
        assert.deepStrictEqual(at("waypoint", get({ path: "/admin" })), {
            allowed: false,
            reason: "no ALLOW policy matched (backend/allow-callers)",
        });
        // The pod's ztunnel admits the waypoint, not the caller itself.
        assert.deepStrictEqual(at("ambient", get()), {
            allowed: false,
            reason: "no ALLOW policy matched (backend/allow-nothing, backend/allow-waypoint)",
        });
        assert.deepStrictEqual(at("ambient", get({ principal: "cluster.local/ns/backend/sa/waypoint" })), {
            allowed: true,
            reason: "ALLOW backend/allow-waypoint",
        });
        // A waypoint's policy attached to anything but its Gateway, and HTTP attributes at ztunnel, are refused.
        const toService = policy("svc", { targetRefs: [{ group: "", kind: "Service", name: "backend" }] });
        assert.throws(() => evaluateWithRule([toService], BACKEND, get(), undefined, undefined, "waypoint"), {
            message:
                "access matrix: policy backend/svc: targetRefs to a Service (only a waypoint Gateway is modelled) is not modelled",
        });
        assert.throws(() => evaluateWithRule([allowFrontend], BACKEND, get(), undefined, undefined, "ambient"), {
            message:
                "access matrix: policy backend/allow-callers: methods in a policy ztunnel enforces (L4 only) is not modelled",
        });
    });

    it("refuses to guess: CUSTOM, targetRef and unknown fields fail naming the policy", () => {
        assert.throws(
            () =>
                evaluateAccess(
                    [policy("ext", { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] })],
                    BACKEND,
                    get(),
                ),
            {
                message: "access matrix: policy backend/ext: action CUSTOM is not modelled",
            },
        );
        assert.throws(
            () => evaluateAccess([policy("gw", { targetRefs: [{ kind: "Gateway", name: "gw" }] })], BACKEND, get()),
            {
                message: "access matrix: policy backend/gw: targetRef is not modelled",
            },
        );
        assert.throws(
            () =>
                evaluateAccess(
                    [policy("p", { action: "ALLOW", rules: [{ to: [{ operation: { ports: ["8080"] } }] }] })],
                    BACKEND,
                    get(),
                ),
            {
                message: "access matrix: policy backend/p: operation field ports is not modelled",
            },
        );
        // Even where an earlier field already decides the request.
        const late = policy("p", {
            action: "ALLOW",
            rules: [{ to: [{ operation: { methods: ["PUT"], ports: ["8080"] } }] }],
        });
        assert.throws(() => evaluateAccess([late], BACKEND, get()), {
            message: "access matrix: policy backend/p: operation field ports is not modelled",
        });
        const sa = policy("p", {
            action: "DENY",
            rules: [{ from: [{ source: { serviceAccounts: ["frontend/frontend"] } }] }],
        });
        assert.throws(() => evaluateAccess([sa], BACKEND, get()), {
            message: "access matrix: policy backend/p: source field serviceAccounts is not modelled",
        });
    });

    describe("the semantics the oracle found (issue 13)", () => {
        const allowTokens = (...requestPrincipals: string[]) =>
            policy("allow-tokens", { action: "ALLOW", rules: [{ from: [{ source: { requestPrincipals } }] }] });

        it("requestPrincipals: split at the last '/' into issuer and subject, so https://auth.example.com/* refuses issuer https://auth.example.com/", () => {
            const p = allowTokens("https://auth.example.com/*");
            assert.deepStrictEqual(
                evaluateAccess([p], BACKEND, get({ token: { iss: "https://auth.example.com/", sub: "end-user" } })),
                {
                    allowed: false,
                    reason: "no ALLOW policy matched (backend/allow-tokens)",
                },
            );
            assert.strictEqual(
                evaluateAccess([p], BACKEND, get({ token: { iss: "https://auth.example.com", sub: "end-user" } }))
                    .allowed,
                true,
            );
        });

        it("requestPrincipals: each part exact, prefix, suffix or '*', as istiod writes the iss and sub matchers", () => {
            const cases: [string, string, string, boolean][] = [
                ["*", "https://a.example/", "u", true],
                ["*", "https://a.example/", "", false],
                ["https://a.example//u", "https://a.example/", "u", true],
                ["https://a.example//u", "https://a.example", "/u", false],
                ["https://a.example//*", "https://a.example/", "anyone", true],
                ["https://a.example//us*", "https://a.example/", "user-1", true],
                ["https://a.example//us*", "https://a.example/", "admin", false],
                ["*/u", "https://b.example/", "u", true],
                ["*example//u", "https://b.example/", "u", true],
                ["*example/u", "https://b.example/", "u", false],
                ["*-1", "https://b.example/", "user-1", true],
                ["*-1", "https://b.example/", "user-2", false],
                ["issuer-a*", "issuer-a.example", "u", true],
                ["issuer-a*", "issuer-b.example", "u", false],
                // The last '/' of https:// splits too: issuer "https:/" exactly, subject prefix "a".
                ["https://a*", "https://a.example/", "u", false],
                ["https://a*", "https:/", "abc", true],
                // Without '/': the whole value is the issuer and the subject must be empty.
                ["issuer-without-slash", "issuer-without-slash", "end-user", false],
            ];
            for (const [pattern, iss, sub, expected] of cases) {
                assert.strictEqual(
                    requestPrincipalMatches(pattern, { iss, sub }),
                    expected,
                    `${pattern} vs iss ${iss} sub ${sub}`,
                );
            }
            assert.strictEqual(requestPrincipalMatches("*", undefined), false);
        });

        it("paths: {*} is one segment and {**} any number of segments (Envoy URI templates)", () => {
            const p = policy("allow-api", {
                action: "ALLOW",
                rules: [{ to: [{ operation: { paths: ["/api/{*}", "/files/{**}"] } }] }],
            });
            const allowed = (path: string) => evaluateAccess([p], BACKEND, get({ path })).allowed;
            assert.strictEqual(allowed("/api/example"), true);
            assert.strictEqual(allowed("/api/a/b"), false);
            assert.strictEqual(allowed("/api/"), false);
            assert.strictEqual(allowed("/api/%7Bx%7D?q=1"), true);
            assert.strictEqual(allowed("/files/a/b"), true);
            assert.strictEqual(allowed("/files/"), true);
            assert.strictEqual(allowed("/files"), false);
            assert.strictEqual(pathMatches("/a/{**}/end", "/a/x/y/end"), true);
            assert.strictEqual(pathMatches("/a/{**}/end", "/a/x/y/en"), false);
            assert.strictEqual(pathMatches("/api/*", "/api/x?y"), true);
            assert.strictEqual(pathMatches("*.json", "/a.json?x=.txt"), true);
        });

        it("principals and namespaces match the peer certificate; a namespace's '*' may stand anywhere, the rest is literal", () => {
            const p = (principals: string[]) => [
                policy("allow-p", { action: "ALLOW", rules: [{ from: [{ source: { principals } }] }] }),
            ];
            assert.strictEqual(evaluateAccess(p(["*/sa/frontend"]), BACKEND, get()).allowed, true);
            assert.strictEqual(evaluateAccess(p(["*/sa/front.nd"]), BACKEND, get()).allowed, false);
            assert.strictEqual(
                evaluateAccess(p(["*/sa/frontend"]), BACKEND, get({ principal: undefined })).allowed,
                false,
            );
            const ns = (namespaces: string[]) => [
                policy("allow-ns", { action: "ALLOW", rules: [{ from: [{ source: { namespaces } }] }] }),
            ];
            assert.strictEqual(evaluateAccess(ns(["front*"]), BACKEND, get()).allowed, true);
            assert.strictEqual(evaluateAccess(ns(["*end"]), BACKEND, get()).allowed, true);
            assert.strictEqual(evaluateAccess(ns(["f*d"]), BACKEND, get()).allowed, true);
            assert.strictEqual(evaluateAccess(ns(["front.nd"]), BACKEND, get()).allowed, false);
            assert.strictEqual(evaluateAccess(ns(["*"]), BACKEND, get({ principal: undefined })).allowed, false);
        });

        it("principals: istiod puts the mesh's trust domain in place of cluster.local, of its own and of patterns of either", () => {
            assert.deepStrictEqual(withTrustDomain("cluster.local/ns/a/sa/b", "mesh.example.org"), [
                "mesh.example.org/ns/a/sa/b",
            ]);
            assert.deepStrictEqual(withTrustDomain("cluster.loca*/ns/a/sa/b", "cluster.local"), [
                "cluster.local/ns/a/sa/b",
            ]);
            assert.deepStrictEqual(withTrustDomain("*.org/ns/a/sa/b", "mesh.example.org"), ["*.org/ns/a/sa/b"]);
            assert.deepStrictEqual(withTrustDomain("mesh.ex*/ns/a/sa/b", "mesh.example.org"), [
                "mesh.example.org/ns/a/sa/b",
            ]);
            assert.deepStrictEqual(withTrustDomain("other.org/ns/a/sa/b", "mesh.example.org"), ["other.org/ns/a/sa/b"]);
            assert.deepStrictEqual(withTrustDomain("*/ns/a/sa/b", "mesh.example.org"), ["*/ns/a/sa/b"]);
            assert.deepStrictEqual(withTrustDomain("cluster.local/ns/a/sa/b*", "mesh.example.org"), [
                "mesh.example.org/ns/a/sa/b*",
            ]);
            assert.deepStrictEqual(withTrustDomain("cluster.local/ns/a", "mesh.example.org"), ["cluster.local/ns/a"]);
            // The case the generated policies found: a '*' inside the trust domain part admits the exact principal.
            const p = policy("allow-p", {
                action: "ALLOW",
                rules: [{ from: [{ source: { principals: ["cluster.loca*/ns/frontend/sa/frontend"] } }] }],
            });
            assert.strictEqual(evaluateAccess([p], BACKEND, get()).allowed, true);
            const gateway = policy("allow-gw", {
                action: "ALLOW",
                rules: [{ from: [{ source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } }] }],
            });
            assert.strictEqual(
                evaluateWithRule(
                    [gateway],
                    BACKEND,
                    get({ principal: "mesh.example.org/ns/frontend/sa/frontend" }),
                    "istio-system",
                    "mesh.example.org",
                ).allowed,
                true,
            );
        });

        it("refuses, naming the policy, what Istio's validation refuses: from: [{source: {}}] and other empty parts", () => {
            const bad = policy("allow-callers", { action: "ALLOW", rules: [{ from: [{ source: {} }] }] });
            assert.throws(() => evaluateAccess([bad], BACKEND, get()), {
                message:
                    "access matrix: Istio's validation refuses a policy, so it is not evaluated:\n" +
                    "  - AuthorizationPolicy backend/allow-callers: rules[0].from[0].source: `from.source` must not be empty",
            });
            const spec = (s: unknown) => policyProblems(policy("p", s as PolicyManifest["spec"]));
            // An empty list reaches istiod as an absent one (protobuf has no empty list): accepted, and it matches any source.
            assert.deepStrictEqual(spec({ rules: [{ from: [], to: [] }] }), []);
            assert.strictEqual(
                evaluateAccess(
                    [policy("open", { action: "ALLOW", rules: [{ from: [], to: [] }] })],
                    BACKEND,
                    get({ principal: undefined }),
                ).allowed,
                true,
            );
            const emptyField = policy("ns", {
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { principals: [], namespaces: ["frontend"] } }],
                        to: [{ operation: { methods: [], paths: ["/api/*"] } }],
                    },
                ],
            });
            assert.strictEqual(evaluateAccess([emptyField], BACKEND, get()).allowed, true);
            assert.deepStrictEqual(spec({ rules: [{ from: [{}] }] }), ["rules[0].from[0].source: must not be nil"]);
            assert.deepStrictEqual(spec({ rules: [{ from: [{ source: { principals: [] } }] }] }), [
                "rules[0].from[0].source: `from.source` must not be empty",
            ]);
            assert.deepStrictEqual(spec({ rules: [{ to: [{ operation: {} }] }] }), [
                "rules[0].to[0].operation: `to.operation` must not be empty",
            ]);
            assert.deepStrictEqual(spec({ rules: [{ to: [{ operation: { methods: [""] } }] }] }), [
                "rules[0].to[0].operation.methods[0]: empty value not allowed",
            ]);
            assert.deepStrictEqual(spec({ action: "DENY" }), [
                "rules: DENY action without `rules` is meaningless as it will never be triggered; add an empty rule {} to match every request",
            ]);
            assert.deepStrictEqual(
                spec({ rules: [{ to: [{ operation: { paths: ["/a/{**}/{*}", "/b/{x}", "/c/*/{*}"] } }] }] }),
                [
                    "rules[0].to[0].operation.paths[0]: invalid or unsupported path /a/{**}/{*}: {**} is not the last operator",
                    "rules[0].to[0].operation.paths[1]: invalid or unsupported path /b/{x}: contains '{' or '}' beyond a supported path template",
                    'rules[0].to[0].operation.paths[2]: invalid or unsupported path /c/*/{*}: contains segment "*" with invalid string literal',
                ],
            );
            assert.deepStrictEqual(spec({ rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/33", "::1"] } }] }] }), [
                "rules[0].from[0].source.ipBlocks[0]: bad IP address or CIDR range (10.0.0.0/33)",
            ]);
            assert.deepStrictEqual(
                spec({
                    rules: [
                        { when: [{ key: "request.headers[x]" }, { key: "destination.labels[app]", values: ["a"] }] },
                    ],
                }),
                [
                    "rules[0].when[0]: at least one of `values` or `notValues` must be set for key request.headers[x]",
                    "rules[0].when[1]: unknown attribute destination.labels[app] (or one Istio refuses: destination.namespace, destination.labels[...], destination.name, destination.user)",
                ],
            );
            assert.deepStrictEqual(spec({ action: "ALLOW", provider: { name: "x" } }), [
                "provider: `provider` must not be with non CUSTOM action, found ALLOW",
            ]);
            assert.deepStrictEqual(spec({ action: "ALLOW", rules: [{}] }), []);
            assert.doesNotThrow(() => checkPolicies([allowFrontend, allowNothing]));
        });
    });
});
