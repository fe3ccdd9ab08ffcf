import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EXIT, UsageError, failure, parseArgs } from "../scripts/plan";
import { configError, isConfigError } from "../layers/config";
import { environmentWarnings } from "../plan/environments";
import { checkStackFiles, clearStaleOutput, planEnvironment, planStack } from "../plan/plan";
import { checkAllowedCallers } from "../plan/access-plan";
import { readAccessGraph } from "../infra/environment";
import { SERVICE_NAME_RULE } from "../components/conventions";
import { ROOT, StackFileError, UnknownStackError, readStackConfig, stacksOfEnvironment } from "../plan/stack-config";
import { tempDir } from "./helpers/temp";
import { FIXTURE_STACKS, copyFixtureStacks } from "./helpers/stacks";

/** A folder with a copy of dev's stack files (and Pulumi.yaml), for breaking one of them. */
function devCopy(): string {
    const dir = tempDir("cli");
    copyFixtureStacks(dir, { project: true });
    return dir;
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
    const p = path.join(dir, file);
    const text = fs.readFileSync(p, "utf8");
    assert.ok(typeof from === "string" ? text.includes(from) : from.test(text), `${file} has ${from}`);
    fs.writeFileSync(p, text.replace(from, to));
}

/** Runs `npm run plan -- <args>` as a user does (its own process); resolves to its exit code and output. */
function plan(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(ROOT, "scripts", "plan.ts"), ...args],
            { cwd: ROOT },
            (err, stdout, stderr) =>
                resolve({ status: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
    });
}

