import * as assert from "assert";
import { tempDir } from "../helpers/temp";
import { checkEnvironment, environments, oracleBinary } from "../../plan/oracle";

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
});
