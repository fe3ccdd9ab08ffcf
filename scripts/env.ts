// `npm run env -- <preview|up|refresh|destroy> --env <env>`: one operation over every stack of an
// environment, in layer order (layers/layering.ts), on Pulumi's Automation API over this project's
// folder with the user's backend and credentials. See README "Deploy for real" and
// `npm run env -- --help` for the options and exit codes.
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { runCommand } from "./cli";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { parseEngineConfig } from "../infra/config";
import { findOnPath } from "../plan/engine/engine";
import { ENV_NAME } from "../layers/schema/stack";
import { envOfStackName, layerOfStackName, layeredStacks } from "../layers/layering";
import { checkAllowedCallers } from "../plan/access-plan";
import { ROOT, allStacks, readStackConfig, stacksOfEnvironment } from "../plan/stack-config";
import {
    EnvironmentWorkspace,
    OPERATIONS,
    Operation,
    PendingOperation,
    StackOutcome,
    allSucceeded,
    runEnvironment,
    summaryMarkdown,
    summaryTable,
} from "./env-runner";
import { AutomationWorkspace } from "./env-workspace";
import {
    destroyRefusal,
    destroysEnvironment,
    inventoryIsClean,
    inventoryNotes,
    inventoryOf,
    protectedRefusal,
    recoveryNotes,
    teardownRefusal,
} from "./env-guards";
import { isProductionInFile } from "./production";

export { AutomationWorkspace, countsOf } from "./env-workspace";

/** The command's exit codes; README "Deploy for real" documents the same. */
export const EXIT = {
    /** Every stack succeeded. */
    ok: 0,
    /** A stack failed, or a drift check found changes. */
    failed: 1,
    /**
     * Bad input or a refusal (an unknown operation, environment or option, a stack of another
     * environment, an invalid stack file, a guarded destroy, a teardown of production, no pulumi
     * on PATH): nothing ran.
     */
    badInput: 2,
    /** Cancelled by SIGINT or SIGTERM: the running operations stopped cleanly; the summary says how to recover. */
    cancelled: 130,
} as const;

const HELP = `
Stacks run in layer order: the global stack <env>, then <env>-common, then every service stack
<env>-<service> at once (at most --parallel); destroy runs the other way round. A layer with a
failed stack is the last one that runs: the summary names the stacks that did not run and why.

up with --policy-pack previews each stack with the policy packs first and updates it only when
that passed (without, it updates directly: review changes with preview first). preview
--expect-no-changes refreshes first, so a change made by hand is seen, and also fails on stacks
of the environment that are in the backend without a stack file (orphans) or the other way round.
destroy is refused while a stack of a later layer still has resources in the backend, and
destroying the global stack (the whole environment) needs the environment's name: typed on a
terminal, or --yes-destroy <env>. Protected resources make a destroy fail; --unprotect lifts the
protection first, for an environment whose global stack says platform:production: false (in its
file and deployed). Ctrl-C or SIGTERM cancels: no further stack starts, the running ones stop
cleanly, and the summary says how to recover each (docs/living-with-an-environment.md).

Exit codes:
  0   every stack succeeded
  1   a stack failed (or, with --expect-no-changes, a preview found changes, an orphan stack or a
      stack file without a stack)
  2   bad input or a refusal: an unknown operation, environment or option, --parallel below 1, a
      --stack of another environment, a stack file that is missing or invalid, a destroy under a
      later layer, a destroy of the environment without its name, a teardown of production, no
      pulumi on PATH; nothing ran
  130 cancelled (SIGINT or SIGTERM)

Examples:
  npm run env -- preview --env dev --policy-pack policy --summary out/preview-dev.md
  npm run env -- up --env dev --yes --create           (a new environment: creates its stacks)
  npm run env -- up --env dev --stack dev-backend --yes
  npm run env -- preview --env prod --expect-no-changes     (a drift check)
  npm run env -- destroy --env dev --stack dev-backend --yes
  npm run env -- destroy --env pr42 --unprotect --yes-destroy pr42   (tear down a review environment)
  npm run env -- refresh --env dev --stack dev-backend --clear-pending-creates --yes   (after an interrupted run)
`;

/** Bad input found after parsing: exit 2, nothing ran. */
export class BadInputError extends Error {}

