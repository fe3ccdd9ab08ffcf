// The program the engine runs is its build (Pulumi.yaml main: bin/infra/index.js): under the real
// CLI, a build whose sources changed afterwards refuses to start, with a message that names the
// file and the command, and no stack trace.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Backend, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { recordTiming } from "./helpers/timings";

const STACK = "dev-backend";

describe("the built program under the real engine", function () {
    this.timeout(5 * 60 * 1000);
    const backend = new Backend("build");
    let project: string;

    before(async () => {
        project = projectCopy("build", [`Pulumi.${STACK}.yaml`]);
        await backend.ok(project, ["stack", "init", STACK]);
    });

    it("refuses to run when a source changed after the build, naming it and `npm run build`", async () => {
        fs.appendFileSync(path.join(project, "layers", "service", "deploy.ts"), "\n// changed after the build\n");
        const r = await backend.run(project, ["preview", "--stack", STACK]);
        recordTiming(STACK, "preview (stale build)", r.seconds);
        assert.notStrictEqual(r.code, 0, describeCommand(r));
        const output = r.stdout + r.stderr;
        assert.ok(
            output.includes(
                "the program's sources changed after its last build (layers/service/deploy.ts): run `npm run build` in the project's folder, then pulumi again",
            ),
            describeCommand(r),
        );
        // A refusal, not a crash: no stack trace of the program's modules.
        assert.doesNotMatch(output, /^\s+at .+\.js:\d+:\d+\)?$/m, describeCommand(r));
    });
});
