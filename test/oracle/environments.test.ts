import * as assert from "assert";
import { stackFilesWithKeys } from "../../plan/stack-config";
import { tempDir } from "../helpers/temp";
import * as path from "path";
import {
    OracleRun,
    ambientOracleBinary,
    checkEnvironment,
    checkPlan,
    environments,
    oracleBinary,
} from "../../plan/oracle";
import * as fs from "fs";
import { AccessRow, planAccess } from "../../plan/access-plan";
import { planEnvironment, writeStackPlan } from "../../plan/plan";
import { AMBIENT_FIXTURE_STACKS, BACKEND_ON_SIDECARS } from "../helpers/stacks";

describe("the access matrix of every environment agrees with Istio's policy compiler (the oracle)", function () {
    this.timeout(10 * 60 * 1000);
    before(() => oracleBinary()); // fails first, with how to provide it

    it("finds the environments of the stack files", () => {
        assert.ok(environments().includes("dev"), `environments: ${environments().join(", ")}`);
    });

    for (const env of environments()) {
        it(`${env}: every row of the plan's access.json agrees`, () => {
            const run = checkEnvironment(env, tempDir(`oracle-${env}`));
            const bad = [...run.disagree, ...run.unknown];
            assert.ok(run.lines.length > 0, run.summary);
            assert.deepStrictEqual(bad, [], `${run.summary}\n${bad.join("\n")}`);
        });
    }

    // The sidecar oracle judges the rows of sidecar services and shared workloads, the ambient
    // oracle those of ambient services (docs/service.md, "How the matrix is proven").
    for (const [name, dir, ambient] of [
        ["the ambient fixture", () => AMBIENT_FIXTURE_STACKS, ["backend", "frontend", "payment"]],
        [
            "the mixed fixture (backend on sidecars)",
            () =>
                stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, {
                    "dev-backend": BACKEND_ON_SIDECARS,
                }),
            ["frontend", "payment"],
        ],
    ] as const) {
        it(`${name}: every row agrees, the ambient services' rows judged by the ambient oracle`, async () => {
            const run = checkPlan(await writtenPlan(dir()), "dev");
            assert.deepStrictEqual(run.ambient, ambient);
            const bad = [...run.disagree, ...run.unknown];
            assert.ok(run.lines.length > 0, run.summary);
            assert.deepStrictEqual(bad, [], `${run.summary}\n${bad.join("\n")}`);
        });
    }

    it("a sidecar caller of a service behind a waypoint: Istio sends it past the waypoint, and the matrix says so", async () => {
        // Refused by the environment's checks (checkAllowedCallers); planned here to show why.
        const dir = stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, { "dev-frontend": { serviceDataPlane: "sidecar" } });
        const out = await writtenPlan(dir);
        const rows = JSON.parse(fs.readFileSync(path.join(out, "dev", "access.json"), "utf8")) as AccessRow[];
        const bypass = rows.filter((r) => r.from === "frontend" && r.to === "backend");
        assert.ok(bypass.length > 0);
        for (const r of bypass) {
            assert.strictEqual(r.allowed, false, JSON.stringify(r));
            assert.match(r.reason, /^past the waypoint \(a sidecar or the gateway sends to the pods\): ztunnel: /);
        }
        const run = checkPlan(out, "dev");
        const bad = [...run.disagree, ...run.unknown];
        assert.deepStrictEqual(bad, [], `${run.summary}\n${bad.join("\n")}`);
        const judged = run.lines.filter((l) => l.includes(" frontend -> backend "));
        assert.strictEqual(judged.length, bypass.length);
        for (const line of judged) {
            assert.match(
                line,
                /istio=false \[ztunnel backend-v[12]-0 from cluster\.local\/ns\/frontend\/sa\/frontend: no ALLOW match/,
            );
        }
    });
});

/** The environment of the stack files in `dir`, planned and written as `npm run plan -- --env dev --out` does. */
async function writtenPlan(dir: string): Promise<string> {
    const plans = await planEnvironment("dev", dir);
    const out = tempDir("oracle-ambient");
    for (const plan of plans) {
        writeStackPlan(plan, path.join(out, plan.config.stack));
    }
    planAccess("dev", plans, out);
    return out;
}

/** Replaces `from` (which must occur) by `to` in a stack's written manifests. */
function mutateManifests(out: string, stack: string, from: string, to: string): void {
    const file = path.join(out, stack, "manifests.yaml");
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.includes(from), `${file} has no ${from}`);
    fs.writeFileSync(file, text.split(from).join(to));
}