export interface EnvArgs {
    /** The project folder (absolute). */
    readonly dir: string;
    readonly operation: Operation;
    readonly env: string;
    /** The stacks to run, as validated; every stack of the environment when --stack is not given. */
    readonly stacks: readonly string[];
    readonly parallel: number;
    readonly policyPacks: readonly string[];
    readonly yes: boolean;
    readonly summary?: string;
    readonly expectNoChanges: boolean;
    /** Create stacks missing from the backend (preview and up). */
    readonly create: boolean;
    /** destroy: lift `protect` first (the teardown of a review environment). */
    readonly unprotect: boolean;
    /** destroy: the environment's name, confirming its destroy without a terminal. */
    readonly yesDestroy?: string;
    /** refresh: drop the operations an interrupted run left pending. */
    readonly clearPendingCreates: boolean;
}

function parallelOption(value: string): number {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
        throw new InvalidArgumentError(
            "allowed: a whole number of 1 or more (how many service stacks may run at once)",
        );
    }
    return n;
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

/** The environments of `dir`: every stack whose name makes it global (`<env>`). */
function environments(dir: string): string[] {
    return allStacks(dir).filter((s) => layerOfStackName(s) === "global");
}

/**
 * Which stacks to run: every stack of `env` in `dir`, or the `--stack`s, each of which must be a
 * stack of `env` with a file. Bad input throws a BadInputError.
 */
export function selectStacks(env: string, requested: readonly string[], dir: string): string[] {
    const envs = environments(dir);
    if (!ENV_NAME.test(env) || !envs.includes(env)) {
        throw new BadInputError(
            `unknown environment "${env}": there is no ${path.join(dir, `Pulumi.${env}.yaml`)} (its global stack); the environments: ${envs.join(", ") || "none"}`,
        );
    }
    const stacks = stacksOfEnvironment(env, dir);
    if (requested.length === 0) {
        return stacks;
    }
    for (const stack of requested) {
        if (envOfStackName(stack) !== env) {
            throw new BadInputError(
                `--stack ${stack} is not a stack of environment "${env}" (its stacks are ${env} and ${env}-<name>); the stacks of ${env}: ${stacks.join(", ")}`,
            );
        }
        if (!stacks.includes(stack)) {
            throw new BadInputError(
                `--stack ${stack}: environment "${env}" has no stack ${stack} (no Pulumi.${stack}.yaml in ${dir}); the stacks of ${env}: ${stacks.join(", ")}`,
            );
        }
    }
    return stacks.filter((s) => requested.includes(s));
}

/**
 * Checks every stack file to run with the program's own config validation (and the environment's
 * allow rules), before anything runs; throws one BadInputError naming each bad stack and why.
 */
export function checkStackFiles(env: string, stacks: readonly string[], dir: string): void {
    const problems: string[] = [];
    for (const stack of stacks) {
        try {
            const config = readStackConfig(stack, dir, dir);
            parseEngineConfig(stack, config.config, (key) => config.secretKeys.includes(key), dir);
        } catch (err) {
            problems.push(`${stack}: ${err instanceof Error ? err.message : String(err)}`);
        }
    }
    if (problems.length === 0) {
        // The allow rules of every service stack of the environment (they read one another's files).
        try {
            checkAllowedCallers(env, dir);
        } catch (err) {
            problems.push(err instanceof Error ? err.message : String(err));
        }
    }
    if (problems.length > 0) {
        throw new BadInputError(
            `nothing ran: ${problems.length === 1 ? "a stack file is" : "stack files are"} invalid\n${problems.join("\n")}`,
        );
    }
}

