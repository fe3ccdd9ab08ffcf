// Benchmarks of the real engine on one service stack: the wall time of `pulumi preview`, `pulumi
// up`, a no-change `pulumi preview --expect-no-changes` and `pulumi destroy`, each round on a fresh
// stack, against the cluster of PLATFORM_KUBECONFIG with the global and common stacks as stand-in
// stacks (as in the integration suite, whose tools scripts/integration.sh sets up). Writes
// out/benchmarks-engine.md; the figures in docs/benchmarks.md come from it.
//
//   PLATFORM_KUBECONFIG=... npm run bench:engine -- [--stack dev-backend] [--rounds 3]
import "../test/helpers/setup";
import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { planEnvironment } from "../test/helpers/plan";
import { ROOT } from "../test/helpers/stack-config";
import { Backend, describe, pulumiBinary, projectCopy } from "../test/integration/helpers/engine";
import { kubeconfigFile } from "../test/integration/helpers/kube";
import { standIn } from "../test/integration/helpers/standin";

const STEPS: { name: string; args: string[] }[] = [
    { name: "preview (first)", args: ["preview"] },
    { name: "up", args: ["up", "--yes", "--skip-preview"] },
    { name: "preview --expect-no-changes", args: ["preview", "--expect-no-changes"] },
    { name: "destroy", args: ["destroy", "--yes", "--skip-preview"] },
];

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
    const opts = new Command()
        .option("--stack <stack>", "the service stack of dev to measure", "dev-backend")
        .option("--rounds <n>", "rounds (each on a new stack)", "3")
        .parse()
        .opts<{ stack: string; rounds: string }>();
    const rounds = Number(opts.rounds);
    const kubeconfig = fs.readFileSync(kubeconfigFile(), "utf8");
    const plans = await planEnvironment("dev");
    const backend = new Backend("bench");
    await standIn(backend, plans.find((p) => p.layer === "global")!);
    await standIn(backend, plans.find((p) => p.layer === "common")!, { kubeconfig });
    const project = projectCopy("bench");
    const times: Record<string, number[]> = {};
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
        await backend.ok(project, ["stack", "rm", "--yes", "--stack", opts.stack]);
    }
    const version = (await backend.ok(ROOT, ["version"])).stdout.trim();
    const lines = [
        `Real engine, stack ${opts.stack} (${plans.find((p) => p.config.stack === opts.stack)!.evaluation.resources.length} resources), ${rounds} rounds, median wall time;`,
        `pulumi ${version} (${pulumiBinary()}), file backend, cluster ${kubeconfigFile()}.`,
        "",
        "| step | median (s) | min (s) | max (s) |",
        "|---|---:|---:|---:|",
        ...STEPS.map((s) => {
            const t = times[s.name];
            return `| \`pulumi ${s.name}\` | ${median(t).toFixed(1)} | ${Math.min(...t).toFixed(1)} | ${Math.max(...t).toFixed(1)} |`;
        }),
        "",
    ];
    const out = path.join(ROOT, "out", "benchmarks-engine.md");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, lines.join("\n"));
    console.log(`\n${lines.join("\n")}wrote ${out}`);
}

main().catch((err: Error) => {
    console.error(`bench-engine failed: ${err.message}`);
    process.exit(1);
});
