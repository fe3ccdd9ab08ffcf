import * as assert from "assert";
import { changedStacks, environments, environmentsOf, listing } from "../../scripts/stacks";

const STACKS = ["dev", "dev-backend", "dev-common", "prod", "prod-common", "prod-payment"];

describe("workflow stack listings (scripts/stacks.ts, run by .github/scripts/stacks.sh)", () => {
    it("lists every environment by its global stack, as layers/layering.ts names it", () => {
        assert.deepStrictEqual(environments(STACKS), ["dev", "prod"]);
        assert.deepStrictEqual(environmentsOf(["prod-payment", "dev-common", "dev"]), ["dev", "prod"]);
    });

    it("previews the stacks the plan diffs say change, each once: not guessed from the files a change touches", () => {
        // A change of the backend's callers changes the frontend's Sidecar too; a removed stack is no preview.
        const reports = [
            { changedStacks: ["dev-backend", "dev-frontend"] },
            { changedStacks: ["prod", "prod-payment"] },
            { changedStacks: [] },
        ];
        assert.deepStrictEqual(changedStacks(reports), ["dev-backend", "dev-frontend", "prod", "prod-payment"]);
        assert.deepStrictEqual(changedStacks([{ changedStacks: ["dev"] }, { changedStacks: ["dev"] }]), ["dev"]);
    });

    it("answers each command with JSON-ready lists and refuses anything else with the usage", () => {
        const at = (ref: string) => (ref === "main" ? ["qa", "qa-common", "dev"] : []);
        const reports = (files: readonly string[]) =>
            files.map((f) => ({ changedStacks: f === "dev.json" ? ["dev-backend"] : ["prod-payment", "prod"] }));
        const list = (args: string[]) => listing(args, STACKS, at, reports);
        assert.deepStrictEqual(list(["envs"]), ["dev", "prod"]);
        assert.deepStrictEqual(list(["envs-with", "main"]), ["dev", "prod", "qa"]);
        assert.deepStrictEqual(list(["changed", "dev.json", "prod.json"]), ["dev-backend", "prod-payment", "prod"]);
        assert.deepStrictEqual(list(["changed-envs", "dev.json", "prod.json"]), ["dev", "prod"]);
        for (const args of [[], ["changed"], ["envs", "x"], ["envs-with"], ["touched", "main"], ["list"]]) {
            assert.throws(() => list(args), {
                message:
                    "usage: stacks envs | envs-with <ref> | changed <diff.json>... | changed-envs <diff.json>... | preview-envs <diff.json>...",
            });
        }
    });

    it("preview-envs: the changed environments that are not production (a pull request holds no production secret)", () => {
        const reports = () => [{ changedStacks: ["dev-backend", "prod-payment"] }];
        const production = (env: string) => env === "prod";
        const at = () => [];
        assert.deepStrictEqual(listing(["changed-envs", "d.json"], STACKS, at, reports, production), ["dev", "prod"]);
        assert.deepStrictEqual(listing(["preview-envs", "d.json"], STACKS, at, reports, production), ["dev"]);
        const prodOnly = () => [{ changedStacks: ["prod"] }];
        assert.deepStrictEqual(listing(["preview-envs", "d.json"], STACKS, at, prodOnly, production), []);
    });
});