/** Parses and checks the command line; bad input throws a BadInputError or a CommanderError. */
export function parseEnvArgs(argv: readonly string[], defaultDir = ROOT): EnvArgs {
    const program = new Command()
        .name("npm run env --")
        .usage(
            "<preview|up|refresh|destroy> --env <env> [--stack <stack>]... [--parallel N] [--policy-pack DIR] [--yes] [--summary FILE] [--expect-no-changes] [--create] [--yes-destroy ENV] [--unprotect] [--clear-pending-creates] [--cwd DIR]",
        )
        .description(
            "Runs one Pulumi operation over every stack of an environment, in layer order, with your backend and credentials.",
        )
        .argument("<operation>", `one of ${OPERATIONS.join(", ")}`)
        .requiredOption("--env <env>", "the environment, e.g. dev (its global stack is Pulumi.<env>.yaml)")
        .addOption(
            new Option(
                "--stack <stack>",
                "run only this stack of the environment (repeat for more); still in layer order",
            )
                .argParser(collect)
                .default([], "every stack of the environment"),
        )
        .option("--parallel <n>", "how many service stacks may run at once", parallelOption, 4)
        .addOption(
            new Option("--policy-pack <dir>", "run the policy pack in DIR, as pulumi --policy-pack (repeat for more)")
                .argParser(collect)
                .default([], "none"),
        )
        .option("--yes", "run up, refresh or destroy without asking")
        .option("--summary <file>", "also write the summary as Markdown to FILE (e.g. for a pull-request comment)")
        .option("--expect-no-changes", "preview only: a stack with any change fails (a drift check)")
        .option(
            "--create",
            "create a stack that does not exist in the backend yet (preview and up; with the backend's default secrets provider)",
        )
        .option(
            "--yes-destroy <env>",
            "destroy: confirm the destroy of environment <env> (its global stack) without a terminal; --yes is not enough",
        )
        .option(
            "--unprotect",
            "destroy: lift the protection of every resource first (the teardown of an environment whose global stack says platform:production: false)",
        )
        .option(
            "--clear-pending-creates",
            "refresh: drop the operations an interrupted run left pending (pulumi refresh --clear-pending-creates)",
        )
        .option("--cwd <dir>", "the project folder: Pulumi.yaml and the stack files (default: this repository)")
        .helpOption("-h, --help", "show this help and exit 0")
        .addHelpText("after", HELP)
        .showHelpAfterError("(npm run env -- --help for usage)")
        .exitOverride();
    program.parse([...argv], { from: "user" });
    const opts = program.opts<{
        create?: boolean;
        cwd?: string;
        env: string;
        stack: string[];
        parallel: number;
        policyPack: string[];
        yes?: boolean;
        summary?: string;
        expectNoChanges?: boolean;
        yesDestroy?: string;
        unprotect?: boolean;
        clearPendingCreates?: boolean;
    }>();
    const operation = program.args[0];
    const dir = opts.cwd !== undefined ? path.resolve(opts.cwd) : defaultDir;
    if (!(OPERATIONS as readonly string[]).includes(operation)) {
        throw new BadInputError(`unknown operation "${operation}"; allowed: ${OPERATIONS.join(", ")}`);
    }
    if (opts.create && operation !== "preview" && operation !== "up") {
        throw new BadInputError(`--create is for preview and up only, not ${operation}`);
    }
    if (opts.expectNoChanges && operation !== "preview") {
        throw new BadInputError(`--expect-no-changes is for preview only (a drift check), not ${operation}`);
    }
    for (const [flag, given] of [
        ["--yes-destroy", opts.yesDestroy !== undefined],
        ["--unprotect", opts.unprotect === true],
    ] as const) {
        if (given && operation !== "destroy") {
            throw new BadInputError(`${flag} is for destroy only, not ${operation}`);
        }
    }
    if (opts.clearPendingCreates && operation !== "refresh") {
        throw new BadInputError(
            `--clear-pending-creates is for refresh only (after an interrupted run), not ${operation}`,
        );
    }
    if (opts.yesDestroy !== undefined && opts.yesDestroy !== opts.env) {
        throw new BadInputError(
            `--yes-destroy ${opts.yesDestroy} does not name the environment being destroyed (${opts.env}); pass --yes-destroy ${opts.env}`,
        );
    }
    for (const pack of opts.policyPack) {
        if (!fs.existsSync(path.join(path.resolve(pack), "PulumiPolicy.yaml"))) {
            throw new BadInputError(
                `--policy-pack ${pack}: not a policy pack (no PulumiPolicy.yaml in ${path.resolve(pack)})`,
            );
        }
    }
    const stacks = selectStacks(opts.env, opts.stack, dir);
    checkStackFiles(opts.env, stacks, dir);
    return {
        dir,
        operation: operation as Operation,
        env: opts.env,
        stacks,
        parallel: opts.parallel,
        policyPacks: opts.policyPack.map((p) => path.resolve(p)),
        yes: opts.yes ?? false,
        summary: opts.summary,
        expectNoChanges: opts.expectNoChanges ?? false,
        create: opts.create ?? false,
        unprotect: opts.unprotect ?? false,
        yesDestroy: opts.yesDestroy,
        clearPendingCreates: opts.clearPendingCreates ?? false,
    };
}

