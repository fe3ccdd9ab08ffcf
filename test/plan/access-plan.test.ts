import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    AccessMesh,
    AccessRow,
    MARKDOWN_TABLE_ROWS,
    OutboundRow,
    accessMarkdown,
    accessMatrix,
    allowedEdgeLines,
    accessMeshOf,
    accessPlan,
    boundaryPaths,
    checkAllowedCallers,
    describeOutbound,
    egressHostMatches,
    outboundRows,
    planAccess,
    rowsJson,
} from "../../plan/access-plan";
import { evaluate } from "../../plan/evaluate";
import { DEV_COMMON_OUTPUTS, devStackOutputs } from "../helpers/fixtures";
import { devPlan } from "../helpers/dev-plan";
import { StackPlan } from "../../plan/plan";
import { readStackConfig } from "../../plan/stack-config";
import { tempDir } from "../helpers/temp";
import { FIXTURE_STACKS, copyFixtureStacks } from "../helpers/stacks";

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
        const evaluation = await evaluate({
            stack,
            config: config.config,
            secretKeys: config.secretKeys,
            stackOutputs: devStackOutputs(),
        });
        plans.push({ config, layer: "service", evaluation, violations: [], policyViolations: [] });
    }
    return plans;
}

function allowedOf(rows: readonly AccessRow[]): string[] {
    return rows
        .filter((r) => r.allowed)
        .map((r) => `${r.from}${r.token ? "+token" : ""} -> ${r.to} ${r.method} ${r.path}`);
}

