import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AccessMesh, AccessRow, accessMarkdown, accessMatrix, accessMeshOf, checkAllowedCallers, planAccess } from "./access-plan";
import { evaluate } from "./evaluate";
import { DEV_COMMON_OUTPUTS, devStackOutputs } from "./fixtures";
import { StackPlan } from "./plan";
import { ROOT, readStackConfig } from "./stack-config";
import { tempDir } from "./temp";

const MESH: AccessMesh = {
    trustDomain: DEV_COMMON_OUTPUTS.trustDomain,
    rootNamespace: DEV_COMMON_OUTPUTS.istioNamespace,
    gatewayNamespace: DEV_COMMON_OUTPUTS.gatewayNamespace,
    gatewayName: DEV_COMMON_OUTPUTS.gatewayName,
};

/** Plans dev's three service stacks from their real config files against the canned lower layers. */
async function devServicePlans(): Promise<StackPlan[]> {
    const plans: StackPlan[] = [];
    for (const stack of ["dev-backend", "dev-frontend", "dev-payment"]) {
        const config = readStackConfig(stack);
        const evaluation = await evaluate({ stack, config: config.config, secretKeys: config.secretKeys, stackOutputs: devStackOutputs() });
        plans.push({ config, layer: "service", evaluation, violations: [], policyViolations: [] });
    }
    return plans;
}

function allowedOf(rows: readonly AccessRow[]): string[] {
    return rows.filter((r) => r.allowed).map((r) => `${r.from}${r.token ? "+token" : ""} -> ${r.to} ${r.method} ${r.path}`);
}

describe("access matrix (test/helpers/access-plan.ts)", () => {
    let plans: StackPlan[];
    let rows: AccessRow[];
    before(async () => {
        plans = await devServicePlans();
        rows = accessMatrix(plans, MESH);
    });

    it("allows exactly seed 003's edges and the gateway (with a token) to the frontend", () => {
        assert.deepStrictEqual(allowedOf(rows), [
            "frontend -> backend GET /api/example",
            "frontend -> backend POST /api/example",
            "ingress-gateway+token -> frontend GET /",
            "ingress-gateway+token -> frontend POST /",
            "ingress-gateway+token -> frontend PUT /",
            "ingress-gateway+token -> frontend DELETE /",
            "backend -> payment POST /charge",
        ]);
    });

    it("refuses frontend -> backend DELETE /api/..., the outsider everywhere and the gateway without a token", () => {
        const find = (from: string, to: string, method: string, p: string, token = false) =>
            rows.find((r) => r.from === from && r.to === to && r.method === method && r.path === p && r.token === token);
        assert.deepStrictEqual(find("frontend", "backend", "DELETE", "/api/example")?.allowed, false);
        assert.match(find("frontend", "backend", "DELETE", "/api/example")!.reason, /^no ALLOW policy matched \(backend\/allow-callers, backend\/allow-nothing\)$/);
        assert.deepStrictEqual(find("ingress-gateway", "frontend", "GET", "/")?.reason, "no ALLOW policy matched (frontend/allow-callers, frontend/allow-nothing)");
        const outsider = rows.filter((r) => r.from === "outsider");
        assert.strictEqual(outsider.length > 0 && outsider.every((r) => !r.allowed), true);
        assert.deepStrictEqual([...new Set(outsider.map((r) => r.to))].sort(), ["backend", "frontend", "payment"]);
        assert.strictEqual(rows.filter((r) => r.from === "ingress-gateway" && r.to !== "frontend").every((r) => !r.allowed), true);
    });

    it("probes the paths the policies name, with GET, POST, PUT and DELETE", () => {
        const probes = (to: string) => [...new Set(rows.filter((r) => r.to === to).map((r) => `${r.method} ${r.path}`))].sort();
        assert.deepStrictEqual(probes("payment"), ["DELETE /", "DELETE /charge", "GET /", "GET /charge", "POST /", "POST /charge", "PUT /", "PUT /charge"]);
        assert.deepStrictEqual(probes("frontend"), ["DELETE /", "GET /", "POST /", "PUT /"]);
    });

    it("reads the recorded policies, not the config: removing a recorded ALLOW policy refuses its edges", () => {
        const stripped = plans.map((p) => ({
            ...p,
            evaluation: { ...p.evaluation, resources: p.evaluation.resources.filter((r) => r.name !== "backend-allow-callers") },
        }));
        assert.deepStrictEqual(
            allowedOf(accessMatrix(stripped, MESH)).filter((e) => e.includes("-> backend")),
            [],
        );
    });

    it("writes access.json and access.md with a Mermaid graph of the allowed edges", () => {
        const out = tempDir("access");
        const common = { config: readStackConfig("dev-common"), layer: "common", violations: [], policyViolations: [], evaluation: { resources: [], rawOutputs: { ...DEV_COMMON_OUTPUTS } } } as unknown as StackPlan;
        const { dir } = planAccess("dev", [common, ...plans], out);
        assert.strictEqual(dir, path.join(out, "dev"));
        const json = JSON.parse(fs.readFileSync(path.join(dir, "access.json"), "utf8")) as AccessRow[];
        assert.deepStrictEqual(json, rows);
        assert.deepStrictEqual(Object.keys(json[0]), ["from", "to", "method", "path", "token", "allowed", "reason"]);
        const md = fs.readFileSync(path.join(dir, "access.md"), "utf8");
        assert.strictEqual(md, accessMarkdown("dev", rows));
        const edges = md.split("\n").filter((l) => l.includes("-->"));
        assert.deepStrictEqual(edges, [
            '    backend -->|"POST /charge"| payment',
            '    frontend -->|"GET /api/example<br/>POST /api/example"| backend',
            '    ingress_gateway -->|"GET / (token)<br/>POST / (token)<br/>PUT / (token)<br/>DELETE / (token)"| frontend',
        ]);
    });

    it("takes the mesh facts from the common stack's plan, and says which are missing", () => {
        const common = (outputs: Record<string, unknown>) =>
            ({ layer: "common", evaluation: { rawOutputs: outputs } }) as unknown as StackPlan;
        assert.deepStrictEqual(accessMeshOf([common({ ...DEV_COMMON_OUTPUTS })]), MESH);
        assert.throws(
            () => accessMeshOf([common({ clusterName: "dev-common-eks-cluster" })]),
            { message: "access matrix: the common stack's plan lacks trustDomain, istioNamespace, gatewayNamespace, gatewayName" },
        );
    });

    it("fails naming the file when an allow rule names a service with no stack in the environment", () => {
        const dir = tempDir("env");
        for (const f of ["Pulumi.dev.yaml", "Pulumi.dev-common.yaml", "Pulumi.dev-frontend.yaml", "Pulumi.dev-payment.yaml"]) {
            fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
        }
        fs.writeFileSync(
            path.join(dir, "Pulumi.dev-backend.yaml"),
            fs.readFileSync(path.join(ROOT, "Pulumi.dev-backend.yaml"), "utf8").replace("- service: frontend", "- service: frontnd"),
        );
        assert.throws(() => checkAllowedCallers("dev", dir), {
            message:
                'environment "dev": an allow rule names a service without a stack:\n' +
                '  - Pulumi.dev-backend.yaml: platform:allowedCallers[0].service = "frontnd": no stack "dev-frontnd" in environment "dev" (Pulumi.dev-frontnd.yaml does not exist); allowed: one of backend, frontend, payment',
        });
        assert.doesNotThrow(() => checkAllowedCallers("dev"));
    });
});