/** What the run will do, before it starts: the stacks by layer, in order. */
export function runOrderText(args: EnvArgs): string {
    const groups = layeredStacks(args.stacks);
    if (args.operation === "destroy") {
        groups.reverse();
    }
    const parts = groups.map((g) =>
        g.stacks.length > 1
            ? `${g.stacks.join(", ")} (${g.layer}, at most ${args.parallel} at once)`
            : `${g.stacks[0]} (${g.layer})`,
    );
    return `${args.operation} of environment ${args.env}: ${parts.join(", then ")}`;
}

/** Asks a question on the terminal; resolves with the answer. */
async function askOnTerminal(question: string): Promise<string> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    rl.close();
    return answer;
}

/** Where the command hears SIGINT and SIGTERM (default: this process). */
export interface SignalSource {
    on(signal: "SIGINT" | "SIGTERM", handler: () => void): unknown;
    off(signal: "SIGINT" | "SIGTERM", handler: () => void): unknown;
}

/** What `main` runs with; tests replace each. */
export interface MainOptions {
    /** The engine (default: the Automation API over the project folder). */
    readonly workspace?: EnvironmentWorkspace;
    /** Prints a line (default: console.log). */
    readonly print?: (line: string) => void;
    /** The project folder when --cwd is not given (default: this repository). */
    readonly dir?: string;
    /** Whether a question can be asked on a terminal (default: when stdin is one). */
    readonly canAsk?: boolean;
    /** Asks a question and resolves with the answer (default: on the terminal). */
    readonly ask?: (question: string) => Promise<string>;
    /** Where SIGINT and SIGTERM come from (default: this process). */
    readonly signals?: SignalSource;
}

/** The message when the Pulumi CLI is not on PATH (the Automation API runs `pulumi`). */
export const NO_PULUMI =
    'the Pulumi CLI ("pulumi") is not on PATH; npm run env runs it for every operation: install it (https://www.pulumi.com/docs/install/) or add its folder to PATH; nothing ran';

/**
 * Checks the environment against the backend before anything runs: the guard of destroy and the
 * teardown's production check (each refusal throws a BadInputError), and for a preview the
 * orphans and the stack files without a stack. Returns the inventory's notes and whether it is clean.
 */
async function checkEnvironment(
    args: EnvArgs,
    workspace: EnvironmentWorkspace,
): Promise<{ notes: string[]; clean: boolean }> {
    const files = stacksOfEnvironment(args.env, args.dir);
    if (args.operation === "destroy") {
        const refusal = destroyRefusal(args.env, args.stacks, await workspace.listStacks(), files);
        if (refusal !== undefined) {
            throw new BadInputError(refusal);
        }
        if (!args.unprotect) {
            const held = new Map<string, string[]>();
            for (const stack of args.stacks) {
                held.set(stack, await workspace.protectedResources(stack));
            }
            const protectedOnes = protectedRefusal(args.env, held);
            if (protectedOnes !== undefined) {
                throw new BadInputError(protectedOnes);
            }
        } else {
            const teardown = teardownRefusal(
                args.env,
                isProductionInFile(args.env, args.dir),
                await workspace.outputs(args.env),
            );
            if (teardown !== undefined) {
                throw new BadInputError(teardown);
            }
        }
    }
    if (args.operation !== "preview") {
        return { notes: [], clean: true };
    }
    const inventory = inventoryOf(args.env, files, await workspace.listStacks());
    return { notes: inventoryNotes(inventory), clean: inventoryIsClean(inventory) };
}

/**
 * Asks before a run that changes stacks; resolves with whether to go on. Destroying the global
 * stack (the environment) needs the environment's name, typed or as --yes-destroy; anything else
 * that changes stacks a yes, or --yes.
 */
