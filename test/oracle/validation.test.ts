import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyManifest, policyProblems } from "../../plan/authorization";
import { tempDir } from "../helpers/temp";
import { deployment, oracleBinary, runOracle, writeManifests } from "../../plan/oracle";

/** Whether Istio's validation (run by the oracle as istiod parses a resource) accepts the policy spec. */
function istioAccepts(spec: unknown): boolean {
    const dir = tempDir("oracle-validation");
    const policy = {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: "p", namespace: "ns1" },
        spec,
    };
    writeManifests(path.join(dir, "val-s"), [deployment("s", "ns1", "s", { app: "s" }), policy]);
    fs.mkdirSync(path.join(dir, "val"));
    fs.writeFileSync(
        path.join(dir, "val", "access.json"),
        JSON.stringify([
            { from: "outsider", to: "s", method: "GET", path: "/", token: false, allowed: true, reason: "" },
        ]),
    );
    try {
        runOracle(dir, "val");
        return true;
    } catch (err) {
        if (err instanceof Error && err.message.includes("istio rejects a security resource")) {
            return false;
        }
        throw err;
    }
}

const refused: [string, unknown][] = [
    ["an empty source", { rules: [{ from: [{ source: {} }] }] }],
    ["a source of empty lists", { rules: [{ from: [{ source: { principals: [], notNamespaces: [] } }] }] }],
    ["a from without source", { rules: [{ from: [{}] }] }],
    ["an empty operation", { rules: [{ to: [{ operation: {} }] }] }],
    ["an empty value", { rules: [{ to: [{ operation: { methods: [""] } }] }] }],
    ["DENY without rules", { action: "DENY" }],
    ["DENY with rules: []", { action: "DENY", rules: [] }],
    ["a provider outside CUSTOM", { action: "ALLOW", provider: { name: "opa" }, rules: [{}] }],
    ["{**} before another operator", { rules: [{ to: [{ operation: { paths: ["/a/{**}/{*}"] } }] }] }],
    ["a brace outside a template", { rules: [{ to: [{ operation: { paths: ["/b/{x}"] } }] }] }],
    ["'*' as a template literal", { rules: [{ to: [{ operation: { paths: ["/c/*/{*}"] } }] }] }],
    ["a bad CIDR", { rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/33"] } }] }] }],
    ["a condition without values", { rules: [{ when: [{ key: "request.headers[x]" }] }] }],
    ["a condition on destination labels", { rules: [{ when: [{ key: "destination.labels[app]", values: ["a"] }] }] }],
];

const accepted: [string, unknown][] = [
    ["allow-nothing", {}],
    ["ALLOW with rules: []", { action: "ALLOW", rules: [] }],
    ["AUDIT without rules", { action: "AUDIT" }],
    ["an empty rule", { rules: [{}] }],
    ["from: [] and to: [] (absent for istiod)", { rules: [{ from: [], to: [] }] }],
    ["an empty list next to a value", { rules: [{ from: [{ source: { principals: [], namespaces: ["a"] } }] }] }],
    ["templates", { rules: [{ to: [{ operation: { paths: ["/{**}", "/a/{**}/b", "/api/{*}/items", "/x/{*}/"] } }] }] }],
    ["'*' in a namespace", { rules: [{ from: [{ source: { namespaces: ["team-*-prod"] } }] }] }],
];

describe("what our evaluator refuses is what Istio's validation refuses (the oracle)", function () {
    this.timeout(5 * 60 * 1000);
    before(() => oracleBinary());

    for (const [what, spec] of refused) {
        it(`both refuse ${what}`, () => {
            const problems = policyProblems({ metadata: { name: "p", namespace: "ns1" }, spec } as PolicyManifest);
            assert.notDeepStrictEqual(problems, [], "our validation accepts it");
            assert.strictEqual(istioAccepts(spec), false, `Istio accepts it; ours says: ${problems.join("; ")}`);
        });
    }
    for (const [what, spec] of accepted) {
        it(`both accept ${what}`, () => {
            assert.deepStrictEqual(
                policyProblems({ metadata: { name: "p", namespace: "ns1" }, spec } as PolicyManifest),
                [],
            );
            assert.strictEqual(istioAccepts(spec), true);
        });
    }
});
