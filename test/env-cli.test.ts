// `npm run env`: ordering, narrowing, failure handling, the summary and bad input, with a fake
// workspace in place of Pulumi's Automation API (test/integration/env.test.ts runs the real one).
import * as assert from "assert";
import { EventEmitter } from "events";
import * as fs from "fs";
import * as path from "path";
import { CommanderError } from "commander";
import { EXIT, MainOptions, NO_PULUMI, failure, main, parseEnvArgs, runOrderText } from "../scripts/env";
import {
    BackendStack,
    Counts,
    EnvironmentWorkspace,
    Operation,
    PendingOperation,
    PrefixedLines,
    StackOutcome,
    StackRunFailure,
    StackRunOptions,
    StackRunReport,
    firstLine,
    summaryMarkdown,
    summaryTable,
} from "../scripts/env-runner";
import { tempDir } from "./helpers/temp";
import { copyFixtureStacks } from "./helpers/stacks";

/** A project folder (Pulumi.yaml and the fixture stacks) that `npm run env` runs in, as it would in a checkout. */
const FIXTURE_PROJECT = copyFixtureStacks(tempDir("env-project"), { project: true });

const DEV_SERVICES = ["dev-backend", "dev-frontend", "dev-payment"];
const DEV_STACKS = ["dev", "dev-common", ...DEV_SERVICES];

const ZERO: Counts = { created: 0, updated: 0, replaced: 0, deleted: 0, unchanged: 0 };

/** What the fake does for a stack: fail with a message, report counts and changes, print output, run until cancelled. */
interface Behaviour {
    readonly fail?: string;
    readonly counts?: Counts;
    readonly changes?: StackRunReport["changes"];
    readonly output?: string;
    /** Called when the stack starts (e.g. to send a signal). */
    readonly onStart?: () => void;
    /** Runs until the run is cancelled, then fails as the CLI does when it stops. */
    readonly untilCancelled?: boolean;
}

/** What the fake backend holds: its stacks, their deployed outputs, their pending operations. */
interface FakeBackend {
    readonly stacks?: BackendStack[];
    readonly outputs?: Record<string, Record<string, unknown>>;
    readonly pending?: Record<string, PendingOperation[]>;
    readonly protected?: Record<string, string[]>;
}

/** A workspace that records which stacks ran, in which order, how many at once and with which options. */
class FakeWorkspace implements EnvironmentWorkspace {
    readonly events: string[] = [];
    readonly options = new Map<string, StackRunOptions>();
    running = 0;
    mostAtOnce = 0;

    constructor(
        private readonly behaviour: Record<string, Behaviour> = {},
        private readonly backend: FakeBackend = {},
    ) {}

    async run(stack: string, operation: Operation, options: StackRunOptions): Promise<StackRunReport> {
        this.events.push(`start ${operation} ${stack}`);
        this.options.set(stack, options);
        this.running++;
        this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
        const b = this.behaviour[stack] ?? {};
        b.onStart?.();
        if (b.untilCancelled) {
            await new Promise((resolve) => options.cancel?.addEventListener("abort", resolve));
        }
        // Give the other stacks of the layer a chance to start before this one ends.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (b.output) {
            options.onOutput(b.output);
        }
        this.running--;
        this.events.push(`end ${stack}`);
        if (b.untilCancelled) {
            throw new StackRunFailure("update canceled", { ...ZERO, created: 2 });
        }
        if (b.fail) {
            throw new StackRunFailure(b.fail, { ...ZERO, created: 1 });
        }
        return { counts: b.counts ?? { ...ZERO, unchanged: 3 }, changes: b.changes ?? [] };
    }

    listStacks(): Promise<BackendStack[]> {
        // By default every fixture stack is deployed.
        return Promise.resolve(this.backend.stacks ?? DEV_STACKS.map((name) => ({ name, resourceCount: 10 })));
    }

    outputs(stack: string): Promise<Record<string, unknown> | undefined> {
        return Promise.resolve(this.backend.outputs?.[stack]);
    }

    pendingOperations(stack: string): Promise<PendingOperation[]> {
        return Promise.resolve(this.backend.pending?.[stack] ?? []);
    }

    protectedResources(stack: string): Promise<string[]> {
        return Promise.resolve(this.backend.protected?.[stack] ?? []);
    }

    /** The stacks in the order they started. */
    get started(): string[] {
        return this.events.filter((e) => e.startsWith("start ")).map((e) => e.split(" ")[2]);
    }
}

/** Runs the command with a fake workspace; resolves with its exit code and printed lines. */
async function env(
    argv: string[],
    workspace = new FakeWorkspace(),
    dir = FIXTURE_PROJECT,
    options: MainOptions = {},
): Promise<{ code: number; lines: string[]; workspace: FakeWorkspace }> {
    const lines: string[] = [];
    const code = await main(argv, {
        workspace,
        print: (l) => lines.push(...l.split("\n")),
        dir,
        canAsk: false,
        signals: new EventEmitter(),
        ...options,
    });
    return { code, lines, workspace };
}

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error {
    try {
        fn();
    } catch (err) {
        return err as Error;
    }
    throw new Error("did not throw");
}

/** A copy of dev's stack files and Pulumi.yaml, for breaking one of them. */
function devCopy(): string {
    const dir = tempDir("env");
    copyFixtureStacks(dir, { project: true });
    return dir;
}