async function confirmed(args: EnvArgs, options: MainOptions, print: (line: string) => void): Promise<boolean> {
    const canAsk = options.canAsk ?? process.stdin.isTTY;
    const ask = options.ask ?? askOnTerminal;
    if (args.operation === "destroy" && destroysEnvironment(args.env, args.stacks)) {
        if (args.yesDestroy === args.env) {
            return true;
        }
        if (!canAsk) {
            throw new BadInputError(
                `destroying environment ${args.env} (its global stack ${args.env}) needs its name: pass --yes-destroy ${args.env} to run it without a terminal (--yes is not enough)`,
            );
        }
        const answer = (
            await ask(`Destroy environment ${args.env} (${args.stacks.join(", ")})? Type its name to confirm: `)
        ).trim();
        if (answer !== args.env) {
            print(`nothing ran: "${answer}" is not ${args.env}`);
            return false;
        }
        return true;
    }
    if (args.operation === "preview" || args.yes || args.yesDestroy === args.env) {
        return true;
    }
    if (!canAsk) {
        throw new BadInputError(
            `${args.operation} changes the stacks: pass --yes to run it without a terminal to confirm on`,
        );
    }
    const answer = await ask(
        `Run ${args.operation} on ${args.stacks.length} stack${args.stacks.length === 1 ? "" : "s"}? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
        print("nothing ran");
        return false;
    }
    return true;
}

/**
 * Runs the environment with SIGINT and SIGTERM turned into a clean cancel: no further stack
 * starts and the running operations stop (runEnvironment, AutomationWorkspace.run).
 */
async function runCancellable(
    args: EnvArgs,
    workspace: EnvironmentWorkspace,
    signals: SignalSource,
    print: (line: string) => void,
): Promise<{ outcomes: StackOutcome[]; cancelled: boolean }> {
    const cancel = new AbortController();
    const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
        const handler = () => {
            if (cancel.signal.aborted) {
                print(`${signal} received again: still waiting for the running operations to stop`);
                return;
            }
            print(
                `${signal} received: cancelling; no further stack starts and the running operations stop cleanly (a second Ctrl-C on the terminal stops them at once, leaving operations pending)`,
            );
            cancel.abort(signal);
        };
        signals.on(signal, handler);
        return { signal, handler };
    });
    try {
        const outcomes = await runEnvironment({ ...args, cancel: cancel.signal }, workspace, print);
        return { outcomes, cancelled: cancel.signal.aborted };
    } finally {
        for (const { signal, handler } of handlers) {
            signals.off(signal, handler);
        }
    }
}

/** The pending operations of each stack a cancelled run interrupted (none when the backend cannot say). */
async function pendingOf(
    outcomes: readonly StackOutcome[],
    workspace: EnvironmentWorkspace,
): Promise<Map<string, PendingOperation[]>> {
    const pending = new Map<string, PendingOperation[]>();
    for (const o of outcomes.filter((o) => o.result === "cancelled")) {
        pending.set(o.stack, await workspace.pendingOperations(o.stack).catch(() => []));
    }
    return pending;
}

/** Runs the command; returns its exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
    const print = options.print ?? console.log;
    const args = parseEnvArgs(argv, options.dir ?? ROOT);
    if (options.workspace === undefined && findOnPath("pulumi") === undefined) {
        throw new BadInputError(NO_PULUMI);
    }
    const workspace = options.workspace ?? new AutomationWorkspace(args.dir, args.create);
    print(runOrderText(args));
    const environment = await checkEnvironment(args, workspace);
    if (!(await confirmed(args, options, print))) {
        return EXIT.failed;
    }
    const { outcomes, cancelled } = await runCancellable(args, workspace, options.signals ?? process, print);
    const again = `npm run env -- ${argv.join(" ")}`;
    const notes = [
        ...environment.notes,
        ...recoveryNotes(args.env, outcomes, await pendingOf(outcomes, workspace), again),
    ];
    print("");
    print(summaryTable(outcomes, notes));
    if (args.summary) {
        fs.mkdirSync(path.dirname(path.resolve(args.summary)), { recursive: true });
        fs.writeFileSync(args.summary, summaryMarkdown(args.env, outcomes, notes));
        print(`wrote ${args.summary}`);
    }
    if (cancelled) {
        return EXIT.cancelled;
    }
    const driftFree = !args.expectNoChanges || environment.clean;
    return allSucceeded(outcomes) && driftFree ? EXIT.ok : EXIT.failed;
}

/** The exit code of an error thrown by `main`, and the message to print (none when commander printed it). */
export function failure(err: unknown): { code: number; message?: string } {
    if (err instanceof CommanderError) {
        return { code: err.exitCode === 0 ? EXIT.ok : EXIT.badInput };
    }
    const message = err instanceof Error ? err.message : String(err);
    if (
        err instanceof BadInputError ||
        (err instanceof Error && ["StackFileError", "UnknownStackError"].includes(err.name))
    ) {
        return { code: EXIT.badInput, message: `env: ${message}` };
    }
    return { code: EXIT.failed, message: `env failed: ${message}` };
}

if (require.main === module) {
    runCommand((argv) => main(argv), failure);
}
