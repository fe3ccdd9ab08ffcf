// What each layer's program costs at start, module by module: for one stack of each layer of dev,
// a process of its own started as Pulumi's Node.js runtime starts a program (Node, @pulumi/pulumi,
// then the built program, as `npm run build` makes it, run under the offline plan's mocks instead
// of an engine; plan/startup-probe.ts, whose own harness ts-node loads), several rounds, the median of each figure. Writes
// out/benchmarks-startup.md, or its section of docs/benchmarks.md with --update-docs.
//
//   npm run bench:startup -- [--rounds 3] [--update-docs]
import "../plan/setup";
import { Command } from "commander";
import * as os from "os";
import { CLOUD_PACKAGES, GroupCost, costByGroup, loadedGroups, probeStartup } from "../plan/startup";
import { ProbeResult } from "../plan/startup-probe";
import { ROOT, stacksOfEnvironment } from "../plan/stack-config";
import { layerOfStackName } from "../layers/layering";
import { writeBenchmarkSection } from "./doc-sections";
import { median } from "./stats";

/** How many groups of modules each layer's table shows (the rest are summed in one row). */
const TOP = 8;

interface LayerRun {
    readonly stack: string;
    readonly rounds: ProbeResult[];
}

function ms(n: number): string {
    return n.toFixed(0);
}

/** A layer's figures: the median of each phase, and its program's groups of modules by median cost. */
function layerLines(run: LayerRun): string[] {
    const layer = layerOfStackName(run.stack);
    const m = (f: (r: ProbeResult) => number) => median(run.rounds.map(f));
    const groups = new Map<string, GroupCost[]>();
    for (const r of run.rounds) {
        for (const g of costByGroup(r.modules, run.stack)) {
            groups.set(g.group, [...(groups.get(g.group) ?? []), g]);
        }
    }
    const rows = [...groups]
        .map(([group, costs]) => ({ group, modules: costs[0].modules, ms: median(costs.map((c) => c.ms)) }))
        .sort((a, b) => b.ms - a.ms);
    const rest = rows.slice(TOP);
    const cloud = CLOUD_PACKAGES.filter((p) => loadedGroups(run.rounds[0].modules).has(p));
    const program = m((r) => r.stacks[0].ms);
    const modules = m((r) => costByGroup(r.modules, run.stack).reduce((a, g) => a + g.ms, 0));
    return [
        `### ${layer} (\`${run.stack}\`, ${run.rounds[0].stacks[0].resources} resources)`,
        "",
        `Node and the probe's ts-node ${ms(m((r) => r.startMs))} ms, @pulumi/pulumi ${ms(m((r) => r.sdkMs))} ms, then the program ` +
            `${ms(program)} ms: its modules ${ms(modules)} ms, running it ${ms(program - modules)} ms. ` +
            `Cloud SDKs loaded: ${cloud.length > 0 ? cloud.join(", ") : "none"}.`,
        "",
        "| modules of the program | files | ms (own time: reading and top-level code) |",
        "|---|---:|---:|",
        ...rows.slice(0, TOP).map((r) => `| ${r.group} | ${r.modules} | ${ms(r.ms)} |`),
        ...(rest.length > 0
            ? [
                  `| ${rest.length} more | ${rest.reduce((a, r) => a + r.modules, 0)} | ${ms(rest.reduce((a, r) => a + r.ms, 0))} |`,
              ]
            : []),
        "",
    ];
}

async function main(): Promise<void> {
    const opts = new Command()
        .name("npm run bench:startup --")
        .description("Measures each layer's program start-up, module by module, as Pulumi's Node.js runtime starts it.")
        .option("--rounds <n>", "processes per layer (the median is kept)", "3")
        .option(
            "--update-docs",
            "write its section of docs/benchmarks.md (tracked) instead of out/benchmarks-startup.md",
        )
        .parse()
        .opts<{ rounds: string; updateDocs?: boolean }>();
    const stacks = stacksOfEnvironment("dev");
    const layers = ["global", "common", "service"].map((layer) => {
        const stack = stacks.find((s) => layerOfStackName(s) === layer);
        if (stack === undefined) {
            throw new Error(`dev has no ${layer} stack`);
        }
        return stack;
    });
    const runs: LayerRun[] = [];
    for (const stack of layers) {
        const rounds: ProbeResult[] = [];
        for (let i = 0; i < Number(opts.rounds); i++) {
            rounds.push(await probeStartup([stack]));
            console.log(`${stack}: round ${i + 1}: program ${ms(rounds[i].stacks[0].ms)} ms`);
        }
        runs.push({ stack, rounds });
    }
    const cpu = os.cpus();
    const lines = [
        "## Start-up of the program, module by module",
        "",
        `Written by \`npm run bench:startup${opts.updateDocs ? " -- --update-docs" : ""}\` (scripts/bench-startup.ts) on ${new Date().toISOString().slice(0, 10)}:`,
        "one stack of each layer of dev, each in a process of its own started as Pulumi's Node.js runtime starts a",
        "program (Node, @pulumi/pulumi, then the program built by `npm run build`: JavaScript, nothing compiled at",
        "start), the program run under the offline plan's mocks instead of an engine; the probe's own harness is",
        `TypeScript, so Node's start includes ts-node's. Median of ${opts.rounds} processes per layer. A module's own`,
        "time is reading it and its top-level code; each layer loads its own modules only when its stack runs",
        "(infra/program.ts).",
        `Machine: ${cpu.length} × ${cpu[0]?.model ?? "CPU"}, Node ${process.version}, load average ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(", ")} at the end of the run.`,
        "",
        ...runs.flatMap(layerLines),
    ];
    writeBenchmarkSection(ROOT, "startup", lines, opts.updateDocs);
}

main().catch((err: unknown) => {
    console.error(`bench-startup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
