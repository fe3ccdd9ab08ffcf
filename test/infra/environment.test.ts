import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    keysSetInStackFile,
    keysWithoutNamespace,
    readAccessGraph,
    readingEachStackFileOnce,
} from "../../infra/environment";
import { planEnvironment, planStack } from "../../plan/plan";
import { ROOT } from "../../plan/stack-config";
import { tempDir } from "../helpers/temp";
import { FIXTURE_STACKS, copyFixtureStacks } from "../helpers/stacks";

describe("the environment's access graph (infra/environment.ts)", () => {
    it("reads dev's service stacks and their callers from the stack files", () => {
        assert.deepStrictEqual(readAccessGraph("dev", FIXTURE_STACKS), [
            { name: "backend", allowedCallers: [{ service: "frontend" }] },
            { name: "frontend", allowedCallers: [] },
            { name: "payment", allowedCallers: [{ namespace: "backend" }] },
        ]);
    });

    it("skips other layers and other environments, and admits nobody from a malformed list", () => {
        const dir = tempDir("graph");
        const write = (stack: string, body: string) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), body);
        write("qa", "config:\n  platform:layer: global\n");
        write("qa-common", "config:\n  platform:layer: common\n");
        write("qa-a", "config:\n  platform:layer: service\n  platform:allowedCallers: {service: b}\n");
        write(
            "qa-b",
            "config:\n  platform:layer: service\n  platform:allowedCallers:\n    - {service: a}\n    - 7\n    - {namespace: ops}\n",
        );
        write("qa2-c", "config:\n  platform:layer: service\n  platform:allowedCallers: [{service: a}]\n");
        assert.deepStrictEqual(readAccessGraph("qa", dir), [
            { name: "a", allowedCallers: [] },
            { name: "b", allowedCallers: [{ service: "a" }, { namespace: "ops" }] },
        ]);
        assert.deepStrictEqual(readAccessGraph("qa", path.join(dir, "missing")), []);
    });

    it("reads the keys a stack file sets itself, or nothing when there is no readable file", () => {
        const dir = tempDir("keys");
        fs.writeFileSync(
            path.join(dir, "Pulumi.qa.yaml"),
            "config:\n  platform:layer: global\n  platform:retries: 2\n  aws:region: x\n",
        );
        fs.writeFileSync(path.join(dir, "Pulumi.qa-common.yaml"), "config: [\n");
        assert.deepStrictEqual([...keysSetInStackFile("qa", dir)!].sort(), ["layer", "retries"]);
        assert.strictEqual(keysSetInStackFile("qa-common", dir), undefined);
        assert.strictEqual(keysSetInStackFile("qa-x", dir), undefined);
    });

    it("refuses keys a stack file writes without the platform: namespace, with the stack's other problems, naming how to write them", async () => {
        const dir = tempDir("bare-keys");
        copyFixtureStacks(dir);
        fs.appendFileSync(
            path.join(dir, "Pulumi.dev-payment.yaml"),
            "  replicas: 2\n  replics: 2\n  platform:timeout: soon\n",
        );
        assert.deepStrictEqual(keysWithoutNamespace("dev-payment", dir), { replicas: 2, replics: 2 });
        assert.deepStrictEqual(keysWithoutNamespace("dev-missing", dir), {});
        const why =
            "a key without the platform: namespace; every key of a stack file is written platform:<key> (the plan and the checks of a stack file read it by that name)";
        await assert.rejects(planStack("dev-payment", dir), {
            name: "ConfigError",
            message:
                'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                `  - replicas = 2: ${why}; write it as platform:replicas\n` +
                `  - replics = 2: ${why}; it is not a key of the project either; did you mean platform:replicas? the keys are declared in Pulumi.yaml\n` +
                '  - platform:timeout = "soon": not a duration; allowed: a whole number with ms, s, m or h, e.g. 15s',
        });
    });

    it("a key of another layer set in a stack file at its default value fails the plan, naming the file and the key", async () => {
        const dir = tempDir("foreign-default");
        copyFixtureStacks(dir);
        fs.appendFileSync(path.join(dir, "Pulumi.dev.yaml"), "  platform:retries: 2\n");
        await assert.rejects(planEnvironment("dev", dir), (err: Error) => {
            assert.match(err.message, /Configuration of stack "dev" \(Pulumi\.dev\.yaml\) is invalid/);
            assert.match(
                err.message,
                /platform:retries = 2: not read by the global layer; it belongs to the service layer: set it in each Pulumi\.dev-<service>\.yaml instead/,
            );
            return true;
        });
    });

    it("reads each stack file once while a batch runs, and again after it", async () => {
        const dir = tempDir("graph-once");
        const write = (callers: string) =>
            fs.writeFileSync(
                path.join(dir, "Pulumi.qa-a.yaml"),
                `config:\n  platform:layer: service\n  platform:allowedCallers: [${callers}]\n`,
            );
        write("{service: b}");
        await readingEachStackFileOnce(async () => {
            const first = readAccessGraph("qa", dir);
            write("{service: c}");
            assert.strictEqual(readAccessGraph("qa", dir), first);
            // A nested batch shares what the outer one has read.
            const keys = await readingEachStackFileOnce(() => Promise.resolve(keysSetInStackFile("qa-a", dir)));
            assert.deepStrictEqual(keys, new Set(["layer", "allowedCallers"]));
            assert.deepStrictEqual(readAccessGraph("qa", dir), [{ name: "a", allowedCallers: [{ service: "b" }] }]);
        });
        assert.deepStrictEqual(readAccessGraph("qa", dir), [{ name: "a", allowedCallers: [{ service: "c" }] }]);
    });

    it("the plan of an environment reads each of its stack files and Pulumi.yaml once", () => {
        const dir = tempDir("read-once");
        copyFixtureStacks(dir, { project: true });
        const out = path.join(tempDir("read-once-counts"), "counts.json");
        // In a process of its own, with every read of fs counted from its first module on.
        const run = spawnSync(
            process.execPath,
            [
                "-r",
                path.join(__dirname, "..", "helpers", "count-reads.js"),
                "-r",
                "ts-node/register/transpile-only",
                "-r",
                "./test/helpers/setup.ts",
                "-e",
                `require("./plan/plan").planStack("dev-payment", ${JSON.stringify(dir)}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`,
            ],
            {
                cwd: ROOT,
                encoding: "utf8",
                env: {
                    ...process.env,
                    COUNT_READS_DIR: dir,
                    COUNT_READS_PROJECT: path.join(ROOT, "Pulumi.yaml"),
                    COUNT_READS_OUT: out,
                },
            },
        );
        assert.strictEqual(run.status, 0, run.stderr);
        const reads = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, number>;
        assert.deepStrictEqual(Object.fromEntries(Object.entries(reads).sort()), {
            "Pulumi.dev-backend.yaml": 1,
            "Pulumi.dev-common.yaml": 1,
            "Pulumi.dev-frontend.yaml": 1,
            "Pulumi.dev-payment.yaml": 1,
            "Pulumi.dev.yaml": 1,
            "Pulumi.yaml (the project's)": 1,
        });
    });

    it("names a sibling stack file that is not valid YAML, with its line", () => {
        const dir = tempDir("graph-broken");
        fs.writeFileSync(
            path.join(dir, "Pulumi.qa-a.yaml"),
            "config:\n  platform:layer: service\n  platform:allowedCallers: [\n",
        );
        assert.throws(
            () => readAccessGraph("qa", dir),
            /^Error: Pulumi\.qa-a\.yaml line 4, column 1: not valid YAML: .+ \(every service stack of environment "qa" reads it for the access graph\)$/,
        );
    });
});
