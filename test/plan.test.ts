import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { devPlan } from "./helpers/dev-plan";
import { StackPlan, planEnvironment, writeStackPlan } from "../plan/plan";
import { ROOT, SECRET_PLACEHOLDER, readStackConfig, stacksOfEnvironment } from "../plan/stack-config";
import { tempDir } from "./helpers/temp";
import { FIXTURE_STACKS, copyFixtureStacks } from "./helpers/stacks";

describe("the offline plan (npm run plan)", function () {
    let plans: StackPlan[];
    let out: string;

    before(async () => {
        plans = await devPlan();
        out = tempDir("plan");
        for (const plan of plans) {
            writeStackPlan(plan, path.join(out, plan.config.stack));
        }
    });

    it("plans every stack of dev in dependency order: global, common, then services", () => {
        const stacks = plans.map((p) => p.config.stack);
        assert.deepStrictEqual(new Set(stacks), new Set(stacksOfEnvironment("dev", FIXTURE_STACKS)));
        assert.deepStrictEqual(stacks.slice(0, 2), ["dev", "dev-common"]);
        assert.ok(plans.slice(2).every((p) => p.layer === "service"));
    });

    it("shows in resources.json the resource options that are not the defaults", () => {
        const withOptions = (stack: string) =>
            (
                JSON.parse(fs.readFileSync(path.join(out, stack, "resources.json"), "utf8")) as {
                    name: string;
                    options?: unknown;
                }[]
            )
                .filter((r) => r.options)
                .map((r) => [r.name, r.options]);
        // dev scales its nodes on a schedule: the desired size is left to the schedule.
        assert.deepStrictEqual(
            withOptions("dev-common").filter(([name]) => name === "dev-common-general-node-group"),
            [["dev-common-general-node-group", { ignoreChanges: ["scalingConfig.desiredSize"] }]],
        );
        assert.deepStrictEqual(withOptions("dev-payment"), []);
    });

    it("writes resources.json, manifests.yaml and outputs.json for every stack", () => {
        for (const plan of plans) {
            const dir = path.join(out, plan.config.stack);
            const resources = JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8"));
            assert.ok(Array.isArray(resources) && resources.length > 0);
            for (const r of resources) {
                const keys = ["type", "name", "parent", "dependsOn", "inputs"];
                assert.deepStrictEqual(Object.keys(r), [...keys, ...(r.options ? ["options"] : []), "urn"]);
                assert.ok(
                    r.urn.startsWith(`urn:pulumi:${plan.config.stack}::platform::`) && r.urn.endsWith(`::${r.name}`),
                );
                assert.ok(r.parent === null || typeof r.parent === "string");
                assert.ok(Array.isArray(r.dependsOn));
            }
            const manifests = yaml.loadAll(fs.readFileSync(path.join(dir, "manifests.yaml"), "utf8")) as any[];
            for (const m of manifests) {
                assert.ok(m.apiVersion && m.kind && m.metadata?.name, JSON.stringify(m).slice(0, 200));
            }
            assert.deepStrictEqual(
                JSON.parse(fs.readFileSync(path.join(dir, "outputs.json"), "utf8")),
                plan.evaluation.outputs,
            );
        }
    });

    it("the common stack reads the global stack's real outputs", () => {
        const global = plans.find((p) => p.layer === "global")!;
        const common = plans.find((p) => p.layer === "common")!;
        assert.strictEqual(common.evaluation.outputs.clusterName, global.evaluation.outputs.clusterName);
    });

    it("no resource has a duplicate URN (the mocks do not catch them)", () => {
        for (const plan of plans) {
            const urns = plan.evaluation.resources.map((r) => r.urn);
            const dupes = urns.filter((u, i) => urns.indexOf(u) !== i);
            assert.deepStrictEqual(dupes, [], plan.config.stack);
        }
    });

    it("no name or tag breaks the conventions", () => {
        for (const plan of plans) {
            assert.deepStrictEqual(plan.violations, [], plan.config.stack);
        }
    });

    it("no secret is in clear in any plan file: not the generated Grafana password, not the kubeconfig", () => {
        // The values the mocks give dev's secrets (plan/fakes/cluster.ts).
        const secrets = [/fake-generated-password/, /https:\/\/dev-common-eks-cluster\.eks\./];
        for (const plan of plans) {
            for (const file of ["resources.json", "manifests.yaml", "outputs.json"]) {
                const text = fs.readFileSync(path.join(out, plan.config.stack, file), "utf8");
                for (const secret of secrets) {
                    assert.doesNotMatch(text, secret, `${plan.config.stack}/${file} shows a secret`);
                }
            }
        }
        const common = plans.find((p) => p.layer === "common")!;
        assert.strictEqual(common.evaluation.outputs.kubeconfig, "[secret]");
        assert.match(String(common.evaluation.rawOutputs.kubeconfig), /https:\/\/dev-common-eks-cluster\.eks\./);
    });

    it("a secure: value of a stack file stays secret in every plan file", async () => {
        const dir = tempDir("secure");
        copyFixtureStacks(dir, { project: true });
        const file = path.join(dir, "Pulumi.dev-common.yaml");
        fs.appendFileSync(file, "  platform:grafanaAdminPassword:\n    secure: v1:AAAABBBBCCCCDDDD\n");
        const securePlans = await planEnvironment("dev", dir);
        const common = securePlans.find((p) => p.layer === "common")!;
        assert.deepStrictEqual(
            common.evaluation.resources.filter((r) => r.type.startsWith("random:")),
            [],
            "the configured password is used",
        );
        for (const plan of securePlans) {
            writeStackPlan(plan, path.join(dir, "out", plan.config.stack));
            for (const f of ["resources.json", "manifests.yaml", "outputs.json"]) {
                const text = fs.readFileSync(path.join(dir, "out", plan.config.stack, f), "utf8");
                assert.ok(!text.includes(SECRET_PLACEHOLDER), `${plan.config.stack}/${f} shows the secure value`);
            }
        }
    });
});

