// `npm run env -- <preview|up|refresh|destroy> --env <env>`: one operation over every stack of an
// environment, in layer order (layers/layering.ts), on Pulumi's Automation API over this project's
// folder with the user's backend and credentials. See README "Deploy for real" and
// `npm run env -- --help` for the options and exit codes.
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { stripVTControlCharacters } from "util";
import { runCommand } from "./cli";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EngineEvent, LocalWorkspace, OpMap, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { parseEngineConfig } from "../infra/config";
import { ENV_NAME } from "../layers/schema/stack";
import { envOfStackName, layerOfStackName, layeredStacks } from "../layers/layering";
import { checkAllowedCallers } from "../plan/access-plan";
import { ROOT, allStacks, readStackConfig, stacksOfEnvironment } from "../plan/stack-config";
import {
    Change,
    Counts,
    EnvironmentWorkspace,
    OPERATIONS,
    Operation,
    StackRunOptions,
    StackRunFailure,
    StackRunReport,
    allSucceeded,
    runEnvironment,
    summaryMarkdown,
    summaryTable,
} from "./env-runner";

/** The command's exit codes; README "Deploy for real" documents the same. */
export const EXIT = {
    /** Every stack succeeded. */
    ok: 0,
    /** A stack failed, or a drift check found changes. */
    failed: 1,
    /** Bad input (an unknown operation, environment or option, a stack of another environment, an invalid stack file): nothing ran. */
    badInput: 2,
} as const;

