// The policy pack runs as TypeScript under Pulumi's policy runner, which registers ts-node with
// type-checking on (@pulumi/pulumi cmd/run-policy-pack): the pack's tsconfig.json must not hand it
// the SWC transpiler that the project's own tsconfig.json gives the plan and the tests (ts-node
// refuses a custom transpiler with type-checking, and the pack would not load).
import * as assert from "assert";
import * as path from "path";
import { create } from "ts-node";

const ROOT = path.resolve(__dirname, "..", "..");

/** How @pulumi/pulumi's runtime reads a tsconfig's compilerOptions (an internal of its, untyped). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK marks it internal: no typings to import
const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions: (tsconfig: string) => Record<string, unknown>;
};

describe("the policy pack under Pulumi's policy runner", () => {
    it("registers ts-node as the runner does (type-checked, the pack's tsconfig.json) without SWC", () => {
        const project = path.join(ROOT, "policy", "tsconfig.json");
        const service = create({
            typeCheck: true,
            skipProject: false,
            project,
            compilerOptions: {
                target: "ES2020",
                module: "nodenext",
                moduleResolution: "nodenext",
                sourceMap: "true",
                ...loadTypeScriptCompilerOptions(project),
            },
        });
        assert.ok(!service.options.swc, "the policy pack's ts-node options turn SWC on");
    });

    it("the project's own tsconfig.json gives the plan and the tests SWC, transpile-only", () => {
        const service = create({ project: path.join(ROOT, "tsconfig.json"), skipProject: false });
        assert.strictEqual(service.options.swc, true);
        assert.strictEqual(service.options.transpileOnly, true);
    });
});
