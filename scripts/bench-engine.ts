// Benchmarks of the real engine, in one run: the wall time of a service stack's `pulumi preview`
// against an empty TypeScript Pulumi program's (the floor, each round beside it), its `pulumi up`, a
// no-change `pulumi preview --expect-no-changes` and `pulumi destroy`, each round on a fresh stack;
// then `npm run env -- up` of 1, 3 and 10 generated service stacks at once. Against the cluster of
// PLATFORM_KUBECONFIG with the global and common stacks as stand-in stacks (as in the integration
// suite, whose tools scripts/integration.sh sets up). Writes out/benchmarks-real-engine.md, or its
// section of docs/benchmarks.md with --update-docs.
//
//   PLATFORM_KUBECONFIG=... npm run bench:engine -- [--stack dev-backend] [--rounds 3] [--scales 1,3,10] [--update-docs]
//   PLATFORM_INTEGRATION_RUN="npm run --silent bench:engine -- --update-docs" scripts/integration.sh   (its tools)
import "../plan/setup";
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../plan/stack-config";
import { tempDir } from "../plan/temp";
import { Backend, describe, projectCopy } from "../plan/engine/engine";
import { setUpDevServices } from "../plan/engine/dev-standins";
import { writeBenchmarkSection } from "./doc-sections";
import { median } from "./stats";
import { EnvUpTimes, envUpTimes } from "./bench-env";

const STEPS: { name: string; args: string[] }[] = [
    { name: "preview", args: ["preview"] },
    { name: "up", args: ["up", "--yes", "--skip-preview"] },
    { name: "preview --expect-no-changes", args: ["preview", "--expect-no-changes"] },
    { name: "destroy", args: ["destroy", "--yes", "--skip-preview"] },
];

/** An empty TypeScript Pulumi program as `pulumi new typescript` makes one (the same SDK): the floor of a preview. */
function floorProject(): string {
    const dir = tempDir("bench-floor");
    const files: Record<string, string> = {
        "Pulumi.yaml":
            "name: floor\nruntime:\n  name: nodejs\n  options:\n    typescript: true\ndescription: An empty TypeScript program\n",
        "package.json": JSON.stringify({ name: "floor", main: "index.ts" }),
        "index.ts": 'import * as pulumi from "@pulumi/pulumi";\n\nexport const stack = pulumi.getStack();\n',
        // The template's compiler options: its types are checked when the program runs, as any new project's are.
        "tsconfig.json": JSON.stringify({
            compilerOptions: {
                strict: true,
                outDir: "bin",
                target: "es2020",
                module: "commonjs",
                moduleResolution: "node",
                sourceMap: true,
                experimentalDecorators: true,
                pretty: true,
                noFallthroughCasesInSwitch: true,
                noImplicitReturns: true,
                forceConsistentCasingInFileNames: true,
            },
            files: ["index.ts"],
        }),
    };
    for (const [file, text] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, file), text);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** Runs `pulumi ARGS` and returns its wall time; fails with its output unless it exits 0. */
async function seconds(backend: Backend, cwd: string, args: string[]): Promise<number> {
    const r = await backend.run(cwd, args);
    if (r.code !== 0) {
        throw new Error(describe(r));
    }
    return r.seconds;
}

function load(): string {
    return os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(", ");
}