const HELP = `
Stacks run in layer order: the global stack <env>, then <env>-common, then every service stack
<env>-<service> at once (at most --parallel); destroy runs the other way round. A layer with a
failed stack is the last one that runs: the summary names the stacks that did not run and why.

Exit codes:
  0   every stack succeeded
  1   a stack failed (or, with --expect-no-changes, a preview found changes)
  2   bad input: an unknown operation, environment or option, --parallel below 1, a --stack of
      another environment, a stack file that is missing or invalid; nothing ran

Examples:
  npm run env -- preview --env dev --policy-pack policy --summary out/preview-dev.md
  npm run env -- up --env dev --yes --create           (a new environment: creates its stacks)
  npm run env -- up --env dev --stack dev-backend --yes
  npm run env -- preview --env prod --expect-no-changes     (a drift check)
  npm run env -- destroy --env dev --yes
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
            parseEngineConfig(stack, config.config, (key) => config.secretKeys.includes(key));
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
            "<preview|up|refresh|destroy> --env <env> [--stack <stack>]... [--parallel N] [--policy-pack DIR] [--yes] [--summary FILE] [--expect-no-changes] [--create] [--cwd DIR]",
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
    };
}

/** The engine's counts as the summary's columns. */
export function countsOf(ops: OpMap | undefined): Counts {
    const n = (k: keyof OpMap) => ops?.[k] ?? 0;
    return {
        created: n("create"),
        updated: n("update"),
        replaced: n("replace"),
        deleted: n("delete"),
        unchanged: n("same"),
    };
}

/** Text without terminal colour codes (a program's exception is printed with them) and without trailing space. */
function plain(text: string): string {
    return stripVTControlCharacters(text).trimEnd();
}

/** The operations of a resource the Markdown summary lists (a replacement's two steps are one `replace`). */
const LISTED_OPS = new Set(["create", "update", "replace", "delete", "import"]);

/** The real engine: Pulumi's Automation API over a project folder (LocalWorkspace), as the CLI would run. */
export class AutomationWorkspace implements EnvironmentWorkspace {
    constructor(
        private readonly workDir: string,
        /** Whether preview and up create a stack missing from the backend (--create). */
        private readonly create = false,
        /** Extra environment variables for every command (the CLI's own environment is inherited). */
        private readonly envVars: Record<string, string> = {},
    ) {}

    private async stack(name: string, operation: Operation): Promise<Stack | undefined> {
        const args = { stackName: name, workDir: this.workDir };
        const opts = { envVars: this.envVars };
        if (this.create && (operation === "preview" || operation === "up")) {
            return LocalWorkspace.createOrSelectStack(args, opts);
        }
        try {
            return await LocalWorkspace.selectStack(args, opts);
        } catch (err) {
            if (!(err instanceof StackNotFoundError)) {
                throw err;
            }
            if (operation === "destroy") {
                return undefined; // never deployed: nothing to destroy
            }
            throw new StackRunFailure(
                `stack ${name} does not exist in the backend: create it with "pulumi stack init ${name}" (with --secrets-provider if you use one), or pass --create`,
            );
        }
    }

    async run(name: string, operation: Operation, options: StackRunOptions): Promise<StackRunReport> {
        const stack = await this.stack(name, operation);
        if (stack === undefined) {
            options.onOutput(`no stack ${name} in the backend: nothing to destroy\n`);
            return { counts: countsOf({}), changes: [] };
        }
        const changes: Change[] = [];
        const errors: string[] = [];
        let summary: OpMap | undefined;
        const onEvent = (event: EngineEvent) => {
            const step = event.resourcePreEvent?.metadata;
            if (step && LISTED_OPS.has(step.op)) {
                changes.push({ op: step.op, type: step.type, name: step.urn.split("::").pop() ?? step.urn });
            }
            const policy = event.policyEvent;
            if (policy?.enforcementLevel === "mandatory") {
                errors.push(`policy ${policy.policyPackName}/${policy.policyName}: ${plain(policy.message)}`);
            }
            if (event.diagnosticEvent?.severity === "error") {
                errors.push(plain(event.diagnosticEvent.message));
            }
            summary = event.summaryEvent?.resourceChanges ?? summary;
        };
        try {
            return { counts: countsOf(await this.operate(stack, operation, options, onEvent)), changes };
        } catch (err) {
            // The Automation API's error holds the CLI's whole output; the engine's error events say why.
            const why = errors.length > 0 ? errors.join("\n") : err instanceof Error ? err.message : String(err);
            throw new StackRunFailure(why, summary ? countsOf(summary) : undefined);
        }
    }

    /** Runs the operation; resolves with the engine's counts. */
    private async operate(
        stack: Stack,
        operation: Operation,
        options: StackRunOptions,
        onEvent: (e: EngineEvent) => void,
    ): Promise<OpMap | undefined> {
        const common = { onOutput: options.onOutput, onEvent, color: "never" as const };
        const policyPacks = [...options.policyPacks];
        switch (operation) {
            case "preview":
                return (await stack.preview({ ...common, policyPacks })).changeSummary;
            case "up":
                return (await stack.up({ ...common, policyPacks })).summary.resourceChanges;
            case "refresh":
                return (await stack.refresh(common)).summary.resourceChanges;
            case "destroy":
                return (await stack.destroy(common)).summary.resourceChanges;
        }
    }
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

async function confirm(question: string): Promise<boolean> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
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
}

/** Runs the command; returns its exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
    const print = options.print ?? console.log;
    const args = parseEnvArgs(argv, options.dir ?? ROOT);
    print(runOrderText(args));
    if (args.operation !== "preview" && !args.yes) {
        if (!(options.canAsk ?? process.stdin.isTTY)) {
            throw new BadInputError(
                `${args.operation} changes the stacks: pass --yes to run it without a terminal to confirm on`,
            );
        }
        if (
            !(await confirm(
                `Run ${args.operation} on ${args.stacks.length} stack${args.stacks.length === 1 ? "" : "s"}? [y/N] `,
            ))
        ) {
            print("nothing ran");
            return EXIT.failed;
        }
    }
    const outcomes = await runEnvironment(
        args,
        options.workspace ?? new AutomationWorkspace(args.dir, args.create),
        print,
    );
    print("");
    print(summaryTable(outcomes));
    if (args.summary) {
        fs.mkdirSync(path.dirname(path.resolve(args.summary)), { recursive: true });
        fs.writeFileSync(args.summary, summaryMarkdown(args.env, outcomes));
        print(`wrote ${args.summary}`);
    }
    return allSucceeded(outcomes) ? EXIT.ok : EXIT.failed;
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