describe("the offline plan: stack config files", () => {
    let dir: string;
    beforeEach(() => {
        dir = tempDir("stackcfg");
    });

    it("reads secure: values as a secret placeholder and every other value in its string form", () => {
        fs.writeFileSync(
            path.join(dir, "Pulumi.qa-common.yaml"),
            "config:\n  platform:layer: common\n  platform:someSecret:\n    secure: AAABAxyz\n  platform:sizes: [1, 2]\n",
        );
        const config = readStackConfig("qa-common", dir);
        assert.strictEqual(config.config["platform:layer"], "common");
        assert.strictEqual(config.config["platform:someSecret"], SECRET_PLACEHOLDER);
        assert.strictEqual(config.config["platform:sizes"], "[1,2]");
        assert.deepStrictEqual(config.secretKeys, ["platform:someSecret"]);
        // Pulumi.yaml's defaults come first, as the engine applies them.
        assert.strictEqual(config.config["platform:organization"], "organization");
    });

    it("exits non-zero with the config error's message, naming the key, on a broken value", () => {
        copyFixtureStacks(dir);
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(
            file,
            fs.readFileSync(file, "utf8").replace(/platform:contact: .*/, "platform:contact: not-an-email"),
        );
        let status = 0;
        let stderr = "";
        try {
            execFileSync(
                process.execPath,
                [
                    require.resolve("ts-node/dist/bin"),
                    "--transpile-only",
                    path.join(ROOT, "scripts", "plan.ts"),
                    "--env",
                    "dev",
                    "--config-dir",
                    dir,
                    "--out",
                    path.join(dir, "out"),
                ],
                { cwd: ROOT, stdio: "pipe" },
            );
        } catch (err: any) {
            status = err.status;
            stderr = String(err.stderr);
        }
        assert.strictEqual(status, 2);
        assert.match(stderr, /Configuration of stack "dev" \(Pulumi\.dev\.yaml\) is invalid; nothing was created:/);
        assert.match(stderr, /platform:contact = "not-an-email": not an e-mail address/);
        assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing is written");
    });
});
