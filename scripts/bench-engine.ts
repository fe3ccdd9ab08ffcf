// Benchmarks of the real engine on one service stack: the wall time of `pulumi preview`, `pulumi
// up`, a no-change `pulumi preview --expect-no-changes` and `pulumi destroy`, each round on a fresh
// stack, against the cluster of PLATFORM_KUBECONFIG with the global and common stacks as stand-in
// stacks (as in the integration suite, whose tools scripts/integration.sh sets up). Writes
// out/benchmarks-engine.md, or its section of docs/benchmarks.md with --update-docs.
//
//   PLATFORM_KUBECONFIG=... npm run bench:engine -- [--stack dev-backend] [--rounds 3] [--update-docs]
import "../plan/setup";
import { Command } from "commander";
import * as os from "os";
import { ROOT } from "../plan/stack-config";
import { Backend, describe, projectCopy } from "../plan/engine/engine";
import { setUpDevServices } from "../plan/engine/dev-standins";
import { writeBenchmarkSection } from "./doc-sections";
import { median } from "./stats";

const STEPS: { name: string; args: string[] }[] = [
    { name: "preview", args: ["preview"] },
    { name: "up", args: ["up", "--yes", "--skip-preview"] },
    { name: "preview --expect-no-changes", args: ["preview", "--expect-no-changes"] },
    { name: "destroy", args: ["destroy", "--yes", "--skip-preview"] },
];

async function main(): Promise<void> {
    const opts = new Command()
        .option("--stack <stack>", "the service stack of dev to measure", "dev-backend")
        .option("--rounds <n>", "rounds (each on a new stack)", "3")
        .option(
            "--update-docs",
            "write the real engine's section of docs/benchmarks.md (tracked) instead of out/benchmarks-engine.md",
        )
        .parse()
        .opts<{ stack: string; rounds: string; updateDocs?: boolean }>();
    const rounds = Number(opts.rounds);
    const backend = new Backend("bench");
    const { plans, unregister } = await setUpDevServices(backend);
    const project = projectCopy("bench");
    const times: Record<string, number[]> = {};
    try {
        for (let round = 0; round < rounds; round++) {
            await backend.ok(project, ["stack", "init", opts.stack]);
            for (const step of STEPS) {
                const r = await backend.run(project, [...step.args, "--stack", opts.stack]);
                if (r.code !== 0) {
                    throw new Error(describe(r));
                }
                (times[step.name] ??= []).push(r.seconds);
                console.log(`round ${round + 1}: ${step.name}: ${r.seconds.toFixed(1)} s`);
            }
            await backend.ok(project, ["stack", "rm", "--yes", "--preserve-config", "--stack", opts.stack]);
        }
    } finally {
        unregister();
    }
    const version = (await backend.ok(ROOT, ["version"])).stdout.trim();
    const plan = plans.find((p) => p.config.stack === opts.stack);
    if (!plan) {
        throw new Error(`the offline plan has no stack ${opts.stack}`);
    }
    const resources = plan.evaluation.resources.length;
    const lines = [
        "## The real engine: one service stack",
        "",
        `Written by \`npm run bench:engine${opts.updateDocs ? " -- --update-docs" : ""}\` (scripts/bench-engine.ts) on ${new Date().toISOString().slice(0, 10)}: stack`,
        `\`${opts.stack}\` (${resources} resources) under the real Pulumi CLI (${version}, file backend, no plugin download) against a`,
        "local kube-apiserver 1.35 with kwok nodes (Istio's validating webhook live when PLATFORM_ISTIOD_URL is set), the global and common stacks as stand-in stacks; each round",
        `on a new stack (the first preview sees every resource to create), ${rounds} rounds. Wall time of each`,
        "command, including the Node.js program's start-up.",
        `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; shared with other work.`,
        "",
        "| command | median (s) | min (s) | max (s) |",
        "|---|---:|---:|---:|",
        ...STEPS.map((s) => {
            const t = times[s.name];
            return `| \`pulumi ${s.name}\` | ${median(t).toFixed(1)} | ${Math.min(...t).toFixed(1)} | ${Math.max(...t).toFixed(1)} |`;
        }),
        "",
    ];
    writeBenchmarkSection(ROOT, "real-engine", lines, opts.updateDocs);
}

main().catch((err: unknown) => {
    console.error(`bench-engine failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