async function main(): Promise<void> {
    const opts = new Command()
        .option("--stack <stack>", "the service stack of dev to measure", "dev-backend")
        .option("--rounds <n>", "rounds (each on a new stack)", "3")
        .option("--scales <list>", "how many generated service stacks `npm run env -- up` brings up at once", "1,3,10")
        .option(
            "--update-docs",
            "write the real engine's section of docs/benchmarks.md (tracked) instead of out/benchmarks-real-engine.md",
        )
        .parse()
        .opts<{ stack: string; rounds: string; scales: string; updateDocs?: boolean }>();
    const rounds = Number(opts.rounds);
    const loadAtStart = load();
    const backend = new Backend("bench");
    const { plans, unregister } = await setUpDevServices(backend);
    const project = projectCopy("bench");
    const floor = floorProject();
    await backend.ok(floor, ["stack", "init", "floor"]);
    const times: Record<string, number[]> = {};
    let envTimes: EnvUpTimes[];
    try {
        for (let round = 0; round < rounds; round++) {
            // The floor and the stack in the same round: the same load for both.
            (times.floor ??= []).push(await seconds(backend, floor, ["preview", "--stack", "floor"]));
            console.log(`round ${round + 1}: empty TypeScript program: preview: ${times.floor[round].toFixed(1)} s`);
            await backend.ok(project, ["stack", "init", opts.stack]);
            for (const step of STEPS) {
                (times[step.name] ??= []).push(await seconds(backend, project, [...step.args, "--stack", opts.stack]));
                console.log(`round ${round + 1}: ${step.name}: ${times[step.name][round].toFixed(1)} s`);
            }
            await backend.ok(project, ["stack", "rm", "--yes", "--preserve-config", "--stack", opts.stack]);
        }
        envTimes = await envUpTimes(backend, opts.scales.split(",").map(Number), false);
    } finally {
        unregister();
    }
    const version = (await backend.ok(ROOT, ["version"])).stdout.trim();
    const plan = plans.find((p) => p.config.stack === opts.stack);
    if (!plan) {
        throw new Error(`the offline plan has no stack ${opts.stack}`);
    }
    const resources = plan.evaluation.resources.length;
    const previewRatio = median(times.preview) / median(times.floor);
    const one = envTimes.find((e) => e.stacks === 1);
    const row = (name: string, t: number[]) =>
        `| ${name} | ${median(t).toFixed(1)} | ${Math.min(...t).toFixed(1)} | ${Math.max(...t).toFixed(1)} |`;
    const lines = [
        "## The real engine: one service stack, and `npm run env -- up`",
        "",
        `Written by \`npm run bench:engine${opts.updateDocs ? " -- --update-docs" : ""}\` (scripts/bench-engine.ts) on ${new Date().toISOString().slice(0, 10)}: stack`,
        `\`${opts.stack}\` (${resources} resources) under the real Pulumi CLI (${version}, file backend, no plugin download) against a`,
        "local kube-apiserver 1.35 with kwok nodes (Istio's validating webhook live when PLATFORM_ISTIOD_URL is set), the global and common stacks as stand-in stacks; each round",
        `on a new stack (the first preview sees every resource to create), ${rounds} rounds. Wall time of each`,
        "command, including the Node.js program's start-up. The floor is an empty TypeScript Pulumi program (as",
        "`pulumi new typescript` makes one: its types checked when it runs, the same SDK), previewed in each round",
        "before the stack, so both see the same load.",
        `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ` +
            `load average ${loadAtStart} at the start, ${load()} at the end (1, 5, 15 minutes; other work shares the machine).`,
        "",
        "| command | median (s) | min (s) | max (s) |",
        "|---|---:|---:|---:|",
        row("`pulumi preview` of the empty TypeScript program (the floor)", times.floor),
        ...STEPS.map((s) => row(`\`pulumi ${s.name}\``, times[s.name])),
        "",
        `\`pulumi preview\` of ${opts.stack} took ${previewRatio.toFixed(2)}× the floor's (goal: at most 1.5×).`,
        "",
        `\`npm run env -- up\` of N generated service stacks at once (\`--parallel N\`; copies of dev's first service stack, each`,
        "on a new stack, including the wait for its Deployments), each destroyed again before the next:",
        "",
        "| service stacks | `env up` (s) | × one stack's |",
        "|---:|---:|---:|",
        ...envTimes.map(
            (e) => `| ${e.stacks} | ${e.atOnce.toFixed(1)} | ${one ? (e.atOnce / one.atOnce).toFixed(2) : "-"} |`,
        ),
        "",
        "Goal: 10 at once within 3× the time of one.",
        "",
    ];
    writeBenchmarkSection(ROOT, "real-engine", lines, opts.updateDocs);
}

main().catch((err: unknown) => {
    console.error(`bench-engine failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
