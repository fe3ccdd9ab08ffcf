import * as assert from "assert";
import { PolicyManifest, Request, evaluateAccess, inIpBlock, matchesValue } from "../../../components/service";

const BACKEND = { namespace: "backend", labels: { app: "backend", version: "v1" } };
const FRONTEND_SA = "cluster.local/ns/frontend/sa/frontend";
const get = (overrides: Partial<Request> = {}): Request => ({
    principal: FRONTEND_SA,
    namespace: "frontend",
    method: "GET",
    path: "/api/items",
    ...overrides,
});
const policy = (name: string, spec: PolicyManifest["spec"], namespace = "backend"): PolicyManifest => ({ metadata: { name, namespace }, spec });
const allowNothing = policy("allow-nothing", {});
const allowFrontend = policy("allow-callers", {
    selector: { matchLabels: { app: "backend" } },
    action: "ALLOW",
    rules: [{ from: [{ source: { principals: [FRONTEND_SA] } }], to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }] }],
});

describe("access evaluator (components/service/access.ts)", () => {
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
        assert.deepStrictEqual(evaluateAccess([], BACKEND, get()), { allowed: true, reason: "no ALLOW policy selects the workload" });
    });

    it("allow-nothing admits nothing", () => {
        assert.deepStrictEqual(evaluateAccess([allowNothing], BACKEND, get()), { allowed: false, reason: "no ALLOW policy matched (backend/allow-nothing)" });
    });

    it("with an ALLOW policy, only a matching one admits: principal, method and path must all match", () => {
        const policies = [allowNothing, allowFrontend];
        assert.deepStrictEqual(evaluateAccess(policies, BACKEND, get()), { allowed: true, reason: "ALLOW backend/allow-callers" });
        assert.strictEqual(evaluateAccess(policies, BACKEND, get({ method: "DELETE" })).allowed, false);
        assert.strictEqual(evaluateAccess(policies, BACKEND, get({ path: "/admin" })).allowed, false);
        assert.strictEqual(evaluateAccess(policies, BACKEND, get({ principal: "cluster.local/ns/default/sa/default" })).allowed, false);
    });

    it("a matching DENY refuses even what an ALLOW admits; a DENY that does not match changes nothing", () => {
        const deny = policy("deny-source-ips", { selector: { matchLabels: { app: "backend" } }, action: "DENY", rules: [{ from: [{ source: { ipBlocks: ["203.0.113.0/24"] } }] }] });
        assert.deepStrictEqual(evaluateAccess([allowFrontend, deny], BACKEND, get({ ip: "203.0.113.9" })), { allowed: false, reason: "DENY backend/deny-source-ips" });
        assert.deepStrictEqual(evaluateAccess([allowFrontend, deny], BACKEND, get({ ip: "10.0.0.9" })), { allowed: true, reason: "ALLOW backend/allow-callers" });
        // A DENY alone does not make the workload default-deny.
        assert.strictEqual(evaluateAccess([deny], BACKEND, get({ ip: "10.0.0.9" })).allowed, true);
    });

    it("a policy applies only to its namespace (or the root namespace) and to workloads its selector matches", () => {
        const elsewhere = policy("allow-nothing", {}, "payment");
        assert.strictEqual(evaluateAccess([elsewhere], BACKEND, get()).allowed, true);
        const meshWide = policy("allow-nothing", {}, "istio-system");
        assert.deepStrictEqual(evaluateAccess([meshWide], BACKEND, get()), { allowed: false, reason: "no ALLOW policy matched (istio-system/allow-nothing)" });
        const otherApp = policy("allow-callers", { selector: { matchLabels: { app: "payment" } }, action: "ALLOW", rules: [{}] });
        assert.strictEqual(evaluateAccess([otherApp], BACKEND, get({ method: "DELETE" })).allowed, true);
    });

    it("namespaces and negated fields: notMethods, notPaths, notPrincipals", () => {
        const byNamespace = policy("allow-callers", {
            action: "ALLOW",
            rules: [{ from: [{ source: { namespaces: ["frontend"], notPrincipals: ["*/sa/legacy"] } }], to: [{ operation: { notMethods: ["DELETE"], notPaths: ["/admin*"] } }] }],
        });
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get()).allowed, true);
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ namespace: "payment" })).allowed, false);
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ principal: "cluster.local/ns/frontend/sa/legacy" })).allowed, false);
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ method: "DELETE" })).allowed, false);
        assert.strictEqual(evaluateAccess([byNamespace], BACKEND, get({ path: "/admin/x" })).allowed, false);
    });

    it("JWT: the require-token DENY refuses a request without a request principal and lets one with a token through", () => {
        const requireJwt = policy("require-jwt", { selector: { matchLabels: { app: "backend" } }, action: "DENY", rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }] });
        const policies = [allowNothing, allowFrontend, requireJwt];
        assert.deepStrictEqual(evaluateAccess(policies, BACKEND, get()), { allowed: false, reason: "DENY backend/require-jwt" });
        assert.deepStrictEqual(evaluateAccess(policies, BACKEND, get({ requestPrincipal: "https://auth.example.com//user-1" })), {
            allowed: true,
            reason: "ALLOW backend/allow-callers",
        });
    });

    it("required headers: a DENY with notValues [*] refuses a request without the header", () => {
        const headers = policy("deny-missing-headers", { action: "DENY", rules: [{ when: [{ key: "request.headers[x-tenant-id]", notValues: ["*"] }] }] });
        assert.deepStrictEqual(evaluateAccess([headers], BACKEND, get()), { allowed: false, reason: "DENY backend/deny-missing-headers" });
        assert.strictEqual(evaluateAccess([headers], BACKEND, get({ headers: { "x-tenant-id": "t1" } })).allowed, true);
    });

    it("an ALLOW policy with an empty rule admits everything; one without rules admits nothing", () => {
        assert.strictEqual(evaluateAccess([policy("all", { action: "ALLOW", rules: [{}] })], BACKEND, get({ principal: undefined })).allowed, true);
        assert.strictEqual(evaluateAccess([policy("none", { action: "ALLOW", rules: [] })], BACKEND, get()).allowed, false);
    });

    it("refuses to guess: CUSTOM, targetRef and unknown fields fail naming the policy", () => {
        assert.throws(() => evaluateAccess([policy("ext", { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] })], BACKEND, get()), {
            message: "access matrix: policy backend/ext: action CUSTOM is not modelled",
        });
        assert.throws(() => evaluateAccess([policy("gw", { targetRefs: [{ kind: "Gateway", name: "gw" }] })], BACKEND, get()), {
            message: "access matrix: policy backend/gw: targetRef is not modelled",
        });
        assert.throws(() => evaluateAccess([policy("p", { action: "ALLOW", rules: [{ to: [{ operation: { ports: ["8080"] } }] }] })], BACKEND, get()), {
            message: "access matrix: policy backend/p: operation field ports is not modelled",
        });
    });
});
