// The global and common stacks of dev under the real engine. The aws and eks provider plugins
// cannot be had here, so these stacks cannot be previewed to the end; what is asserted is that the
// real program gets past its config validation and its StackReferences and stops exactly at the
// first resource of a missing provider plugin, never in our own code. No stand-in provider is used.
import * as assert from "assert";
import { StackPlan, planEnvironment } from "../../plan/plan";
import { Backend, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { standIn } from "../../plan/engine/standin";

/** The engine's message when a program registers a resource of a provider whose plugin is missing. */
const MISSING_PLUGIN =
    /no resource plugin 'pulumi-resource-([a-z]+)' found in the workspace at version v[0-9.]+ or on your \$PATH/g;

/** The plugins a preview stopped at, sorted and without repeats. */
function missingPlugins(text: string): string[] {
    return [...new Set([...text.matchAll(MISSING_PLUGIN)].map((m) => m[1]))].sort();
}

/** What our program prints when it refuses a stack's config or a referenced stack's outputs. */
const OUR_ERRORS = /Configuration of stack|does not have the outputs this stack reads|is invalid; nothing was created/;

/** The engine's closing line of a failed preview, which follows the real error. */
const PREVIEW_FAILED = /^error: preview failed$/;

/**
 * Every error the engine printed that is not a missing provider plugin (or the closing "preview
 * failed"), and every stack frame in our code: a failure in our program shows as one of these.
 */
function otherErrors(text: string): string[] {
    const lines = text.split("\n").map((l) => l.trim());
    const errors = lines
        .filter((l) => /\berror:/.test(l))
        .map((l) => l.slice(l.indexOf("error:")))
        .filter((l) => !PREVIEW_FAILED.test(l) && !/^error: no resource plugin 'pulumi-resource-[a-z]+' found/.test(l));
    const frames = lines.filter((l) => /^at .*\/(infra|components|stacks)\/[^/]+\.ts/.test(l));
    return [...new Set([...errors, ...frames])];
}

describe("dev's global and common stacks under the real engine (no aws provider plugin here)", function () {
    this.timeout(10 * 60 * 1000);
    const backend = new Backend("layers");
    let project: string;
    let plans: StackPlan[];

    before(async () => {
        project = projectCopy("layers");
        plans = await planEnvironment("dev");
    });

    it("dev (global): pulumi preview passes config validation and stops only at the missing aws plugin", async () => {
        await backend.ok(project, ["stack", "init", "dev"]);
        const r = await backend.run(project, ["preview", "--stack", "dev"]);
        const text = r.stdout + r.stderr;
        assert.notStrictEqual(r.code, 0, describeCommand(r));
        assert.deepStrictEqual(missingPlugins(text), ["aws"], describeCommand(r));
        assert.deepStrictEqual(otherErrors(text), [], describeCommand(r));
        assert.doesNotMatch(text, OUR_ERRORS, describeCommand(r));
    });

    it("dev-common: pulumi preview reads dev's outputs (a stand-in stack) and stops only at the missing random, aws or eks plugins", async () => {
        // The stand-in exports what the offline plan computes for dev; it creates no resource.
        const other = new Backend("layers-common");
        await standIn(
            other,
            plans.find((p) => p.layer === "global")!,
        );
        await other.ok(project, ["stack", "init", "dev-common"]);
        const r = await other.run(project, ["preview", "--stack", "dev-common"]);
        const text = r.stdout + r.stderr;
        assert.notStrictEqual(r.code, 0, describeCommand(r));
        // Its providers register concurrently: the first missing plugin stops the preview, so
        // which of the three the engine names first varies; no other plugin may be missing.
        const missing = missingPlugins(text);
        assert.ok(missing.length > 0 && missing.every((p) => ["aws", "eks", "random"].includes(p)), describeCommand(r));
        assert.deepStrictEqual(otherErrors(text), [], describeCommand(r));
        assert.doesNotMatch(text, OUR_ERRORS, describeCommand(r));
        // It got as far as reading dev's outputs: the StackReference is in the preview.
        assert.match(r.stdout, /pulumi:pulumi:StackReference\s+organization\/platform\/dev/, describeCommand(r));
    });
});
