import * as assert from "assert";
import { isAllowNothing } from "../../policy/mesh";
import { commonStack, edit, serviceStack, violations } from "./fixtures";

const AP = "kubernetes:security.istio.io/v1:AuthorizationPolicy";

describe("policy pack: mesh (Istio)", () => {
    it("mesh-peer-authentication-strict: only STRICT, on every port", async () => {
        const stack = edit(commonStack(), "mesh-mtls", (i) => {
            i.spec.mtls.mode = "PERMISSIVE";
            i.spec.portLevelMtls = { 8080: { mode: "DISABLE" } };
        });
        assert.deepStrictEqual(await violations(stack), [
            '[mesh-peer-authentication-strict] kubernetes:security.istio.io/v1:PeerAuthentication mesh-mtls: PeerAuthentication istio-system/default has mtls.mode "PERMISSIVE": only STRICT is allowed',
            '[mesh-peer-authentication-strict] kubernetes:security.istio.io/v1:PeerAuthentication mesh-mtls: PeerAuthentication istio-system/default has portLevelMtls[8080].mode "DISABLE": only STRICT is allowed',
        ]);
        const unset = edit(commonStack(), "mesh-mtls", (i) => delete i.spec.mtls);
        assert.deepStrictEqual(await violations(unset), [
            "[mesh-peer-authentication-strict] kubernetes:security.istio.io/v1:PeerAuthentication mesh-mtls: PeerAuthentication istio-system/default has mtls.mode null: only STRICT is allowed",
        ]);
    });

    it("mesh-destination-rule-tls: no tls.mode DISABLE at any level", async () => {
        const stack = edit(serviceStack(), "destination-rule", (i) => {
            i.spec.trafficPolicy.tls.mode = "DISABLE";
            i.spec.subsets = [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] } }];
        });
        assert.deepStrictEqual(await violations(stack), [
            "[mesh-destination-rule-tls] kubernetes:networking.istio.io/v1:DestinationRule destination-rule: DestinationRule backend/backend disables TLS (trafficPolicy.tls.mode: DISABLE): use ISTIO_MUTUAL or leave tls unset",
            "[mesh-destination-rule-tls] kubernetes:networking.istio.io/v1:DestinationRule destination-rule: DestinationRule backend/backend disables TLS (subsets[0].trafficPolicy.portLevelSettings[0].tls.mode: DISABLE): use ISTIO_MUTUAL or leave tls unset",
        ]);
    });

    it("mesh-no-wildcard-allow: no wildcard principal or namespace, no rule without a source", async () => {
        const stack = edit(serviceStack(), "allow-frontend", (i) => {
            i.spec.rules = [
                { from: [{ source: { principals: ["*"] } }, { source: { namespaces: ["frontend", "team-*"] } }] },
                { to: [{ operation: { methods: ["GET"] } }] },
            ];
        });
        assert.deepStrictEqual(await violations(stack), [
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend rule 0 allows the wildcard principals "*": name each one`,
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend rule 0 allows the wildcard namespaces "team-*": name each one`,
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend rule 1 allows any source (no from): name principals or namespaces`,
        ]);
        // A DENY policy may use wildcards.
        const deny = edit(serviceStack(), "allow-frontend", (i) => {
            i.spec.action = "DENY";
            i.spec.rules = [{ from: [{ source: { notPrincipals: ["*"], namespaces: ["*"] } }] }];
        });
        assert.deepStrictEqual(await violations(deny), []);
    });

    it("mesh-default-deny: every service namespace has an allow-nothing policy", async () => {
        assert.ok(isAllowNothing({ spec: {} }) && isAllowNothing({}) && isAllowNothing({ spec: { action: "ALLOW", rules: [] } }));
        assert.ok(!isAllowNothing({ spec: { rules: [{}] } }) && !isAllowNothing({ spec: { selector: { matchLabels: { a: "b" } } } }));
        const stack = edit(serviceStack(), "deny-all", (i) => (i.spec = { selector: { matchLabels: { app: "backend" } } }));
        assert.deepStrictEqual(await violations(stack), [
            "[mesh-default-deny] kubernetes:core/v1:Namespace namespace: namespace backend has no allow-nothing AuthorizationPolicy (empty spec): add one so that only explicit ALLOW rules admit traffic",
        ]);
        // Namespaces of the shared layers (owner-service common) are not service namespaces.
        assert.deepStrictEqual(await violations(commonStack()), []);
    });

    it("mesh-request-authentication-paired: a RequestAuthentication needs an AuthorizationPolicy requiring requestPrincipals", async () => {
        const alone = serviceStack().filter((r) => r.name !== "require-jwt");
        assert.deepStrictEqual(await violations(alone), [
            "[mesh-request-authentication-paired] kubernetes:security.istio.io/v1:RequestAuthentication jwt: RequestAuthentication backend/jwt stands alone: requests without a token are accepted; pair it with an AuthorizationPolicy on the same workloads whose rules require requestPrincipals",
        ]);
        const otherWorkload = edit(serviceStack(), "require-jwt", (i) => (i.spec.selector.matchLabels = { app: "other" }));
        assert.strictEqual((await violations(otherWorkload)).length, 1);
        const denyWithout = edit(serviceStack(), "require-jwt", (i) => {
            i.spec = { action: "DENY", rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }] };
        });
        assert.deepStrictEqual(await violations(denyWithout), []);
    });
});
