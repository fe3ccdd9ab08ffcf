// The offline plan: evaluates the real program for a stack (or every stack of an environment)
// under Pulumi's mocks and writes what it would create. See README "Plan offline", and
// `npm run plan -- --help` for the options and exit codes.
// Only what parsing the arguments needs is imported up front: the plan, the program and the SDK are
// loaded once there is something to plan, so `--help` and a usage error answer at once.
import * as path from "path";
import { runCommand } from "./cli";
import { Command, CommanderError } from "commander";
import { ROOT } from "../plan/root";
import type { StackPlan } from "../plan/plan";

/** The plan's exit codes; README "Plan offline" documents the same. */
export const EXIT = {
    ok: 0,
    /** A convention or a mandatory policy is broken (every file is written). */
    violation: 1,
    /** A stack's config is invalid: a refused value, YAML that does not parse, a caller without a stack. */
    invalidConfig: 2,
    /** A usage error: an unknown option, bad arguments, a stack or environment without a file. */
    usage: 64,
    /** The plan itself failed (a bug): please report it with the message. */
    internal: 70,
} as const;

const EXIT_CODES_HELP = `
Exit codes:
  0   planned; no convention or mandatory policy is broken
  1   a convention or a mandatory policy is broken (the plan is written, the violations printed)
  2   invalid config: a value the program refuses, a stack file that is not valid YAML or is
      named .yml, an allowed caller that has no stack in the environment (nothing is written)
  64  usage error: an unknown option, bad arguments, a stack or environment with no stack file
  70  the plan itself failed (a bug): report it with the message

Examples:
  npm run plan -- dev                  the global stack of dev
  npm run plan -- dev-common --out /tmp/plan
  npm run plan -- --env dev            every stack of dev, and its access matrix
`;

/** A usage error found after parsing (exit 64). */
export class UsageError extends Error {}

/** A config problem found outside a stack's own config check (exit 2). */
class InvalidConfigError extends Error {}

export interface Args {
    readonly stack?: string;
    readonly env?: string;
    /** Absolute folders. */
    readonly out: string;
    readonly dir: string;
    /** How to print a path under `out`: absolute when --out was, else relative to the current folder. */
    readonly show: (p: string) => string;
}

export function parseArgs(argv: string[]): Args {
    const program = new Command()
        .name("npm run plan --")
        .usage("<stack> | --env <env> [--out <dir>] [--config-dir <dir>]")
        .description(
            "Plans stacks offline: evaluates the real program under Pulumi's mocks with each stack's Pulumi.<stack>.yaml " +
                "and writes resources.json, manifests.yaml and outputs.json per stack (no cloud, no Pulumi CLI).",
        )
        .argument("[stack]", "one stack, e.g. dev or dev-common (the stacks it reads are planned first, in memory)")
        .option(
            "--env <env>",
            "every stack of an environment, in order (global, common, services), and its access matrix",
        )
        .option(
            "--out <dir>",
            "folder to write the plan into; folders of stacks that no longer exist are cleared (default: out/plan in the repository)",
        )
        .option("--config-dir <dir>", "folder of the Pulumi.<stack>.yaml files (default: the repository)")
        .helpOption("-h, --help", "show this help and exit 0")
        .addHelpText("after", EXIT_CODES_HELP)
        .showHelpAfterError("(npm run plan -- --help for usage)")
        .exitOverride();
    program.parse(argv, { from: "user" });
    const opts = program.opts<{ env?: string; out?: string; configDir?: string }>();
    const stack = program.args[0];
    if ((stack === undefined) === (opts.env === undefined)) {
        throw new UsageError(
            `give one stack or --env <env>, ${stack === undefined ? "neither was given" : "not both"}; npm run plan -- --help for usage`,
        );
    }
    const out = opts.out !== undefined ? path.resolve(opts.out) : path.join(ROOT, "out", "plan");
    const dir = opts.configDir !== undefined ? path.resolve(opts.configDir) : ROOT;
    const absolute = opts.out !== undefined && path.isAbsolute(opts.out);
    return { stack, env: opts.env, out, dir, show: (p) => (absolute ? p : path.relative(process.cwd(), p) || ".") };
}

