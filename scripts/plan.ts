// The offline plan: evaluates the real program for a stack (or every stack of an environment)
// under Pulumi's mocks and writes what it would create. See README "Plan offline".
//
//   npm run plan -- <stack> [--out DIR]     e.g. npm run plan -- dev-common
//   npm run plan -- --env <env> [--out DIR] e.g. npm run plan -- --env dev
import * as path from "path";
import { useMocks } from "../test/helpers/evaluate";
import { checkAllowedCallers, planAccess } from "../test/helpers/access-plan";
import { StackPlan, hasViolations, planEnvironment, planStack, summarize, writeStackPlan } from "../test/helpers/plan";
import { ROOT } from "../test/helpers/stack-config";

interface Args {
    stack?: string;
    env?: string;
    out: string;
    dir: string;
}

const USAGE = "usage: npm run plan -- <stack> | --env <env> [--out DIR] [--config-dir DIR]";

function parseArgs(argv: string[]): Args {
    const args: Args = { out: path.join(ROOT, "out", "plan"), dir: ROOT };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = () => {
            const v = argv[++i];
            if (v === undefined) {
                throw new Error(`${a} needs a value; ${USAGE}`);
            }
            return v;
        };
        if (a === "--env") {
            args.env = next();
        } else if (a === "--out") {
            args.out = path.resolve(next());
        } else if (a === "--config-dir") {
            args.dir = path.resolve(next());
        } else if (a.startsWith("-")) {
            throw new Error(`unknown option ${a}; ${USAGE}`);
        } else if (args.stack === undefined) {
            args.stack = a;
        } else {
            throw new Error(`one stack at a time (got ${args.stack} and ${a}); ${USAGE}`);
        }
    }
    if ((args.stack === undefined) === (args.env === undefined)) {
        throw new Error(USAGE);
    }
    return args;
}

async function run(): Promise<number> {
    // @pulumi/pulumi captures `new Error().stack` for every promise it tracks, and ts-node maps
    // each frame through its source maps: a quarter of a large plan's time. The plan prints only
    // error messages, so a few frames are enough.
    Error.stackTraceLimit = 5;
    const args = parseArgs(process.argv.slice(2));
    useMocks(args.stack ?? args.env ?? "plan");
    if (args.env) {
        checkAllowedCallers(args.env, args.dir);
    }
    const plans: StackPlan[] = args.env ? await planEnvironment(args.env, args.dir) : [await planStack(args.stack!, args.dir)];
    for (const plan of plans) {
        const dir = path.join(args.out, plan.config.stack);
        writeStackPlan(plan, dir);
        console.log(summarize(plan));
        console.log(`  wrote ${path.relative(process.cwd(), dir) || "."}/{resources.json,manifests.yaml,outputs.json}\n`);
    }
    if (args.env) {
        const access = planAccess(args.env, plans, args.out);
        console.log(`access matrix: ${access.rows.filter((r) => r.allowed).length} of ${access.rows.length} requests allowed`);
        console.log(`  wrote ${path.relative(process.cwd(), access.dir) || "."}/{access.json,access.md}\n`);
    }
    // A broken convention or mandatory policy fails the plan, after every file is written.
    return plans.some(hasViolations) ? 1 : 0;
}

run().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(`plan failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(2);
    },
);
