import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { devPlan } from "./helpers/dev-plan";
import { StackPlan, planEnvironment, planStack, writeStackPlan } from "../plan/plan";
import { tempDir } from "./helpers/temp";
import { FIXTURE_STACKS } from "./helpers/stacks";

/** Writes each stack's plan under a new temp dir; returns every file's path (relative) and bytes. */
function written(plans: StackPlan[]): Map<string, Buffer> {
    const out = tempDir("determinism");
    for (const plan of plans) {
        writeStackPlan(plan, path.join(out, plan.config.stack));
    }
    const files = new Map<string, Buffer>();
    for (const stack of fs.readdirSync(out).sort()) {
        for (const file of fs.readdirSync(path.join(out, stack)).sort()) {
            files.set(`${stack}/${file}`, fs.readFileSync(path.join(out, stack, file)));
        }
    }
    fs.rmSync(out, { recursive: true, force: true });
    return files;
}

/** Asserts two plans wrote the same files, byte for byte, naming the first file that differs. */
function assertSameFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
    assert.deepStrictEqual([...b.keys()], [...a.keys()]);
    for (const [file, bytes] of a) {
        assert.ok(bytes.equals(b.get(file)!), `${file} differs between two plans of the same tree`);
    }
}

describe("determinism: the plan of the same tree is byte-identical run after run", function () {
    it("two plans of the global stack write identical files", async () => {
        const first = written([await planStack("dev", FIXTURE_STACKS)]);
        const second = written([await planStack("dev", FIXTURE_STACKS)]);
        assert.ok(first.size === 3);
        assertSameFiles(first, second);
    });

    it("two plans of the whole dev environment write identical files", async function () {
        const first = written(await devPlan());
        const second = written(await planEnvironment("dev", FIXTURE_STACKS));
        assert.ok(first.size >= 9, "every stack of dev was written");
        assertSameFiles(first, second);
    });
});
