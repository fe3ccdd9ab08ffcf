// What a stack's program costs at start: no type-checking when Pulumi runs it, and each layer loads
// only the SDKs it uses (plan/startup.ts runs the program in a process of its own, as the engine does).
import * as assert from "assert";
import * as path from "path";
import * as fs from "fs";
import * as yaml from "js-yaml";

import { CLOUD_PACKAGES, loadedGroups, moduleGroup, probeStartup } from "../plan/startup";
import { ROOT } from "../plan/stack-config";
import { PHASES } from "../plan/startup-probe";
import { FIXTURE_STACKS } from "./helpers/stacks";

describe("start-up of the program (plan/startup.ts)", function () {
    it("Pulumi.yaml runs the built program: JavaScript the build made, no TypeScript at start", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
            runtime: { name: string; options: { typescript: boolean } };
            main: string;
        };
        assert.deepStrictEqual(project.runtime, { name: "nodejs", options: { typescript: false } });
        assert.strictEqual(project.main, "bin/infra/index.js");
        // npm test builds first (package.json "test": npm run build): main and its stamp exist.
        assert.ok(fs.existsSync(path.join(ROOT, project.main)), `${project.main} is not built`);
        assert.ok(fs.existsSync(path.join(ROOT, "bin", "infra", "build.json")));
    });

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
        // The built program and package count as their sources.
        assert.strictEqual(moduleGroup(path.join(ROOT, "bin", "infra", "program.js")), "infra");
        assert.strictEqual(moduleGroup(path.join(ROOT, "bin", "layers", "service", "deploy.js")), "layers");
        assert.strictEqual(moduleGroup(path.join(ROOT, "components", "bin", "mesh", "istio.js")), "components/mesh");
        assert.strictEqual(moduleGroup(path.join(ROOT, "components", "bin", "index.js")), "components");
        assert.strictEqual(moduleGroup("fs"), "node:");
    });
});