/** The summary table's rows without the duration column (wall time varies), cells joined by one space. */
function rowsWithoutDuration(lines: string[]): string[] {
    const header = lines.findIndex((l) => l.startsWith("stack "));
    const end = lines.indexOf("", header);
    return lines.slice(header, end < 0 ? undefined : end).map((l) =>
        l
            .split(/\s{2,}/)
            .filter((_, i) => i !== 7)
            .join(" "),
    );
}

/**
 * Runs `argv` against `dir` with `workspace`, expecting a refusal; returns the exit code and
 * message `failure` gives, and checks that the fake ran nothing.
 */
async function refused(
    argv: string[],
    dir = FIXTURE_PROJECT,
    workspace = new FakeWorkspace(),
): Promise<{ code: number; message?: string }> {
    let err: unknown;
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = () => true; // commander's own message
    try {
        await main(argv, { workspace, print: () => undefined, dir, canAsk: false, signals: new EventEmitter() });
    } catch (e) {
        err = e;
    } finally {
        process.stderr.write = write;
    }
    assert.ok(err !== undefined, `${argv.join(" ")} was not refused`);
    assert.deepStrictEqual(workspace.events, [], "nothing runs");
    return failure(err);
}

describe("npm run env: one operation over an environment's stacks", () => {
    describe("order", () => {
        it("up runs global, then common, then every service stack at once", async () => {
            const { code, workspace } = await env(["up", "--env", "dev", "--yes"]);
            assert.strictEqual(code, EXIT.ok);
            assert.deepStrictEqual(workspace.events, [
                "start up dev",
                "end dev",
                "start up dev-common",
                "end dev-common",
                ...DEV_SERVICES.map((s) => `start up ${s}`),
                ...DEV_SERVICES.map((s) => `end ${s}`),
            ]);
            assert.strictEqual(workspace.mostAtOnce, 3);
        });

        it("destroy runs the other way round: services, common, global", async () => {
            const { code, workspace } = await env(["destroy", "--env", "dev", "--yes-destroy", "dev"]);
            assert.strictEqual(code, EXIT.ok);
            assert.deepStrictEqual(workspace.started, [...DEV_SERVICES, "dev-common", "dev"]);
            assert.deepStrictEqual(workspace.events.slice(-4), [
                "start destroy dev-common",
                "end dev-common",
                "start destroy dev",
                "end dev",
            ]);
        });

        it("--parallel bounds how many service stacks run at once", async () => {
            for (const [parallel, most] of [
                ["1", 1],
                ["2", 2],
                ["4", 3],
            ] as const) {
                const { workspace } = await env(["preview", "--env", "dev", "--parallel", parallel]);
                assert.strictEqual(workspace.mostAtOnce, most, `--parallel ${parallel}`);
                assert.deepStrictEqual(workspace.started, ["dev", "dev-common", ...DEV_SERVICES]);
            }
        });

        it("says the order before it starts", () => {
            assert.strictEqual(
                runOrderText(parseEnvArgs(["destroy", "--env", "dev", "--parallel", "2"], FIXTURE_PROJECT)),
                "destroy of environment dev: dev-backend, dev-frontend, dev-payment (service, at most 2 at once), then dev-common (common), then dev (global)",
            );
        });
    });

    describe("--stack narrows", () => {
        it("to the named stacks, still in layer order", async () => {
            const { code, workspace, lines } = await env([
                "preview",
                "--env",
                "dev",
                "--stack",
                "dev-payment",
                "--stack",
                "dev",
            ]);
            assert.strictEqual(code, EXIT.ok);
            assert.deepStrictEqual(workspace.started, ["dev", "dev-payment"]);
            assert.strictEqual(lines[0], "preview of environment dev: dev (global), then dev-payment (service)");
        });

        it("refuses a stack of another environment, and a stack without a file, before anything runs", () => {
            assert.strictEqual(
                thrown(() => parseEnvArgs(["up", "--env", "dev", "--stack", "prod-backend"], FIXTURE_PROJECT)).message,
                '--stack prod-backend is not a stack of environment "dev" (its stacks are dev and dev-<name>); the stacks of dev: dev, dev-backend, dev-common, dev-frontend, dev-payment',
            );
            assert.strictEqual(
                thrown(() => parseEnvArgs(["up", "--env", "dev", "--stack", "dev-billing"], FIXTURE_PROJECT)).message,
                `--stack dev-billing: environment "dev" has no stack dev-billing (no Pulumi.dev-billing.yaml in ${FIXTURE_PROJECT}); the stacks of dev: dev, dev-backend, dev-common, dev-frontend, dev-payment`,
            );
        });
    });

    describe("failures", () => {
        it("a failed layer is the last that runs: the later stacks are reported as not run, naming it", async () => {
            const workspace = new FakeWorkspace({
                "dev-common": { fail: "no resource plugin 'pulumi-resource-eks' found" },
            });
            const { code, lines } = await env(["up", "--env", "dev", "--yes"], workspace);
            assert.strictEqual(code, EXIT.failed);
            assert.deepStrictEqual(workspace.started, ["dev", "dev-common"]);
            assert.deepStrictEqual(rowsWithoutDuration(lines), [
                "stack operation created updated replaced deleted unchanged result",
                "dev up 0 0 0 0 3 succeeded",
                "dev-common up 1 0 0 0 0 failed",
                "dev-backend up - - - - - not run",
                "dev-frontend up - - - - - not run",
                "dev-payment up - - - - - not run",
            ]);
            assert.deepStrictEqual(lines.slice(-4), [
                "dev-common: failed: no resource plugin 'pulumi-resource-eks' found",
                "dev-backend: not run: dev-common failed in an earlier layer",
                "dev-frontend: not run: dev-common failed in an earlier layer",
                "dev-payment: not run: dev-common failed in an earlier layer",
            ]);
        });

        it("a failed service stack does not stop its siblings (they are one layer), and the exit code is 1", async () => {
            const workspace = new FakeWorkspace({ "dev-backend": { fail: "boom" } });
            const { code } = await env(["up", "--env", "dev", "--yes"], workspace);
            assert.strictEqual(code, EXIT.failed);
            assert.deepStrictEqual(workspace.started, ["dev", "dev-common", ...DEV_SERVICES]);
        });

        it("destroy stops before common and global when a service stack fails", async () => {
            const workspace = new FakeWorkspace({ "dev-frontend": { fail: "boom" } });
            const { code, lines } = await env(["destroy", "--env", "dev", "--yes-destroy", "dev"], workspace);
            assert.strictEqual(code, EXIT.failed);
            assert.deepStrictEqual(workspace.started, DEV_SERVICES);
            assert.deepStrictEqual(lines.slice(-2), [
                "dev-common: not run: dev-frontend failed in an earlier layer",
                "dev: not run: dev-frontend failed in an earlier layer",
            ]);
        });
    });

    describe("--expect-no-changes (a drift check)", () => {
        it("fails a preview that would change a stack, and passes one that would not", async () => {
            const drifted = new FakeWorkspace({ "dev-backend": { counts: { ...ZERO, updated: 1, unchanged: 40 } } });
            const { code, lines } = await env(["preview", "--env", "dev", "--expect-no-changes"], drifted);
            assert.strictEqual(code, EXIT.failed);
            assert.strictEqual(
                lines[lines.length - 1],
                "dev-backend: changes: changes found, none expected (--expect-no-changes)",
            );
            assert.strictEqual((await env(["preview", "--env", "dev", "--expect-no-changes"])).code, EXIT.ok);
            // Without the flag, changes are what a preview is for.
            assert.strictEqual(
                (
                    await env(
                        ["preview", "--env", "dev"],
                        new FakeWorkspace({ "dev-backend": { counts: { ...ZERO, updated: 1 } } }),
                    )
                ).code,
                EXIT.ok,
            );
        });
    });

    describe("output", () => {
        it("prefixes every line of a stack's output with its name, padded so that stacks running at once line up", async () => {
            const workspace = new FakeWorkspace({
                "dev-backend": { output: "Previewing update (dev-backend)\n\n + 3 to create\n" },
            });
            const { lines } = await env(
                ["preview", "--env", "dev", "--stack", "dev-backend", "--stack", "dev-common"],
                workspace,
            );
            assert.deepStrictEqual(
                lines.filter((l) => l.startsWith("[dev-backend")),
                ["[dev-backend] Previewing update (dev-backend)", "[dev-backend] ", "[dev-backend]  + 3 to create"],
            );
        });

        it("keeps a line that arrives in pieces whole, and prints an unfinished last line at the end", () => {
            const printed: string[] = [];
            const lines = new PrefixedLines("[dev] ", (l) => printed.push(l));
            lines.write("Upd");
            lines.write("ating\r\ndone");
            assert.deepStrictEqual(printed, ["[dev] Updating"]);
            lines.flush();
            assert.deepStrictEqual(printed, ["[dev] Updating", "[dev] done"]);
        });

        const outcomes: StackOutcome[] = [
            {
                stack: "dev",
                layer: "global",
                operation: "preview",
                result: "succeeded",
                counts: { ...ZERO, unchanged: 19 },
                changes: [],
                seconds: 12.34,
            },
            {
                stack: "dev-common",
                layer: "common",
                operation: "preview",
                result: "failed",
                counts: { ...ZERO, created: 2 },
                seconds: 3,
                reason: "Running program 'infra/index.ts' failed with an unhandled exception:\n  Error: no | pipe\nmore",
            },
            {
                stack: "dev-backend",
                layer: "service",
                operation: "preview",
                result: "succeeded",
                counts: { created: 1, updated: 1, replaced: 1, deleted: 1, unchanged: 10 },
                changes: [
                    { op: "create", type: "kubernetes:core/v1:Service", name: "dev-backend-service" },
                    { op: "replace", type: "kubernetes:apps/v1:Deployment", name: "dev-backend-deployment" },
                ],
                seconds: 100,
            },
            {
                stack: "dev-payment",
                layer: "service",
                operation: "preview",
                result: "not run",
                reason: "not run: dev-common failed in an earlier layer",
            },
        ];

        it("the summary table: a row per stack, the counts, the duration, the result, then why each did not succeed", () => {
            assert.strictEqual(
                summaryTable(outcomes),
                [
                    "stack        operation  created  updated  replaced  deleted  unchanged  duration  result",
                    "dev          preview          0        0         0        0         19    12.3 s  succeeded",
                    "dev-common   preview          2        0         0        0          0     3.0 s  failed",
                    "dev-backend  preview          1        1         1        1         10   100.0 s  succeeded",
                    "dev-payment  preview          -        -         -        -          -         -  not run",
                    "",
                    "dev-common: failed: Running program 'infra/index.ts' failed with an unhandled exception: Error: no | pipe",
                    "dev-payment: not run: dev-common failed in an earlier layer",
                ].join("\n"),
            );
        });

        it("the Markdown summary: the table, the reasons and each stack's changes", () => {
            assert.strictEqual(
                summaryMarkdown("dev", outcomes),
                [
                    "### `preview` of environment `dev`: not every stack succeeded",
                    "",
                    "| stack | operation | created | updated | replaced | deleted | unchanged | duration | result |",
                    "|---|---|---:|---:|---:|---:|---:|---:|---|",
                    "| `dev` | preview | 0 | 0 | 0 | 0 | 19 | 12.3 s | succeeded |",
                    "| `dev-common` | preview | 2 | 0 | 0 | 0 | 0 | 3.0 s | failed |",
                    "| `dev-backend` | preview | 1 | 1 | 1 | 1 | 10 | 100.0 s | succeeded |",
                    "| `dev-payment` | preview | - | - | - | - | - | - | not run |",
                    "",
                    "- `dev-common`: Running program 'infra/index.ts' failed with an unhandled exception: Error: no \\| pipe",
                    "- `dev-payment`: not run: dev-common failed in an earlier layer",
                    "",
                    "<details><summary><code>dev-backend</code>: 2 changes</summary>",
                    "",
                    "- create `kubernetes:core/v1:Service` `dev-backend-service`",
                    "- replace `kubernetes:apps/v1:Deployment` `dev-backend-deployment`",
                    "",
                    "</details>",
                    "",
                ].join("\n"),
            );
        });

        it("--summary writes the Markdown summary to the file", async () => {
            const file = path.join(tempDir("env-summary"), "nested", "preview.md");
            const { code } = await env(["preview", "--env", "dev", "--summary", file]);
            assert.strictEqual(code, EXIT.ok);
            const text = fs.readFileSync(file, "utf8");
            assert.match(text, /^### `preview` of environment `dev`: every stack succeeded\n/);
            assert.match(text, /\| `dev-payment` \| preview \| 0 \| 0 \| 0 \| 0 \| 3 \| [0-9.]+ s \| succeeded \|/);
        });

        it("the headline of a reason is its first line, and the next when the first only announces it", () => {
            assert.strictEqual(firstLine("\n  error: one\ntwo"), "error: one");
            assert.strictEqual(firstLine("failed with:\n\n   TypeError: x\ny"), "failed with: TypeError: x");
        });
    });

    describe("bad input: a clear message, exit code 2, nothing run", () => {
        it("an unknown operation", async () => {
            assert.deepStrictEqual(await refused(["deploy", "--env", "dev"]), {
                code: 2,
                message: 'env: unknown operation "deploy"; allowed: preview, up, refresh, destroy',
            });
        });

        it("an unknown environment, and a name that cannot be one", async () => {
            for (const name of ["stage", "dev-backend"]) {
                assert.deepStrictEqual(await refused(["preview", "--env", name]), {
                    code: 2,
                    message: `env: unknown environment "${name}": there is no ${path.join(FIXTURE_PROJECT, `Pulumi.${name}.yaml`)} (its global stack); the environments: dev`,
                });
            }
        });

        it("--parallel 0 (commander prints its message)", async () => {
            const err = thrown(() => parseEnvArgsQuietly(["preview", "--env", "dev", "--parallel", "0"]));
            assert.ok(err instanceof CommanderError);
            assert.strictEqual(
                err.message,
                "error: option '--parallel <n>' argument '0' is invalid. allowed: a whole number of 1 or more (how many service stacks may run at once)",
            );
            assert.deepStrictEqual(failure(err), { code: 2 });
            assert.strictEqual((await refused(["preview", "--env", "dev", "--parallel", "1.5"])).code, 2);
        });

        it("a --stack of another environment", async () => {
            assert.strictEqual((await refused(["up", "--env", "dev", "--stack", "prod", "--yes"])).code, 2);
        });

        it("--expect-no-changes with another operation than preview", async () => {
            assert.deepStrictEqual(await refused(["up", "--env", "dev", "--expect-no-changes", "--yes"]), {
                code: 2,
                message: "env: --expect-no-changes is for preview only (a drift check), not up",
            });
        });

        it("--create with another operation than preview or up", async () => {
            assert.deepStrictEqual(await refused(["destroy", "--env", "dev", "--create", "--yes"]), {
                code: 2,
                message: "env: --create is for preview and up only, not destroy",
            });
        });

        it("up, refresh or destroy without --yes and without a terminal to confirm on", async () => {
            for (const [operation, stack] of [
                ["up", "dev"],
                ["refresh", "dev"],
                ["destroy", "dev-backend"],
            ]) {
                assert.deepStrictEqual(await refused([operation, "--env", "dev", "--stack", stack]), {
                    code: 2,
                    message: `env: ${operation} changes the stacks: pass --yes to run it without a terminal to confirm on`,
                });
            }
        });

        it("an invalid stack file stops the run before anything runs, naming the stack, each bad key and what is allowed", async () => {
            const dir = devCopy();
            const file = path.join(dir, "Pulumi.dev-frontend.yaml");
            fs.writeFileSync(
                file,
                fs
                    .readFileSync(file, "utf8")
                    .replace("platform:layer: service", "platform:layer: service\n  platform:retries: 11"),
            );
            const { code, message } = await refused(["up", "--env", "dev", "--yes"], dir);
            assert.strictEqual(code, 2);
            assert.match(
                message!,
                /^env: nothing ran: a stack file is invalid\ndev-frontend: Configuration of stack "dev-frontend" \(Pulumi\.dev-frontend\.yaml\) is invalid; nothing was created:\n {2}- platform:retries/,
            );
            assert.match(message!, /platform:retries.*11/);
        });

        it("a key without platform: in the project's own stack file (--cwd) stops the run, naming it", async () => {
            const dir = devCopy();
            fs.appendFileSync(path.join(dir, "Pulumi.dev-payment.yaml"), "  replicas: 2\n");
            const { code, message } = await refused(["preview", "--env", "dev", "--stack", "dev-payment"], dir);
            assert.strictEqual(code, 2);
            assert.strictEqual(
                message,
                'env: nothing ran: a stack file is invalid\ndev-payment: Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                    "  - replicas = 2: a key without the platform: namespace; every key of a stack file is written platform:<key> (the plan and the checks of a stack file read it by that name); write it as platform:replicas",
            );
        });

        it("a service stack file named as no service can be stops the run, naming that file", async () => {
            const dir = devCopy();
            fs.copyFileSync(path.join(dir, "Pulumi.dev-payment.yaml"), path.join(dir, "Pulumi.dev-ledger_v2.yaml"));
            const { code, message } = await refused(["preview", "--env", "dev", "--stack", "dev-backend"], dir);
            assert.strictEqual(code, 2);
            assert.match(
                message!,
                /^env: nothing ran: a stack file is invalid\nConfiguration of stack "dev-ledger_v2" \(Pulumi\.dev-ledger_v2\.yaml\) is invalid; nothing was created:\n {2}- platform:layer = "service": stack name "dev-ledger_v2" does not fit the service layer/,
            );
        });

        it("a stack file that is not valid YAML, naming the file and the line", async () => {
            const dir = devCopy();
            fs.writeFileSync(path.join(dir, "Pulumi.dev-payment.yaml"), "config:\n  platform:layer: [service\n");
            const { code, message } = await refused(["preview", "--env", "dev", "--stack", "dev-payment"], dir);
            assert.strictEqual(code, 2);
            assert.match(
                message!,
                /^env: nothing ran: a stack file is invalid\ndev-payment: Pulumi\.dev-payment\.yaml line 3, column 1: not valid YAML/,
            );
        });

        it("an allow rule naming a service without a stack", async () => {
            const dir = devCopy();
            fs.rmSync(path.join(dir, "Pulumi.dev-frontend.yaml"));
            const { code, message } = await refused(["preview", "--env", "dev", "--stack", "dev"], dir);
            assert.strictEqual(code, 2);
            assert.match(
                message!,
                /environment "dev": an allow rule names a service without a stack:\n {2}- Pulumi\.dev-backend\.yaml: platform:allowedCallers\[0\]\.service = "frontend"/,
            );
        });
    });
});

/** parseEnvArgs without commander's own error output (the tests read the error instead). */
function parseEnvArgsQuietly(argv: string[]): unknown {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = () => true;
    try {
        return parseEnvArgs(argv, FIXTURE_PROJECT);
    } finally {
        process.stderr.write = write;
    }
}

/** A copy of the fixture project whose global stack says platform:production: false (a review environment). */
function reviewCopy(): string {
    const dir = devCopy();
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(
        file,
        fs
            .readFileSync(file, "utf8")
            .replace("platform:layer: global", "platform:layer: global\n  platform:production: false"),
    );
    return dir;
}

describe("npm run env: day-2 safety", () => {
    describe("guarded destroy", () => {
        const backend: FakeBackend = {
            stacks: [
                { name: "dev", resourceCount: 45 },
                { name: "dev-common", resourceCount: 70 },
                { name: "dev-backend", resourceCount: 22 },
                { name: "dev-frontend", resourceCount: 0 },
                { name: "dev-old", resourceCount: 15 },
            ],
        };

        it("refuses a layer while a later layer still has resources in the backend, naming them (a stack without a file too)", async () => {
            assert.deepStrictEqual(
                await refused(
                    ["destroy", "--env", "dev", "--stack", "dev-common", "--yes"],
                    FIXTURE_PROJECT,
                    new FakeWorkspace({}, backend),
                ),
                {
                    code: EXIT.badInput,
                    message:
                        "env: destroy refused, nothing ran: dev-common would go while stacks of a later layer of environment dev still have resources in the backend: dev-backend (22 resources), dev-old (15 resources, no stack file). Destroy them first (services, then common, then global: npm run env -- destroy --env dev --stack <stack>), or the whole environment in one run; a stack without a file needs its Pulumi.<stack>.yaml back (git history) to be destroyed",
                },
            );
            // The whole environment in one run destroys the services first, but the orphan blocks it.
            assert.match(
                (
                    await refused(
                        ["destroy", "--env", "dev", "--yes-destroy", "dev"],
                        FIXTURE_PROJECT,
                        new FakeWorkspace({}, backend),
                    )
                ).message!,
                /^env: destroy refused, nothing ran: dev, dev-common would go while a stack of a later layer of environment dev still has resources in the backend: dev-old \(15 resources, no stack file\)\./,
            );
        });

        it("lets a later layer go first, and an earlier one once the later ones are empty", async () => {
            const services = await env(
                ["destroy", "--env", "dev", "--stack", "dev-backend", "--yes"],
                new FakeWorkspace({}, backend),
            );
            assert.strictEqual(services.code, EXIT.ok);
            assert.deepStrictEqual(services.workspace.started, ["dev-backend"]);
            const emptied: FakeBackend = {
                stacks: DEV_STACKS.map((name) => ({ name, resourceCount: name.startsWith("dev-") ? 0 : 45 })),
            };
            const common = await env(
                ["destroy", "--env", "dev", "--stack", "dev-common", "--yes"],
                new FakeWorkspace({}, emptied),
            );
            assert.strictEqual(common.code, EXIT.ok);
            assert.deepStrictEqual(common.workspace.started, ["dev-common"]);
        });

        it("destroying the environment (its global stack) takes its name: --yes-destroy <env>, or typed on a terminal", async () => {
            assert.deepStrictEqual(await refused(["destroy", "--env", "dev", "--yes"]), {
                code: EXIT.badInput,
                message:
                    "env: destroying environment dev (its global stack dev) needs its name: pass --yes-destroy dev to run it without a terminal (--yes is not enough)",
            });
            assert.deepStrictEqual(
                await refused(["destroy", "--env", "dev", "--stack", "dev", "--yes-destroy", "prod"]),
                {
                    code: EXIT.badInput,
                    message:
                        "env: --yes-destroy prod does not name the environment being destroyed (dev); pass --yes-destroy dev",
                },
            );
            const questions: string[] = [];
            const typed = (answer: string) => (q: string) => {
                questions.push(q);
                return Promise.resolve(answer);
            };
            const wrong = await env(["destroy", "--env", "dev", "--yes"], new FakeWorkspace(), FIXTURE_PROJECT, {
                canAsk: true,
                ask: typed("dve"),
            });
            assert.strictEqual(wrong.code, EXIT.failed);
            assert.deepStrictEqual(wrong.workspace.events, []);
            assert.strictEqual(wrong.lines[wrong.lines.length - 1], 'nothing ran: "dve" is not dev');
            const right = await env(["destroy", "--env", "dev"], new FakeWorkspace(), FIXTURE_PROJECT, {
                canAsk: true,
                ask: typed("dev"),
            });
            assert.strictEqual(right.code, EXIT.ok);
            assert.deepStrictEqual(right.workspace.started, [...DEV_SERVICES, "dev-common", "dev"]);
            assert.deepStrictEqual(questions, [
                "Destroy environment dev (dev, dev-backend, dev-common, dev-frontend, dev-payment)? Type its name to confirm: ",
                "Destroy environment dev (dev, dev-backend, dev-common, dev-frontend, dev-payment)? Type its name to confirm: ",
            ]);
        });
    });

    describe("protected resources", () => {
        it("a destroy of stacks that hold protected resources is refused before anything runs, naming them", async () => {
            const urn = (type: string, name: string) =>
                `urn:pulumi:dev::platform::platform:network:Network$${type}::${name}`;
            const backend: FakeBackend = {
                protected: {
                    dev: [
                        urn("aws:ec2/vpc:Vpc", "dev-global-vpc"),
                        urn("aws:ec2/subnet:Subnet", "dev-global-private-subnet-0"),
                        urn("aws:ec2/subnet:Subnet", "dev-global-private-subnet-1"),
                        urn("aws:ec2/subnet:Subnet", "dev-global-private-subnet-2"),
                    ],
                    "dev-common": [urn("kubernetes:core/v1:Namespace", "istio-system")],
                },
            };
            assert.deepStrictEqual(
                await refused(
                    ["destroy", "--env", "dev", "--yes-destroy", "dev"],
                    FIXTURE_PROJECT,
                    new FakeWorkspace({}, backend),
                ),
                {
                    code: EXIT.badInput,
                    message:
                        "env: destroy refused, nothing ran: dev (4 protected: dev-global-vpc, dev-global-private-subnet-0, dev-global-private-subnet-1, and 1 more); dev-common (1 protected: istio-system). A destroy would delete everything else of those stacks and stop at the first protected resource. To tear down a review environment: npm run env -- destroy --env dev --unprotect (its global stack must say platform:production: false); to remove one protected resource on purpose: pulumi state unprotect (docs/living-with-an-environment.md)",
                },
            );
            // A service stack holds none: its destroy runs.
            const service = await env(
                ["destroy", "--env", "dev", "--stack", "dev-backend", "--yes"],
                new FakeWorkspace({}, backend),
            );
            assert.strictEqual(service.code, EXIT.ok);
        });
    });

    describe("teardown (--unprotect)", () => {
        const deployedReview = { outputs: { dev: { env: "dev", production: false } } };

        it("refuses a production environment: the file says so, or says nothing (true is the default)", async () => {
            assert.deepStrictEqual(
                await refused(
                    ["destroy", "--env", "dev", "--unprotect", "--yes-destroy", "dev"],
                    FIXTURE_PROJECT,
                    new FakeWorkspace({}, deployedReview),
                ),
                {
                    code: EXIT.badInput,
                    message:
                        "env: --unprotect refused, nothing ran: environment dev is production (platform:production in Pulumi.dev.yaml is true, or unset: true is the default). Only a review environment is torn down: set platform:production: false in Pulumi.dev.yaml, deploy it (npm run env -- up --env dev --stack dev), then run the teardown",
                },
            );
        });

        it("refuses while the deployed global stack does not say production: false too", async () => {
            const dir = reviewCopy();
            const argv = ["destroy", "--env", "dev", "--unprotect", "--yes-destroy", "dev"];
            const cases: [FakeBackend, string][] = [
                [
                    { outputs: { dev: { production: true } } },
                    "env: --unprotect refused, nothing ran: Pulumi.dev.yaml says platform:production: false, but the deployed global stack dev says production: true; deploy the change first (npm run env -- up --env dev --stack dev)",
                ],
                [
                    { outputs: { dev: { env: "dev" } } },
                    "env: --unprotect refused, nothing ran: Pulumi.dev.yaml says platform:production: false, but the deployed global stack dev has no production output (deployed before the key existed); deploy the change first (npm run env -- up --env dev --stack dev)",
                ],
                [
                    { stacks: [], outputs: {} },
                    "env: --unprotect refused, nothing ran: environment dev has no global stack dev in the backend to confirm that it is not production; the teardown reads its deployed production output",
                ],
            ];
            for (const [backend, message] of cases) {
                assert.deepStrictEqual(await refused(argv, dir, new FakeWorkspace({}, backend)), {
                    code: EXIT.badInput,
                    message,
                });
            }
        });

        it("unprotects each stack right before destroying it, in destroy order, for a review environment", async () => {
            const { code, workspace } = await env(
                ["destroy", "--env", "dev", "--unprotect", "--yes-destroy", "dev"],
                new FakeWorkspace({}, deployedReview),
                reviewCopy(),
            );
            assert.strictEqual(code, EXIT.ok);
            assert.deepStrictEqual(workspace.started, [...DEV_SERVICES, "dev-common", "dev"]);
            assert.deepStrictEqual(
                DEV_STACKS.map((s) => workspace.options.get(s)?.unprotect),
                [true, true, true, true, true],
            );
            // Without the flag, nothing is unprotected.
            const plain = await env(["destroy", "--env", "dev", "--stack", "dev-backend", "--yes"]);
            assert.strictEqual(plain.workspace.options.get("dev-backend")?.unprotect, false);
        });

        it("--unprotect and --yes-destroy are for destroy only, --clear-pending-creates for refresh only", async () => {
            for (const [argv, message] of [
                [["up", "--env", "dev", "--unprotect", "--yes"], "env: --unprotect is for destroy only, not up"],
                [
                    ["preview", "--env", "dev", "--yes-destroy", "dev"],
                    "env: --yes-destroy is for destroy only, not preview",
                ],
                [
                    ["up", "--env", "dev", "--clear-pending-creates", "--yes"],
                    "env: --clear-pending-creates is for refresh only (after an interrupted run), not up",
                ],
            ] as const) {
                assert.deepStrictEqual(await refused([...argv]), { code: EXIT.badInput, message });
            }
            const { workspace } = await env([
                "refresh",
                "--env",
                "dev",
                "--stack",
                "dev-backend",
                "--clear-pending-creates",
                "--yes",
            ]);
            assert.strictEqual(workspace.options.get("dev-backend")?.clearPendingCreates, true);
        });
    });

    describe("drift: preview --expect-no-changes", () => {
        it("refreshes first (a plain preview does not), and names the changed resources", async () => {
            const drifted = new FakeWorkspace({
                "dev-backend": {
                    counts: { ...ZERO, updated: 1, unchanged: 21 },
                    changes: [
                        {
                            op: "update",
                            type: "kubernetes:security.istio.io/v1:AuthorizationPolicy",
                            name: "backend-allow-nothing",
                        },
                    ],
                },
            });
            const { code, lines, workspace } = await env(["preview", "--env", "dev", "--expect-no-changes"], drifted);
            assert.strictEqual(code, EXIT.failed);
            assert.deepStrictEqual(
                DEV_STACKS.map((s) => workspace.options.get(s)?.refresh),
                [true, true, true, true, true],
            );
            assert.strictEqual(
                lines[lines.length - 1],
                "dev-backend: changes: changes found, none expected (--expect-no-changes): update kubernetes:security.istio.io/v1:AuthorizationPolicy backend-allow-nothing",
            );
            const plain = await env(["preview", "--env", "dev"]);
            assert.strictEqual(plain.workspace.options.get("dev-backend")?.refresh, false);
        });

        it("reports orphan stacks and stack files without a stack; they fail a drift check only", async () => {
            const backend: FakeBackend = {
                stacks: [
                    ...DEV_STACKS.filter((s) => s !== "dev-payment").map((name) => ({ name, resourceCount: 10 })),
                    { name: "dev-old", resourceCount: 15 },
                    { name: "dev-gone", resourceCount: 0 },
                    { name: "prod", resourceCount: 40 },
                ],
            };
            const notes = [
                "dev-gone: orphan: in the backend with 0 resources but no Pulumi.dev-gone.yaml; nothing is deployed in it: pulumi stack rm dev-gone",
                "dev-old: orphan: in the backend with 15 resources but no Pulumi.dev-old.yaml; restore the file (git history) and destroy it (npm run env -- destroy --env dev --stack dev-old), then pulumi stack rm dev-old",
                "dev-payment: no stack in the backend for Pulumi.dev-payment.yaml: create it (pulumi stack init dev-payment, or up --create)",
            ];
            const drift = await env(["preview", "--env", "dev", "--expect-no-changes"], new FakeWorkspace({}, backend));
            assert.strictEqual(drift.code, EXIT.failed);
            assert.deepStrictEqual(drift.lines.slice(-3), notes);
            const preview = await env(["preview", "--env", "dev"], new FakeWorkspace({}, backend));
            assert.strictEqual(preview.code, EXIT.ok);
            assert.deepStrictEqual(preview.lines.slice(-3), notes);
        });
    });

    describe("cancellation (SIGINT, SIGTERM)", () => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
            it(`${signal}: the running stack stops, no further stack starts, the summary says how to recover; exit 130`, async () => {
                const signals = new EventEmitter();
                const workspace = new FakeWorkspace({
                    "dev-common": { untilCancelled: true, onStart: () => setImmediate(() => signals.emit(signal)) },
                });
                const { code, lines } = await env(["up", "--env", "dev", "--yes"], workspace, FIXTURE_PROJECT, {
                    signals,
                });
                assert.strictEqual(code, EXIT.cancelled);
                assert.deepStrictEqual(workspace.started, ["dev", "dev-common"]);
                assert.ok(
                    lines.includes(
                        `${signal} received: cancelling; no further stack starts and the running operations stop cleanly (a second Ctrl-C on the terminal stops them at once, leaving operations pending)`,
                    ),
                    lines.join("\n"),
                );
                assert.deepStrictEqual(rowsWithoutDuration(lines), [
                    "stack operation created updated replaced deleted unchanged result",
                    "dev up 0 0 0 0 3 succeeded",
                    "dev-common up 2 0 0 0 0 cancelled",
                    "dev-backend up - - - - - not run",
                    "dev-frontend up - - - - - not run",
                    "dev-payment up - - - - - not run",
                ]);
                assert.deepStrictEqual(lines.slice(-6), [
                    `dev-common: cancelled: cancelled (${signal}): update canceled`,
                    `dev-backend: not run: the run was cancelled (${signal})`,
                    `dev-frontend: not run: the run was cancelled (${signal})`,
                    `dev-payment: not run: the run was cancelled (${signal})`,
                    "",
                    "dev-common: stopped cleanly, no operation pending: run the same command again to finish: `npm run env -- up --env dev --yes`",
                ]);
                assert.strictEqual(signals.listenerCount(signal), 0, "the handlers are removed after the run");
            });
        }

        it("names the operations left pending and the refresh that clears them", async () => {
            const signals = new EventEmitter();
            const workspace = new FakeWorkspace(
                { "dev-backend": { untilCancelled: true, onStart: () => setImmediate(() => signals.emit("SIGINT")) } },
                {
                    pending: {
                        "dev-backend": [
                            {
                                type: "creating",
                                urn: "urn:pulumi:dev-backend::platform::platform:service:Service$kubernetes:apps/v1:Deployment::backend-v1",
                            },
                        ],
                    },
                },
            );
            const { code, lines } = await env(
                ["up", "--env", "dev", "--stack", "dev-backend", "--yes"],
                workspace,
                FIXTURE_PROJECT,
                { signals },
            );
            assert.strictEqual(code, EXIT.cancelled);
            assert.strictEqual(
                lines[lines.length - 1],
                "dev-backend: 1 operation was interrupted (creating platform:service:Service$kubernetes:apps/v1:Deployment::backend-v1). Check it on the cluster or the cloud console, then run `npm run env -- refresh --env dev --stack dev-backend --clear-pending-creates --yes` (reads every resource back and drops the pending operations; a create that did happen is then unknown to Pulumi: a Kubernetes object is taken over again by the next up, anything else needs pulumi import), then the same command again: `npm run env -- up --env dev --stack dev-backend --yes`. If the stack is reported locked: `pulumi cancel --stack dev-backend --yes` (only when no pulumi runs on it)",
            );
        });
    });

    describe("the Pulumi CLI", () => {
        it("a missing pulumi binary is named as such, before anything runs", async () => {
            const saved = process.env.PATH;
            process.env.PATH = tempDir("no-pulumi");
            try {
                let err: unknown;
                await main(["preview", "--env", "dev"], { print: () => undefined, dir: FIXTURE_PROJECT }).catch(
                    (e: unknown) => (err = e),
                );
                assert.deepStrictEqual(failure(err), { code: EXIT.badInput, message: `env: ${NO_PULUMI}` });
            } finally {
                process.env.PATH = saved;
            }
        });
    });
});
