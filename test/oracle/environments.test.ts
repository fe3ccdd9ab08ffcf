import * as assert from "assert";
import { stackFilesWithKeys } from "../../plan/stack-config";
import { tempDir } from "../helpers/temp";
import * as path from "path";
import { checkEnvironment, checkPlan, environments, oracleBinary } from "../../plan/oracle";
import { planAccess } from "../../plan/access-plan";
import { planEnvironment, writeStackPlan } from "../../plan/plan";
import { AMBIENT_FIXTURE_STACKS } from "../helpers/stacks";

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

    // The oracle compiles a sidecar's inbound filters: it is given the rows of the sidecar services
    // and of the shared workloads, never an ambient service's (docs/service.md, "Ambient mode").
    for (const [name, dir] of [
        ["the ambient fixture", () => AMBIENT_FIXTURE_STACKS],
        [
            "the mixed fixture (payment on sidecars)",
            () => stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, { "dev-payment": { serviceDataPlane: "sidecar" } }),
        ],
    ] as const) {
        it(`${name}: every row it is given agrees, the ambient services' rows are not given`, async () => {
            const plans = await planEnvironment("dev", dir());
            const out = tempDir("oracle-ambient");
            for (const plan of plans) {
                writeStackPlan(plan, path.join(out, plan.config.stack));
            }
            planAccess("dev", plans, out);
            const run = checkPlan(out, "dev");
            const ambient = name.startsWith("the mixed") ? ["backend", "frontend"] : ["backend", "frontend", "payment"];
            assert.deepStrictEqual(run.notChecked, ambient);
            const bad = [...run.disagree, ...run.unknown];
            assert.ok(run.lines.length > 0, run.summary);
            assert.deepStrictEqual(bad, [], `${run.summary}\n${bad.join("\n")}`);
        });
    }
});
