// What a stack's program costs at start: no type-checking when Pulumi runs it, and each layer loads
// only the SDKs it uses (plan/startup.ts runs the program in a process of its own, as the engine does).
import * as assert from "assert";
import * as path from "path";
import { create } from "ts-node";
import { ModuleKind } from "typescript";

import { CLOUD_PACKAGES, loadedGroups, moduleGroup, probeStartup } from "../plan/startup";
import { ROOT } from "../plan/stack-config";
import { PHASES } from "../plan/startup-probe";
import { FIXTURE_STACKS } from "./helpers/stacks";

/** How @pulumi/pulumi's runtime reads a tsconfig's compilerOptions (an internal of its, untyped). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK marks it internal: no typings to import
const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions: (tsconfig: string) => Record<string, unknown>;
};

describe("start-up of the program (plan/startup.ts)", function () {
    for (const folder of ["infra", "."]) {
        it(`Pulumi's Node.js runtime started in ${folder === "." ? "the project's folder" : `${folder}/ (main's folder)`} gets transpile-only ts-node, CommonJS output`, () => {
            // As @pulumi/pulumi's cmd/run registers ts-node: the tsconfig.json of the program's working folder, its
            // compilerOptions as written over the runtime's defaults, transpileOnly only from PULUMI_NODEJS_TRANSPILE_ONLY
            // or noCheck. The engine here runs the program in main's folder; the CLI's own host may run it in the project's.
            const project = path.join(ROOT, folder, "tsconfig.json");
            const service = create({
                transpileOnly: undefined,
                project,
                skipProject: false,
                compilerOptions: {
                    target: "ES2020",
                    module: "nodenext",
                    moduleResolution: "nodenext",
                    sourceMap: "true",
                    ...loadTypeScriptCompilerOptions(project),
                },
            });
            assert.strictEqual(service.options.transpileOnly, true);
            // CommonJS: a layer's `await import()` is a require, which resolves files without their extension.
            assert.strictEqual(service.config.options.module, ModuleKind.CommonJS);
        });
    }

    it("a service stack loads neither @pulumi/aws, @pulumi/eks nor @pulumi/random; a global stack after it loads @pulumi/aws", async () => {
        const result = await probeStartup(["dev-backend", "dev"], FIXTURE_STACKS);
        const loaded = (phases: string[]) => CLOUD_PACKAGES.filter((p) => loadedGroups(result.modules, phases).has(p));
        // Before and while the service stack runs: the probe's own modules, the SDK and the service program.
        assert.deepStrictEqual(loaded([PHASES.sdk, PHASES.harness, "dev-backend"]), []);
        assert.ok(loadedGroups(result.modules, ["dev-backend"]).has("@pulumi/kubernetes"));
        assert.deepStrictEqual(loaded(["dev"]), ["@pulumi/aws"]);
        assert.deepStrictEqual(
            result.stacks.map((s) => [s.stack, s.resources]),
            [
                ["dev-backend", 24],
                ["dev", 44],
            ],
        );
    });

    it("groups modules by package and by folder of the project", () => {
        assert.strictEqual(moduleGroup(path.join(ROOT, "node_modules", "@pulumi", "aws", "index.js")), "@pulumi/aws");
        assert.strictEqual(moduleGroup(path.join(ROOT, "node_modules", "zod", "v4", "index.cjs")), "zod");
        assert.strictEqual(moduleGroup(path.join(ROOT, "components", "service", "spec.ts")), "components/service");
        assert.strictEqual(moduleGroup(path.join(ROOT, "components", "args.ts")), "components");
        assert.strictEqual(moduleGroup(path.join(ROOT, "infra", "schema", "keys.ts")), "infra");
        assert.strictEqual(moduleGroup("fs"), "node:");
    });
});