/** The oracles' run over the ambient fixture's plan with `from` replaced by `to` in `stack`'s manifests. */
async function mutatedRun(stack: string, from: string, to: string): Promise<OracleRun> {
    const out = await writtenPlan(AMBIENT_FIXTURE_STACKS);
    mutateManifests(out, stack, from, to);
    return checkPlan(out, "dev");
}

/** frontend's rows to backend when Istio refuses the two the matrix allows (GET and POST /api/example). */
const FRONTEND_API_REFUSED = { "DISAGREE project=true istio=false": 2, "agree project=false istio=false": 10 };

/** The rows `from -> to` of a run, as `<project>/<istio>` verdicts, sorted and counted. */
function verdicts(run: { lines: string[] }, from: string, to: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const line of run.lines.filter((l) => l.includes(` ${from} -> ${to} `))) {
        const m = /^(\w+) .*: project=(\w+) istio=(\w+) /.exec(line);
        assert.ok(m, line);
        const key = `${m[1]} project=${m[2]} istio=${m[3]}`;
        counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
}

describe("the ambient oracle disagrees with the matrix when the plan's policies or the matrix change", function () {
    this.timeout(10 * 60 * 1000);
    before(() => ambientOracleBinary());

    it("a waypoint policy's principal changed (L7, the waypoint's RBAC): frontend's allowed rows to backend disagree", async () => {
        const run = await mutatedRun(
            "dev-backend",
            "cluster.local/ns/frontend/sa/frontend",
            "cluster.local/ns/frontend/sa/other",
        );
        assert.deepStrictEqual(verdicts(run, "frontend", "backend"), FRONTEND_API_REFUSED);
        assert.strictEqual(run.disagree.length, 2, run.disagree.join("\n"));
    });

    it("ztunnel's namespace rule changed (L4, selector policy): backend's rows to payment disagree, and frontend's", async () => {
        const run = await mutatedRun(
            "dev-payment",
            "namespaces:\n              - backend",
            "namespaces:\n              - frontend",
        );
        assert.deepStrictEqual(verdicts(run, "backend", "payment"), { "DISAGREE project=true istio=false": 4 });
        assert.deepStrictEqual(verdicts(run, "frontend", "payment"), { "DISAGREE project=false istio=true": 4 });
        assert.deepStrictEqual(verdicts(run, "other-in-backend", "payment"), {
            "DISAGREE project=true istio=false": 4,
        });
    });

    it("the pods' policy admitting the waypoint removed: ztunnel refuses what the waypoint lets through", async () => {
        const run = await mutatedRun(
            "dev-backend",
            "cluster.local/ns/backend/sa/waypoint",
            "cluster.local/ns/backend/sa/not-the-waypoint",
        );
        assert.deepStrictEqual(verdicts(run, "frontend", "backend"), FRONTEND_API_REFUSED);
        for (const line of run.disagree) {
            assert.match(line, /ztunnel backend-v1-0 from cluster\.local\/ns\/backend\/sa\/waypoint: no ALLOW match/);
        }
    });

    it("the namespace's label sending the gateway through the waypoint removed: Istio gives the gateway the pods, whose ztunnel refuses it", async () => {
        const run = await mutatedRun("dev-frontend", "    istio.io/ingress-use-waypoint: 'true'\n", "");
        assert.deepStrictEqual(verdicts(run, "ingress-gateway", "frontend"), {
            "DISAGREE project=true istio=false": 4,
            "agree project=false istio=false": 4,
        });
        for (const line of run.disagree) {
            assert.match(
                line,
                /\[ztunnel frontend-v1-0 from cluster\.local\/ns\/istio-ingress\/sa\/istio-ingressgateway: no ALLOW match/,
            );
        }
    });

    it("the matrix taking a sidecar caller through the waypoint (as it did before) disagrees with Istio", async () => {
        const dir = stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, { "dev-frontend": { serviceDataPlane: "sidecar" } });
        const out = await writtenPlan(dir);
        const file = path.join(out, "dev", "access.json");
        const rows = JSON.parse(fs.readFileSync(file, "utf8")) as AccessRow[];
        // What the waypoint would admit of frontend's requests (its rule: GET and POST under /api/).
        const throughWaypoint = rows.map((r) =>
            r.from === "frontend" &&
            r.to === "backend" &&
            ["GET", "POST"].includes(r.method) &&
            r.path.startsWith("/api/")
                ? { ...r, allowed: true }
                : r,
        );
        fs.writeFileSync(file, JSON.stringify(throughWaypoint));
        const run = checkPlan(out, "dev");
        assert.deepStrictEqual(verdicts(run, "frontend", "backend"), FRONTEND_API_REFUSED);
    });
});
