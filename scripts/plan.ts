// The offline plan: evaluates the real program for a stack (or every stack of an environment)
// under Pulumi's mocks and writes what it would create. See README "Plan offline", and
// `npm run plan -- --help` for the options and exit codes.
// Only what parsing the arguments needs is imported up front: the plan, the program and the SDK are
// loaded once there is something to plan (the diff's modules only with --diff), so `--help` and a
// usage error answer at once.
import * as fs from "fs";
import * as path from "path";
import { runCommand } from "./cli";
import { Command, CommanderError } from "commander";
import { ROOT } from "../plan/root";
import type { StackPlan } from "../plan/plan";
import type { AccessRequest } from "../plan/diff";

/** The plan's exit codes; README "Plan offline" documents the same. */
export const EXIT = {
    ok: 0,
    /** A convention or a mandatory policy is broken (every file is written). */
    violation: 1,
    /** A stack's config is invalid: a refused value, YAML that does not parse, a caller without a stack. */
    invalidConfig: 2,
    /** A usage error: an unknown option, bad arguments, a stack or environment without a file. */
    usage: 64,
    /** --diff: a replacement or deletion of a protected or stateful resource that no --allow-replace acknowledged. */
    unacknowledged: 3,
    /** --diff: the plan of the ref's tree failed (its own config or code); the message has what it printed. */
    basePlanFailed: 4,
    /** The plan itself failed (a bug): please report it with the message. */
    internal: 70,
} as const;