/** The message of what `promise` rejects with, and its class. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (err) {
        return err as Error;
    }
    throw new Error("did not fail");
}

describe("the plan command (npm run plan): help, exit codes, messages", function () {
    const runs: Record<string, Promise<{ status: number; stdout: string; stderr: string }>> = {};
    let typoDir: string;
    let ledgerDir: string;
    let noGlobalDir: string;

    before(() => {
        typoDir = devCopy();
        edit(typoDir, "Pulumi.dev-backend.yaml", "- service: frontend", "- service: frontnd");
        // A service stack named as no service can be, admitted by a sibling (payment's rule admits the
        // backend namespace, so backend's Sidecar would reach it): the access graph must not be built.
        ledgerDir = devCopy();
        fs.copyFileSync(
            path.join(ledgerDir, "Pulumi.dev-payment.yaml"),
            path.join(ledgerDir, "Pulumi.dev-ledger_v2.yaml"),
        );
        // A service stack of an environment with neither a global nor a common stack file, whose caller has no stack.
        noGlobalDir = tempDir("cli-no-global");
        fs.copyFileSync(
            path.join(FIXTURE_STACKS, "Pulumi.dev-backend.yaml"),
            path.join(noGlobalDir, "Pulumi.qa-backend.yaml"),
        );
        // The processes start together: each pays Node's and ts-node's start-up.
        runs.help = plan(["--help"]);
        runs.unknown = plan(["dev", "--bogus"]);
        runs.single = plan(["dev-payment", "--config-dir", typoDir, "--out", path.join(typoDir, "out")]);
        runs.ledger = plan(["--env", "dev", "--config-dir", ledgerDir, "--out", path.join(ledgerDir, "out")]);
        runs.noGlobal = plan(["qa-backend", "--config-dir", noGlobalDir, "--out", path.join(noGlobalDir, "out")]);
    });

    it("a service stack named as no service can be is refused by its own file before the access graph: exit 2", async () => {
        const { status, stdout, stderr } = await runs.ledger;
        assert.strictEqual(status, EXIT.invalidConfig);
        assert.strictEqual(
            stderr.trim(),
            'plan failed: Configuration of stack "dev-ledger_v2" (Pulumi.dev-ledger_v2.yaml) is invalid; nothing was created:\n' +
                `  - platform:layer = "service": stack name "dev-ledger_v2" does not fit the service layer: "ledger_v2" is not a service name (${SERVICE_NAME_RULE}); a service stack is named <env>-<service>, e.g. dev-backend (environment names are lower-case letters and digits, no '-')\n` +
                '  - every service stack of environment "dev" reads Pulumi.dev-ledger_v2.yaml for the access graph: fix its name first',
        );
        assert.strictEqual(stdout, "");
        assert.ok(!fs.existsSync(path.join(ledgerDir, "out")), "nothing is written");
    });

    it("a service stack without its environment's global stack file names the missing files first: exit 64", async () => {
        const { status, stdout, stderr } = await runs.noGlobal;
        assert.strictEqual(status, EXIT.usage);
        assert.strictEqual(
            stderr.trim(),
            `plan: Pulumi.qa-backend.yaml: a service stack reads the stacks qa and qa-common, which have no stack file (Pulumi.qa.yaml, Pulumi.qa-common.yaml); the stacks in ${noGlobalDir}: qa-backend`,
        );
        assert.strictEqual(stdout, "");
        assert.throws(() => checkStackFiles({ env: "qa" }, noGlobalDir), {
            name: "UnknownStackError",
            message: `environment "qa" has no global stack: ${path.join(noGlobalDir, "Pulumi.qa.yaml")} does not exist; the stacks in ${noGlobalDir}: qa-backend`,
        });
    });

    it("a service name too long for a namespace is refused by its file, by the plan's check and by the program's access graph", () => {
        const dir = devCopy();
        const long = "a".repeat(70);
        fs.copyFileSync(path.join(dir, "Pulumi.dev-payment.yaml"), path.join(dir, `Pulumi.dev-${long}.yaml`));
        const expected = {
            name: "ConfigError",
            message:
                `Configuration of stack "dev-${long}" (Pulumi.dev-${long}.yaml) is invalid; nothing was created:\n` +
                `  - platform:layer = "service": stack name "dev-${long}" does not fit the service layer: "${long}" is not a service name (${SERVICE_NAME_RULE}); a service stack is named <env>-<service>, e.g. dev-backend (environment names are lower-case letters and digits, no '-')\n` +
                `  - every service stack of environment "dev" reads Pulumi.dev-${long}.yaml for the access graph: fix its name first`,
        };
        assert.throws(() => checkAllowedCallers("dev", dir), expected);
        assert.throws(() => readAccessGraph("dev", dir), expected);
    });

    it("--help exits 0 and lists the arguments, options and every exit code", async () => {
        const { status, stdout } = await runs.help;
        assert.strictEqual(status, 0);
        assert.match(stdout, /^Usage: npm run plan -- <stack> \| --env <env> \[--out <dir>\] \[--config-dir <dir>\]/);
        for (const option of ["--env <env>", "--out <dir>", "--config-dir <dir>", "-h, --help"]) {
            assert.ok(stdout.includes(option), option);
        }
        for (const code of Object.values(EXIT)) {
            assert.match(stdout, new RegExp(`^  ${code} +\\S`, "m"), `exit code ${code}`);
        }
    });

    it("an unknown option is a usage error: exit 64, naming the option", async () => {
        const { status, stderr } = await runs.unknown;
        assert.strictEqual(status, EXIT.usage);
        assert.strictEqual(stderr.trim(), "error: unknown option '--bogus'\n(npm run plan -- --help for usage)");
    });

    it("a single-stack plan checks every allowed caller of the environment too: exit 2, naming the file", async () => {
        const { status, stdout, stderr } = await runs.single;
        assert.strictEqual(status, EXIT.invalidConfig);
        assert.strictEqual(
            stderr.trim(),
            'plan failed: environment "dev": an allow rule names a service without a stack:\n' +
                '  - Pulumi.dev-backend.yaml: platform:allowedCallers[0].service = "frontnd": no stack "dev-frontnd" in environment "dev" (Pulumi.dev-frontnd.yaml does not exist); allowed: one of backend, frontend, payment',
        );
        assert.strictEqual(stdout, "");
        assert.ok(!fs.existsSync(path.join(typoDir, "out")), "nothing is written");
    });

    it("maps each failure to its exit code: usage 64, invalid config 2, anything else 70", () => {
        assert.deepStrictEqual(failure(new UsageError("x")), { code: 64, message: "plan: x" });
        assert.deepStrictEqual(failure(new UnknownStackError("no stack")), { code: 64, message: "plan: no stack" });
        assert.deepStrictEqual(failure(new StackFileError("bad")), { code: 2, message: "plan failed: bad" });
        assert.strictEqual(failure(configError("dev", [])).code, 2);
        assert.deepStrictEqual(failure(new Error("boom")), {
            code: 70,
            message: "plan failed unexpectedly (a bug; please report it): boom",
        });
    });

    it("needs one stack or --env, and prints an absolute --out as absolute", () => {
        assert.throws(() => parseArgs([]), {
            message: "give one stack or --env <env>, neither was given; npm run plan -- --help for usage",
        });
        assert.throws(() => parseArgs(["dev", "--env", "dev"]), {
            message: "give one stack or --env <env>, not both; npm run plan -- --help for usage",
        });
        const out = path.join(tempDir("abs"), "plan");
        const args = parseArgs(["dev", "--out", out]);
        assert.strictEqual(args.out, out);
        assert.strictEqual(args.show(path.join(out, "dev")), path.join(out, "dev"));
        const relative = parseArgs(["dev"]);
        assert.strictEqual(relative.out, path.join(ROOT, "out", "plan"));
        assert.strictEqual(
            relative.show(path.join(ROOT, "out", "plan", "dev")),
            path.relative(process.cwd(), path.join(ROOT, "out", "plan", "dev")),
        );
    });
});

describe("the plan: every bad stack file named, with what exists or is allowed", function () {
    it("a YAML syntax error names the file, the line and the column", () => {
        const dir = devCopy();
        edit(
            dir,
            "Pulumi.dev.yaml",
            "  platform:region: eu-central-1",
            "  platform:region: eu-central-1\n   platform:team: x",
        );
        assert.throws(
            () => readStackConfig("dev", dir),
            (err: Error) => {
                assert.ok(err instanceof StackFileError);
                assert.strictEqual(
                    err.message,
                    "Pulumi.dev.yaml line 6, column 17: not valid YAML: bad indentation of a mapping entry",
                );
                return true;
            },
        );
    });

    it("a stack file that is not a map of config is refused by name", () => {
        const dir = tempDir("notmap");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  - platform:layer: global\n");
        assert.throws(() => readStackConfig("dev", dir), {
            name: "StackFileError",
            message:
                'Pulumi.dev.yaml: not a stack file; allowed: a map whose config: is a map of keys, e.g. "config:\n  platform:layer: service"',
        });
    });

    it("a Pulumi.<env>-<service>.yml is refused by name, in the environment and as a stack", () => {
        const dir = devCopy();
        fs.copyFileSync(path.join(dir, "Pulumi.dev-payment.yaml"), path.join(dir, "Pulumi.dev-orders.yml"));
        const message =
            "Pulumi.dev-orders.yml: stack files end in .yaml (Pulumi reads Pulumi.dev-orders.yaml only, so this file would be ignored); rename it to Pulumi.dev-orders.yaml";
        assert.throws(() => stacksOfEnvironment("dev", dir), { name: "StackFileError", message });
        assert.throws(() => readStackConfig("dev-orders", dir), { name: "StackFileError", message });
        assert.deepStrictEqual(stacksOfEnvironment("qa", dir), [], "another environment's stacks are not concerned");
    });

    it("a stack or environment without a file lists the stacks that exist", async () => {
        const dir = devCopy();
        const stacks = "dev, dev-backend, dev-common, dev-frontend, dev-payment";
        assert.throws(() => readStackConfig("dev-ordrs", dir), {
            name: "UnknownStackError",
            message: `no stack "dev-ordrs": ${path.join(dir, "Pulumi.dev-ordrs.yaml")} does not exist; the stacks in ${dir}: ${stacks}`,
        });
        assert.throws(() => readStackConfig("dev-paymnt", dir), {
            name: "UnknownStackError",
            message: `no stack "dev-paymnt": ${path.join(dir, "Pulumi.dev-paymnt.yaml")} does not exist; did you mean dev-payment? the stacks in ${dir}: ${stacks}`,
        });
        const err = await rejection(planEnvironment("staging", dir));
        assert.ok(err instanceof UnknownStackError);
        assert.strictEqual(
            err.message,
            `environment "staging" has no global stack: ${path.join(dir, "Pulumi.staging.yaml")} does not exist; the stacks in ${dir}: ${stacks}`,
        );
        fs.rmSync(path.join(dir, "Pulumi.dev-common.yaml"));
        const noCommon = await rejection(planStack("dev-backend", dir));
        assert.ok(noCommon instanceof UnknownStackError);
        assert.strictEqual(
            noCommon.message,
            `no stack "dev-common": ${path.join(dir, "Pulumi.dev-common.yaml")} does not exist; the stacks in ${dir}: dev, dev-backend, dev-frontend, dev-payment`,
        );
    });

    it("an environment without its common stack names what the services read, not the mocks", async () => {
        const dir = devCopy();
        fs.rmSync(path.join(dir, "Pulumi.dev-common.yaml"));
        const err = await rejection(planEnvironment("dev", dir));
        assert.ok(err instanceof UnknownStackError);
        assert.strictEqual(
            err.message,
            `Pulumi.dev-backend.yaml: a service stack reads the stack dev-common, which has no stack file (Pulumi.dev-common.yaml); the stacks in ${dir}: dev, dev-backend, dev-frontend, dev-payment`,
        );
    });

    it("Pulumi.dev-common.yaml set to the service layer: its own error, naming it, and no mock internals", async () => {
        const dir = devCopy();
        edit(dir, "Pulumi.dev-common.yaml", "platform:layer: common", "platform:layer: service");
        const err = await rejection(planEnvironment("dev", dir));
        assert.ok(isConfigError(err));
        assert.doesNotMatch(err.message, /mocks|StackReference/);
        // Only the layer: the keys of a common stack checked as a service's would be noise.
        assert.strictEqual(
            err.message,
            'Configuration of stack "dev-common" (Pulumi.dev-common.yaml) is invalid; nothing was created:\n' +
                `  - platform:layer = "service": stack "dev-common" is the environment's common stack (its name ends in "-common"), so its layer is common; set platform:layer: common in Pulumi.dev-common.yaml (a service needs a stack <env>-<service> with a name other than global or common)`,
        );
    });
});

describe("the plan: what environments must not share", () => {
    it("warns when a copied environment keeps another's zone name or an overlapping VPC CIDR", () => {
        const dir = devCopy();
        fs.copyFileSync(path.join(dir, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.staging.yaml"));
        edit(dir, "Pulumi.staging.yaml", "platform:vpcCidr: 10.20.0.0/16", "platform:vpcCidr: 10.20.128.0/17");
        assert.deepStrictEqual(environmentWarnings("staging", dir), [
            'Pulumi.staging.yaml: platform:privateZoneName = "dev.internal.example.com" is also a zone of environment "dev" (Pulumi.dev.yaml, platform:privateZoneName); each environment needs zone names of its own, e.g. "staging.internal.example.com"',
            'Pulumi.staging.yaml: platform:vpcCidr = "10.20.128.0/17" overlaps environment "dev"\'s "10.20.0.0/16" (Pulumi.dev.yaml); the VPCs could never be peered or joined by a VPN or transit gateway; allowed: a range that overlaps no other environment\'s vpcCidr',
        ]);
        edit(dir, "Pulumi.staging.yaml", "platform:vpcCidr: 10.20.128.0/17", "platform:vpcCidr: 10.30.0.0/16");
        edit(
            dir,
            "Pulumi.staging.yaml",
            "platform:privateZoneName: dev.internal.example.com",
            "platform:privateZoneName: staging.internal.example.com",
        );
        assert.deepStrictEqual(environmentWarnings("staging", dir), []);
        assert.deepStrictEqual(environmentWarnings("dev", dir), []);
    });
});

describe("the plan: stale output", () => {
    it("clears the folders of the environment's stacks that have no file any more, and nothing else", () => {
        const dir = devCopy();
        const out = tempDir("out");
        for (const folder of ["dev", "dev-backend", "dev-orders", "dev-notes", "qa-orders"]) {
            fs.mkdirSync(path.join(out, folder));
            fs.writeFileSync(path.join(out, folder, "resources.json"), "[]\n");
        }
        fs.writeFileSync(path.join(out, "dev-notes", "mine.txt"), "not a plan file\n");
        assert.deepStrictEqual(clearStaleOutput("dev", out, dir), [path.join(out, "dev-orders")]);
        assert.deepStrictEqual(fs.readdirSync(out).sort(), ["dev", "dev-backend", "dev-notes", "qa-orders"]);
    });
});