async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const { readingEachStackFileOnce } = await import("../infra/environment");
    // The checks, the plan and the warnings read the same stack files: each is parsed once.
    return readingEachStackFileOnce(() => planAndWrite(args));
}

async function planAndWrite(args: Args): Promise<number> {
    const [{ envOfStackName }, { useMocks }, accessPlan, { environmentWarnings }, plan] = await Promise.all([
        import("../layers/layering"),
        import("../plan/evaluate"),
        import("../plan/access-plan"),
        import("../plan/environments"),
        import("../plan/plan"),
    ]);
    const { MissingCallerError, checkAllowedCallers, planAccess } = accessPlan;
    const { clearStaleOutput, hasViolations, planEnvironment, planStack, summarize, writeStackPlan } = plan;
    // parseArgs gives exactly one of the two.
    const env = args.env ?? (args.stack === undefined ? undefined : envOfStackName(args.stack));
    if (env === undefined) {
        throw new UsageError("give one stack or --env <env>; npm run plan -- --help for usage");
    }
    useMocks(args.stack ?? env);
    try {
        checkAllowedCallers(env, args.dir);
    } catch (err) {
        // A caller without a stack is invalid config; anything else (a bug) keeps its own exit code.
        throw err instanceof MissingCallerError ? new InvalidConfigError(err.message) : err;
    }
    const plans: StackPlan[] = args.env
        ? await planEnvironment(args.env, args.dir)
        : [await planStack(args.stack ?? env, args.dir)];
    for (const warning of environmentWarnings(env, args.dir)) {
        console.error(`warning: ${warning}`);
    }
    for (const removed of clearStaleOutput(env, args.out, args.dir)) {
        console.log(`removed ${args.show(removed)} (its stack has no file any more)`);
    }
    for (const plan of plans) {
        const dir = path.join(args.out, plan.config.stack);
        writeStackPlan(plan, dir);
        console.log(summarize(plan));
        console.log(`  wrote ${args.show(dir)}/{resources.json,manifests.yaml,outputs.json}\n`);
    }
    if (args.env) {
        const access = planAccess(args.env, plans, args.out);
        const outbound = access.outbound ?? [];
        console.log(
            `access matrix: ${access.rows.filter((r) => r.allowed).length} of ${access.rows.length} requests allowed`,
        );
        console.log(
            `  outbound: ${outbound.filter((r) => r.allowed).length} of ${outbound.length} requests to external hosts allowed`,
        );
        console.log(`  wrote ${args.show(access.dir)}/{access.json,access.md,outbound.json}\n`);
    }
    // A broken convention or mandatory policy fails the plan, after every file is written.
    return plans.some(hasViolations) ? EXIT.violation : EXIT.ok;
}

/** The exit code of a failure, and the message to print (none when commander printed it). */
export function failure(err: unknown): { code: number; message?: string } {
    if (err instanceof CommanderError) {
        // --help exits 0; commander has already printed the help or the error.
        return { code: err.exitCode === 0 ? EXIT.ok : EXIT.usage };
    }
    const message = err instanceof Error ? err.message : String(err);
    // By name, like the program's ConfigError: the plan's modules are loaded only once there is something to plan.
    const name = err instanceof Error ? err.name : "";
    if (err instanceof UsageError || name === "UnknownStackError") {
        return { code: EXIT.usage, message: `plan: ${message}` };
    }
    if (err instanceof InvalidConfigError || name === "StackFileError" || name === "ConfigError") {
        return { code: EXIT.invalidConfig, message: `plan failed: ${message}` };
    }
    return { code: EXIT.internal, message: `plan failed unexpectedly (a bug; please report it): ${message}` };
}

if (require.main === module) {
    runCommand(run, failure);
}