const EXIT_CODES_HELP = `
Exit codes:
  0   planned; no convention or mandatory policy is broken
  1   a convention or a mandatory policy is broken (the plan is written, the violations printed)
  2   invalid config: a value the program refuses, a stack file that is not valid YAML or is
      named .yml, an allowed caller that has no stack in the environment (nothing is written)
  3   --diff: a replacement or deletion of a protected or stateful resource that no
      --allow-replace acknowledged (the diff is printed and written)
  4   --diff: the plan of the ref's tree failed (its config or code there); its output is shown
  64  usage error: an unknown option, bad arguments, a stack or environment with no stack file
  70  the plan itself failed (a bug): report it with the message

Examples:
  npm run plan -- dev                  the global stack of dev
  npm run plan -- dev-common --out /tmp/plan
  npm run plan -- --env dev            every stack of dev, and its access matrix
  npm run plan -- --env dev --diff main
                                       what deploying this tree over main's would do to each
                                       stack of dev: created, updated, replaced, deleted, and the
                                       access edges added and removed
  npm run plan -- --env dev --diff main --allow-replace aws:ec2/vpc:Vpc --json out/diff.json
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
    /** --diff: the git ref whose tree is planned and compared. */
    readonly diff?: string;
    /** --allow-replace: URNs and types whose risky replacement or deletion is acknowledged. */
    readonly allowReplace: string[];
    /** --json and --markdown: files to write the diff into (absolute). */
    readonly json?: string;
    readonly markdown?: string;
}

export function parseArgs(argv: string[]): Args {
    const program = new Command()
        .name("npm run plan --")
        .usage(
            "<stack> | --env <env> [--out <dir>] [--config-dir <dir>] [--diff <ref> [--allow-replace <urn|type>]... [--json <file>] [--markdown <file>]]",
        )
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
        .option(
            "--diff <ref>",
            "with --env: also plan the repository at a git ref (its code and stack files, in a temporary worktree) and print what changes per stack and in the access matrix",
        )
        .option(
            "--allow-replace <urn|type>",
            "with --diff: acknowledge the replacement or deletion of a protected or stateful resource, by URN or type (repeat for more)",
            (value: string, all: string[]) => [...all, value],
            [] as string[],
        )
        .option("--json <file>", "with --diff: also write the diff as JSON")
        .option("--markdown <file>", "with --diff: also write the diff as Markdown (a pull-request comment)")
        .helpOption("-h, --help", "show this help and exit 0")
        .addHelpText("after", EXIT_CODES_HELP)
        .showHelpAfterError("(npm run plan -- --help for usage)")
        .exitOverride();
    program.parse(argv, { from: "user" });
    const opts = program.opts<{
        env?: string;
        out?: string;
        configDir?: string;
        diff?: string;
        allowReplace: string[];
        json?: string;
        markdown?: string;
    }>();
    const stack = program.args[0];
    if ((stack === undefined) === (opts.env === undefined)) {
        throw new UsageError(
            `give one stack or --env <env>, ${stack === undefined ? "neither was given" : "not both"}; npm run plan -- --help for usage`,
        );
    }
    if (opts.diff !== undefined && opts.env === undefined) {
        throw new UsageError("--diff compares a whole environment: give --env <env> with it");
    }
    const needsDiff = [
        ...(opts.allowReplace.length > 0 ? ["--allow-replace"] : []),
        ...(opts.json !== undefined ? ["--json"] : []),
        ...(opts.markdown !== undefined ? ["--markdown"] : []),
    ];
    if (opts.diff === undefined && needsDiff.length > 0) {
        throw new UsageError(
            `${needsDiff.join(", ")} belong${needsDiff.length > 1 ? "" : "s"} to --diff <ref>; give --diff too`,
        );
    }
    const out = opts.out !== undefined ? path.resolve(opts.out) : path.join(ROOT, "out", "plan");
    const dir = opts.configDir !== undefined ? path.resolve(opts.configDir) : ROOT;
    const absolute = opts.out !== undefined && path.isAbsolute(opts.out);
    return {
        stack,
        env: opts.env,
        out,
        dir,
        show: (p) => (absolute ? p : path.relative(process.cwd(), p) || "."),
        diff: opts.diff,
        allowReplace: opts.allowReplace,
        ...(opts.json === undefined ? {} : { json: path.resolve(opts.json) }),
        ...(opts.markdown === undefined ? {} : { markdown: path.resolve(opts.markdown) }),
    };
}

async function run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const { readingEachStackFileOnce } = await import("../infra/environment");
    // The checks, the plan and the warnings read the same stack files: each is parsed once.
    return readingEachStackFileOnce(() => planAndWrite(args));
}

async function planAndWrite(args: Args): Promise<number> {
    const [{ envOfStackName }, { useMocks }] = await Promise.all([
        import("../layers/layering"),
        import("../plan/evaluate"),
    ]);
    // parseArgs gives exactly one of the two.
    const env = args.env ?? (args.stack === undefined ? undefined : envOfStackName(args.stack));
    if (env === undefined) {
        throw new UsageError("give one stack or --env <env>; npm run plan -- --help for usage");
    }
    useMocks(args.stack ?? env);
    if (args.diff === undefined) {
        return (await planHere(args, env)).exit;
    }
    const [{ checkoutBase, planBase }, { diffOfTrees, writeDiff }] = await Promise.all([
        import("../plan/base-tree"),
        import("../plan/diff-run"),
    ]);
    // --diff: the ref's tree is checked out first and planned in its own process while this one plans.
    const base = checkoutBase(args.diff, ROOT, (line) => console.error(line));
    try {
        const basePlan = planBase(base, env, path.join(path.dirname(base.dir), "plan"));
        // Rejections are read after this tree's plan; until then, none is unhandled.
        basePlan.catch(() => undefined);
        const code = await planHere(args, env);
        const report = diffOfTrees(env, base, await basePlan, code.plans, code.access, args.allowReplace);
        writeDiff(report, args);
        return code.exit === EXIT.ok && report.unacknowledged > 0 ? EXIT.unacknowledged : code.exit;
    } finally {
        base.remove();
    }
}

/** The stacks' plans in memory with what the diff compares: their resources and the access matrix. */
interface HerePlan {
    readonly exit: number;
    readonly plans: StackPlan[];
    readonly access: AccessRequest[];
}

/** Plans this tree (the stack or environment asked for), writes its files and prints its summary. */
async function planHere(args: Args, env: string): Promise<HerePlan> {
    const [accessPlan, { environmentWarnings }, plan] = await Promise.all([
        import("../plan/access-plan"),
        import("../plan/environments"),
        import("../plan/plan"),
    ]);
    const { MissingCallerError, allowedEdgeLines, checkAllowedCallers, planAccess } = accessPlan;
    const { checkStackFiles, clearStaleOutput, hasViolations, planEnvironment, planStack, summarize, writeStackPlan } =
        plan;
    if (args.diff !== undefined && !fs.existsSync(path.join(args.dir, `Pulumi.${env}.yaml`))) {
        // The change removes the environment: every stack of the ref's tree is removed.
        console.log(`environment ${env} has no global stack file here (${path.join(args.dir, `Pulumi.${env}.yaml`)})`);
        return { exit: EXIT.ok, plans: [], access: [] };
    }
    // A missing stack file first: the checks across the environment's files would only follow from it.
    checkStackFiles(args.env === undefined ? { stack: args.stack } : { env: args.env }, args.dir);
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
    let rows: AccessRequest[] = [];
    if (args.env) {
        const access = planAccess(args.env, plans, args.out);
        rows = access.rows;
        const outbound = access.outbound ?? [];
        console.log(
            `access matrix: ${access.rows.filter((r) => r.allowed).length} of ${access.rows.length} requests allowed`,
        );
        for (const line of allowedEdgeLines(access)) {
            console.log(line);
        }
        console.log(
            `  outbound: ${outbound.filter((r) => r.allowed).length} of ${outbound.length} requests to external hosts allowed`,
        );
        console.log(`  wrote ${args.show(access.dir)}/{access.json,access.md,outbound.json}\n`);
    }
    // A broken convention or mandatory policy fails the plan, after every file is written.
    return { exit: plans.some(hasViolations) ? EXIT.violation : EXIT.ok, plans, access: rows };
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
    if (name === "BasePlanError") {
        return { code: EXIT.basePlanFailed, message: `plan --diff: ${message}` };
    }
    if (err instanceof UsageError || name === "UnknownStackError" || name === "BadRefError") {
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
