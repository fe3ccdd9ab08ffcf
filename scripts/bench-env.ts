// Benchmarks of `npm run env -- up` under the real engine: the wall time of bringing up 1, 3 and 10
// generated service stacks (copies of dev's first service stack, dev-gen0...) at once
// (--parallel N) and one at a time (--parallel 1), against the cluster of PLATFORM_KUBECONFIG with
// dev and dev-common as stand-in stacks (as in the integration suite; scripts/integration.sh sets
// its tools up). Each case is destroyed again before the next. Writes out/benchmarks-env-command.md;
// `npm run bench:engine` measures the at-once case into docs/benchmarks.md.
//
//   PLATFORM_KUBECONFIG=... npm run bench:env -- [--scales 1,3,10]
import "../plan/setup";
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeBenchmarkSection } from "./doc-sections";
import { templateService, writeGeneratedEnvironment } from "./generated-environment";
import { AutomationWorkspace, main as env } from "./env";
import { ROOT } from "../plan/stack-config";
import { tempDir } from "../plan/temp";
import { setUpDevServices } from "../plan/engine/dev-standins";
import { Backend, pulumiBinary, projectCopy } from "../plan/engine/engine";
import { kubeconfigFile } from "../plan/engine/kube";

/** Runs `npm run env -- ARGV` on the project copy and the backend; resolves with its wall time (fails unless it exits 0). */
async function timed(project: string, backend: Backend, argv: string[], create: boolean): Promise<number> {
    const lines: string[] = [];
    const started = Date.now();
    const code = await env(argv, {
        workspace: new AutomationWorkspace(project, create, backend.vars()),
        dir: project,
        print: (l) => lines.push(l),
        canAsk: false,
    });
    const seconds = (Date.now() - started) / 1000;
    if (code !== 0) {
        throw new Error(`npm run env -- ${argv.join(" ")} exited ${code}:\n${lines.join("\n")}`);
    }
    return seconds;
}

/** The wall time of `npm run env -- up` of N generated service stacks, at once and one at a time. */
export interface EnvUpTimes {
    readonly stacks: number;
    readonly atOnce: number;
    /** Undefined when only the at-once runs were asked for. */
    readonly oneAtATime?: number;
}

/**
 * Brings up, then destroys, `n` generated copies of dev's first service stack for each `n` of
 * `scales` with `npm run env -- up` on `backend` (set up for dev's service stacks: setUpDevServices),
 * at once (`--parallel N`) and, with `oneAtATime`, with `--parallel 1` too.
 */
export async function envUpTimes(
    backend: Backend,
    scales: readonly number[],
    oneAtATime: boolean,
): Promise<EnvUpTimes[]> {
    const most = Math.max(...scales);
    const folder = writeGeneratedEnvironment(tempDir("bench-env-stacks"), most);
    const project = projectCopy(
        "bench-env",
        fs
            .readdirSync(folder)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")
            .map((f) => path.join(folder, f)),
    );
    const results: EnvUpTimes[] = [];
    for (const n of scales) {
        const stacks = Array.from({ length: n }, (_, i) => ["--stack", `dev-gen${i}`]).flat();
        const times: number[] = [];
        for (const parallel of oneAtATime ? [n, 1] : [n]) {
            times.push(
                await timed(
                    project,
                    backend,
                    ["up", "--env", "dev", ...stacks, "--parallel", String(parallel), "--yes"],
                    true,
                ),
            );
            console.log(
                `${n} service stack(s), --parallel ${parallel}: env up ${times[times.length - 1].toFixed(1)} s`,
            );
            await timed(
                project,
                backend,
                ["destroy", "--env", "dev", ...stacks, "--parallel", String(n), "--yes"],
                false,
            );
        }
        results.push({ stacks: n, atOnce: times[0], ...(oneAtATime ? { oneAtATime: times[1] } : {}) });
    }
    return results;
}

async function main(): Promise<void> {
    const opts = new Command()
        .option("--scales <list>", "how many generated service stacks, comma-separated", "1,3,10")
        .parse()
        .opts<{ scales: string }>();
    const backend = new Backend("bench-env");
    const { unregister } = await setUpDevServices(backend);
    let results: EnvUpTimes[];
    try {
        results = await envUpTimes(backend, opts.scales.split(",").map(Number), true);
    } finally {
        unregister();
    }
    const version = (await backend.ok(ROOT, ["version"])).stdout.trim();
    const lines = [
        `Real engine, \`npm run env -- up\` of N copies of ${templateService()} (generated stack files), each on a new stack, one run each;`,
        `pulumi ${version} (${pulumiBinary()}), file backend, cluster ${kubeconfigFile()}, ${os.cpus().length} CPUs.`,
        "",
        "| service stacks | at once, `--parallel N` (s) | one at a time, `--parallel 1` (s) | speed-up |",
        "|---:|---:|---:|---:|",
        ...results.map(
            (r) =>
                `| ${r.stacks} | ${r.atOnce.toFixed(1)} | ${(r.oneAtATime ?? 0).toFixed(1)} | ${((r.oneAtATime ?? 0) / r.atOnce).toFixed(2)}x |`,
        ),
        "",
    ];
    writeBenchmarkSection(ROOT, "env-command", lines);
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(`bench-env failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    });
}