describe("access matrix (plan/access-plan.ts)", () => {
    let plans: StackPlan[];
    let rows: AccessRow[];
    before(async () => {
        plans = await devServicePlans();
        rows = accessMatrix(plans, MESH);
    });

    it("allows exactly seed 003's edges, the gateway (with a token) to the frontend and any workload of backend's namespace to payment", () => {
        assert.deepStrictEqual(allowedOf(rows), [
            "frontend -> backend GET /api/example",
            "frontend -> backend POST /api/example",
            "ingress-gateway+token -> frontend GET /",
            "ingress-gateway+token -> frontend POST /",
            "ingress-gateway+token -> frontend PUT /",
            "ingress-gateway+token -> frontend DELETE /",
            "backend -> payment POST /charge",
            "other-in-backend -> payment POST /charge",
        ]);
    });

    it("tries a token of each issuer the target accepts, and none where no RequestAuthentication accepts one", () => {
        const tokens = rows.filter((r) => r.token);
        assert.deepStrictEqual(
            [...new Set(tokens.map((r) => `${r.from} -> ${r.to} ${r.issuer}`))],
            ["ingress-gateway -> frontend https://auth.example.com/"],
        );
        assert.deepStrictEqual(Object.keys(tokens[0]), [
            "from",
            "to",
            "method",
            "path",
            "token",
            "issuer",
            "allowed",
            "reason",
        ]);
    });

    it("summarises each allowed edge with the admitting rule as written, marking namespace-wide rules", () => {
        const { edges } = accessPlan(plans, MESH);
        assert.deepStrictEqual(edges, [
            {
                from: "frontend",
                to: "backend",
                rules: ["GET, POST on /api/* (backend/allow-callers rules[0])"],
                namespaceWide: [],
            },
            {
                from: "ingress-gateway",
                to: "frontend",
                issuer: "https://auth.example.com/",
                rules: ["any method on any path (frontend/allow-callers rules[0])"],
                namespaceWide: [],
            },
            {
                from: "backend",
                to: "payment",
                rules: ["POST on /charge (payment/allow-callers rules[0])"],
                namespaceWide: ["backend"],
            },
            {
                from: "other-in-backend",
                to: "payment",
                rules: ["POST on /charge (payment/allow-callers rules[0])"],
                namespaceWide: ["backend"],
            },
        ]);
    });

    it("prints the allowed edges on the console, sorted, and says how many more access.md lists", () => {
        const planned = accessPlan(plans, MESH);
        assert.deepStrictEqual(allowedEdgeLines(planned), [
            "  allowed edges (4):",
            "    backend -> payment: POST on /charge (payment/allow-callers rules[0]); namespace-wide: any workload of namespace backend (tried as other-in-backend)",
            "    frontend -> backend: GET, POST on /api/* (backend/allow-callers rules[0])",
            "    ingress-gateway (token of https://auth.example.com/) -> frontend: any method on any path (frontend/allow-callers rules[0])",
            "    other-in-backend -> payment: POST on /charge (payment/allow-callers rules[0]); namespace-wide: any workload of namespace backend (tried as other-in-backend)",
        ]);
        assert.deepStrictEqual(allowedEdgeLines(planned, 1).slice(1), [
            "    backend -> payment: POST on /charge (payment/allow-callers rules[0]); namespace-wide: any workload of namespace backend (tried as other-in-backend)",
            "    ... and 3 more in access.md",
        ]);
        assert.deepStrictEqual(allowedEdgeLines({ ...planned, edges: [] }), [
            "  allowed edges: none (every service refuses every caller)",
        ]);
    });

    it("writes not* operations and empty lists of a rule as Istio reads them", () => {
        const withRules = (rules: unknown[]) =>
            plans.map((p) => ({
                ...p,
                evaluation: {
                    ...p.evaluation,
                    resources: p.evaluation.resources.map((r) =>
                        r.name === "backend-allow-callers"
                            ? { ...r, inputs: { ...r.inputs, spec: { ...(r.inputs.spec as object), rules } } }
                            : r,
                    ),
                },
            }));
        const backendEdges = (rules: unknown[]) =>
            accessPlan(withRules(rules), MESH)
                .edges.filter((e) => e.from === "frontend" && e.to === "backend")
                .map((e) => e.rules);
        const frontend = { source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } };
        assert.deepStrictEqual(
            backendEdges([
                { from: [frontend], to: [{ operation: { notMethods: ["DELETE"], paths: [], notPaths: ["/admin*"] } }] },
            ]),
            [["any method but DELETE on any path but /admin* (backend/allow-callers rules[0])"]],
        );
        assert.deepStrictEqual(backendEdges([{ from: [frontend], to: [] }]), [
            ["any method on any path (backend/allow-callers rules[0])"],
        ]);
    });

    it("refuses, naming it, a recorded policy Istio's validation refuses, instead of computing a matrix", () => {
        const broken = plans.map((p) => ({
            ...p,
            evaluation: {
                ...p.evaluation,
                resources: p.evaluation.resources.map((r) =>
                    r.name === "backend-allow-callers"
                        ? {
                              ...r,
                              inputs: {
                                  ...r.inputs,
                                  spec: { ...(r.inputs.spec as object), rules: [{ from: [{ source: {} }] }] },
                              },
                          }
                        : r,
                ),
            },
        }));
        assert.throws(() => accessMatrix(broken, MESH), {
            message:
                "access matrix: Istio's validation refuses a policy, so it is not evaluated:\n" +
                "  - AuthorizationPolicy backend/allow-callers: rules[0].from[0].source: `from.source` must not be empty",
        });
    });

    it("tries each rule's paths at their boundary: one inside and one just outside, templates too", () => {
        assert.deepStrictEqual(boundaryPaths("/api/*"), ["/api/example", "/api"]);
        assert.deepStrictEqual(boundaryPaths("/charge"), ["/charge", "/charge/"]);
        assert.deepStrictEqual(boundaryPaths("/charge/"), ["/charge/", "/charge"]);
        assert.deepStrictEqual(boundaryPaths("*.json"), ["/example.json", "/example.jso"]);
        assert.deepStrictEqual(boundaryPaths("/*"), ["/example"]);
        assert.deepStrictEqual(boundaryPaths("*"), ["/"]);
        assert.deepStrictEqual(boundaryPaths("/api/{*}"), ["/api/example", "/api/a/b"]);
        assert.deepStrictEqual(boundaryPaths("/api/{*}/items/{*}"), [
            "/api/example/items/example",
            "/api/a/b/items/example",
        ]);
        assert.deepStrictEqual(boundaryPaths("/files/{**}"), ["/files/a/b", "/files/", "/files"]);
    });

    it("refuses frontend -> backend DELETE /api/..., the outsider everywhere and the gateway without a token", () => {
        const find = (from: string, to: string, method: string, p: string, token = false) =>
            rows.find(
                (r) => r.from === from && r.to === to && r.method === method && r.path === p && r.token === token,
            );
        assert.deepStrictEqual(find("frontend", "backend", "DELETE", "/api/example")?.allowed, false);
        assert.match(
            find("frontend", "backend", "DELETE", "/api/example")!.reason,
            /^no ALLOW policy matched \(backend\/allow-callers, backend\/allow-nothing\)$/,
        );
        assert.strictEqual(find("frontend", "backend", "GET", "/api")?.allowed, false);
        assert.strictEqual(find("backend", "payment", "POST", "/charge/")?.allowed, false);
        assert.deepStrictEqual(
            find("ingress-gateway", "frontend", "GET", "/")?.reason,
            "no ALLOW policy matched (frontend/allow-callers, frontend/allow-nothing)",
        );
        const outsider = rows.filter((r) => r.from === "outsider");
        assert.strictEqual(outsider.length > 0 && outsider.every((r) => !r.allowed), true);
        assert.deepStrictEqual([...new Set(outsider.map((r) => r.to))].sort(), ["backend", "frontend", "payment"]);
        assert.strictEqual(
            rows.filter((r) => r.from === "ingress-gateway" && r.to !== "frontend").every((r) => !r.allowed),
            true,
        );
    });

    it("probes the boundary of the paths the policies name, with GET, POST, PUT and DELETE", () => {
        const probes = (to: string) =>
            [...new Set(rows.filter((r) => r.to === to).map((r) => `${r.method} ${r.path}`))].sort();
        const each = (paths: string[]) =>
            ["DELETE", "GET", "POST", "PUT"].flatMap((m) => paths.map((p) => `${m} ${p}`));
        assert.deepStrictEqual(probes("payment"), each(["/", "/charge", "/charge/"]));
        assert.deepStrictEqual(probes("backend"), each(["/", "/api", "/api/example"]));
        assert.deepStrictEqual(probes("frontend"), each(["/"]));
        assert.deepStrictEqual(
            [...new Set(rows.filter((r) => r.to === "payment").map((r) => r.from))],
            ["backend", "frontend", "ingress-gateway", "outsider", "other-in-backend"],
        );
    });

    it("reads the recorded policies, not the config: removing a recorded ALLOW policy refuses its edges", () => {
        const stripped = plans.map((p) => ({
            ...p,
            evaluation: {
                ...p.evaluation,
                resources: p.evaluation.resources.filter((r) => r.name !== "backend-allow-callers"),
            },
        }));
        assert.deepStrictEqual(
            allowedOf(accessMatrix(stripped, MESH)).filter((e) => e.includes("-> backend")),
            [],
        );
    });

    it("leaves a table of more than MARKDOWN_TABLE_ROWS rows to access.json, one row per line there", () => {
        const planned = { rows, edges: [] };
        const md = accessMarkdown("dev", planned, rows.length - 1);
        const tried = md.slice(md.indexOf("## Every request tried"));
        assert.strictEqual(
            tried.trim(),
            `## Every request tried\n\n${rows.length} requests, too many for a table one can read (more than ${rows.length - 1}): every one is in\n` +
                "access.json, one per line; the allowed edges above sum up those allowed.",
        );
        assert.strictEqual(
            accessMarkdown("dev", planned, rows.length)
                .split("\n")
                .filter((l) => l.startsWith("| ")).length,
            rows.length + 1,
        );
        assert.ok(MARKDOWN_TABLE_ROWS >= 10000);
        const json = rowsJson(rows.slice(0, 2));
        assert.deepStrictEqual(json.split("\n"), [
            "[",
            `  ${JSON.stringify(rows[0])},`,
            `  ${JSON.stringify(rows[1])}`,
            "]",
            "",
        ]);
        assert.strictEqual(rowsJson([]), "[]\n");
    });

    it("writes access.json and access.md with a Mermaid graph of the allowed edges", () => {
        const out = tempDir("access");
        const common = {
            config: readStackConfig("dev-common", FIXTURE_STACKS),
            layer: "common",
            violations: [],
            policyViolations: [],
            evaluation: { resources: [], rawOutputs: { ...DEV_COMMON_OUTPUTS } },
        } as unknown as StackPlan;
        const planned = planAccess("dev", [common, ...plans], out);
        const { dir } = planned;
        assert.strictEqual(dir, path.join(out, "dev"));
        const json = JSON.parse(fs.readFileSync(path.join(dir, "access.json"), "utf8")) as AccessRow[];
        assert.deepStrictEqual(json, rows);
        assert.deepStrictEqual(Object.keys(json[0]), ["from", "to", "method", "path", "token", "allowed", "reason"]);
        const md = fs.readFileSync(path.join(dir, "access.md"), "utf8");
        assert.strictEqual(md, accessMarkdown("dev", planned));
        const section = (title: string) => md.slice(md.indexOf(title), md.indexOf("\n## ", md.indexOf(title) + 1));
        assert.deepStrictEqual(
            section("## Allowed edges")
                .split("\n")
                .filter((l) => l.startsWith("- ")),
            [
                "- backend -> payment: POST on /charge (payment/allow-callers rules[0]); namespace-wide: any workload of namespace backend (tried as other-in-backend)",
                "- frontend -> backend: GET, POST on /api/* (backend/allow-callers rules[0])",
                "- ingress-gateway (token of https://auth.example.com/) -> frontend: any method on any path (frontend/allow-callers rules[0])",
                "- other-in-backend -> payment: POST on /charge (payment/allow-callers rules[0]); namespace-wide: any workload of namespace backend (tried as other-in-backend)",
            ],
        );
        const edges = md.split("\n").filter((l) => l.includes("-->"));
        assert.deepStrictEqual(edges, [
            '    backend -->|"POST on /charge<br/>namespace-wide: backend"| payment',
            '    frontend -->|"GET, POST on /api/*"| backend',
            '    ingress_gateway -->|"any method on any path<br/>token of https://auth.example.com/"| frontend',
            '    other_in_backend -->|"POST on /charge<br/>namespace-wide: backend"| payment',
            '    payment -->|"HTTPS 443"| ext_api_payments_example_com[/"api.payments.example.com"/]',
        ]);
        assert.deepStrictEqual(
            section("## Outbound (external hosts)")
                .split("\n")
                .filter((l) => l.startsWith("- ")),
            planned.outbound!.map((r) => `- ${describeOutbound(r)}`),
        );
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(dir, "outbound.json"), "utf8")), planned.outbound);
    });

    it("takes the mesh facts from the common stack's plan, and says which are missing", () => {
        const common = (outputs: Record<string, unknown>) =>
            ({ layer: "common", evaluation: { rawOutputs: outputs } }) as unknown as StackPlan;
        // The environment's data plane too (the outsider's), when the common stack exports one.
        assert.deepStrictEqual(accessMeshOf([common({ ...DEV_COMMON_OUTPUTS })]), { ...MESH, dataPlane: "sidecar" });
        assert.deepStrictEqual(accessMeshOf([common({ ...DEV_COMMON_OUTPUTS, dataPlane: "ambient" })]), {
            ...MESH,
            dataPlane: "ambient",
        });
        const { dataPlane: _dataPlane, ...older } = DEV_COMMON_OUTPUTS as Record<string, unknown>;
        assert.deepStrictEqual(accessMeshOf([common(older)]), MESH);
        assert.throws(() => accessMeshOf([common({ clusterName: "dev-common-eks-cluster" })]), {
            message:
                "access matrix: the common stack's plan lacks trustDomain, istioNamespace, gatewayNamespace, gatewayName",
        });
    });

    it("fails naming the file when an allow rule names a service with no stack in the environment", () => {
        const dir = tempDir("env");
        copyFixtureStacks(dir);
        const backend = path.join(dir, "Pulumi.dev-backend.yaml");
        fs.writeFileSync(
            backend,
            fs.readFileSync(backend, "utf8").replace("- service: frontend", "- service: frontnd"),
        );
        assert.throws(() => checkAllowedCallers("dev", dir), {
            message:
                'environment "dev": an allow rule names a service without a stack:\n' +
                '  - Pulumi.dev-backend.yaml: platform:allowedCallers[0].service = "frontnd": no stack "dev-frontnd" in environment "dev" (Pulumi.dev-frontnd.yaml does not exist); allowed: one of backend, frontend, payment',
        });
        assert.doesNotThrow(() => checkAllowedCallers("dev", FIXTURE_STACKS));
    });

    describe("outbound (closed egress)", () => {
        const lines = (rows: readonly OutboundRow[]) => rows.map(describeOutbound);

        it("lets payment reach its declared host on its declared port only; nobody reaches an undeclared host (REGISTRY_ONLY)", () => {
            assert.deepStrictEqual(lines(outboundRows(plans, "REGISTRY_ONLY")), [
                "backend -> api.payments.example.com:80 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in backend declares api.payments.example.com:80",
                "backend -> api.payments.example.com:443 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in backend declares api.payments.example.com:443",
                "backend -> undeclared.example.com:443 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in backend declares undeclared.example.com:443",
                "frontend -> api.payments.example.com:80 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in frontend declares api.payments.example.com:80",
                "frontend -> api.payments.example.com:443 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in frontend declares api.payments.example.com:443",
                "frontend -> undeclared.example.com:443 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in frontend declares undeclared.example.com:443",
                "payment -> api.payments.example.com:80 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in payment declares api.payments.example.com:80",
                "payment -> api.payments.example.com:443 (HTTPS): allowed, ServiceEntry payment/external-https-443 and Sidecar payment egress",
                "payment -> undeclared.example.com:443 (undeclared): refused, REGISTRY_ONLY: no ServiceEntry visible in payment declares undeclared.example.com:443",
            ]);
            // The matrix assumes closed egress unless the mesh says otherwise.
            assert.deepStrictEqual(accessPlan(plans, MESH).outbound, outboundRows(plans, "REGISTRY_ONLY"));
        });

        it("with ALLOW_ANY, every host passes through: the matrix says so instead of pretending egress is closed", () => {
            const rows = outboundRows(plans, "ALLOW_ANY");
            assert.deepStrictEqual(
                rows.filter((r) => !r.allowed),
                [],
            );
            assert.deepStrictEqual(lines(rows.filter((r) => r.from === "payment")), [
                "payment -> api.payments.example.com:80 (undeclared): allowed, ALLOW_ANY: the sidecar passes a host outside its registry through",
                "payment -> api.payments.example.com:443 (HTTPS): allowed, ServiceEntry payment/external-https-443 and Sidecar payment egress",
                "payment -> undeclared.example.com:443 (undeclared): allowed, ALLOW_ANY: the sidecar passes a host outside its registry through",
            ]);
        });

        it("reads the recorded Sidecar: a ServiceEntry its egress does not list is refused", () => {
            const stripped = plans.map((p) => ({
                ...p,
                evaluation: {
                    ...p.evaluation,
                    resources: p.evaluation.resources.map((r) =>
                        r.name === "payment-sidecar"
                            ? { ...r, inputs: { ...r.inputs, spec: { egress: [{ hosts: ["istio-system/*"] }] } } }
                            : r,
                    ),
                },
            }));
            assert.deepStrictEqual(
                lines(
                    outboundRows(stripped, "REGISTRY_ONLY").filter(
                        (r) => r.from === "payment" && r.port === 443 && r.host !== "undeclared.example.com",
                    ),
                ),
                [
                    "payment -> api.payments.example.com:443 (HTTPS): refused, REGISTRY_ONLY: ServiceEntry payment/external-https-443 declares it, but the Sidecar of payment does not list it",
                ],
            );
        });

        it("matches Sidecar egress hosts as Istio does: namespace ., * or a name; host exact, * or *.suffix", () => {
            const cases: [string, boolean][] = [
                ["./api.example.com", true],
                ["payment/api.example.com", true],
                ["*/api.example.com", true],
                ["./*", true],
                ["./*.example.com", true],
                ["backend/api.example.com", false],
                ["./*.example.org", false],
                ["./other.example.com", false],
                ["~/api.example.com", false],
            ];
            assert.deepStrictEqual(
                cases.map(([entry]) => [entry, egressHostMatches(entry, "payment", "api.example.com", "payment")]),
                cases,
            );
        });

        it("reads the mesh's outbound policy from the common plan's istiod release (Istio's ALLOW_ANY when unset)", () => {
            const common = (values: unknown) =>
                ({
                    layer: "common",
                    evaluation: {
                        rawOutputs: { ...DEV_COMMON_OUTPUTS },
                        resources: [{ type: "kubernetes:helm.sh/v3:Release", inputs: { chart: "istiod", values } }],
                    },
                }) as unknown as StackPlan;
            assert.strictEqual(
                accessMeshOf([common({ meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } })])
                    .outboundTrafficPolicy,
                "REGISTRY_ONLY",
            );
            assert.strictEqual(
                accessMeshOf([common({ meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } } })])
                    .outboundTrafficPolicy,
                "ALLOW_ANY",
            );
            assert.strictEqual(accessMeshOf([common({ meshConfig: {} })]).outboundTrafficPolicy, "ALLOW_ANY");
        });

        it("finds the istiod release of the real common plan, whose chart is a repository reference", async () => {
            // dev-common's fixture sets meshOutboundTrafficPolicy REGISTRY_ONLY; its istiod chart is
            // oci://ghcr.io/istio/release/charts/istiod, not the bare name.
            const plans = await devPlan();
            const charts = plans
                .find((p) => p.layer === "common")!
                .evaluation.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
                .map((r) => r.inputs.chart);
            assert.ok(charts.includes("oci://ghcr.io/istio/release/charts/istiod"), charts.join(", "));
            assert.strictEqual(accessMeshOf(plans).outboundTrafficPolicy, "REGISTRY_ONLY");
        });
    });
});
