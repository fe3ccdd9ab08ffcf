// Benchmarks of the offline plan: wall time, CPU time and peak memory (max RSS) of `npm run plan` for each
// layer, the whole `dev` environment, and a service layer scaled to 1, 10, 50, 100 and 200 services
// (generated stack configs), with how the time grows per service. Each case runs in its own Node
// process, as a user runs it, so the figures include Node and ts-node start-up. Writes
// out/benchmarks.md, or docs/benchmarks.md with --update-docs.
//
//   npm run bench                     (takes a few minutes; run it on an otherwise idle machine)
//   npm run bench -- --update-docs    (rewrites the tracked docs/benchmarks.md)
import { spawnSync } from "child_process";
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, stacksOfEnvironment } from "../plan/stack-config";
import { templateService, writeGeneratedEnvironment } from "./generated-environment";
import { writeSection } from "./doc-sections";

/** The whole dev plan, and dev with 200 generated services, must stay under this. */
const DEV_BUDGET_SECONDS = 10;
const SCALES = [1, 10, 50, 100, 200];
/** The marginal cost per service from 100 to 200 services may be at most this times that from 10 to 50. */
const MARGINAL_GROWTH_BUDGET = 1.3;

interface Result {
    readonly name: string;
    readonly command: string;
    readonly ok: boolean;
    readonly seconds: number;
    /** User and system CPU time of the plan process: steadier than wall time on a shared machine. */
    readonly cpuSeconds: number;
    readonly maxRssMiB: number;
    readonly stacks: number;
    readonly resources: number;
    readonly error?: string;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
const loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(", ");
// Preloaded into each plan process: reports its resource usage (peak memory, CPU time) when it exits.
const preload = path.join(work, "usage.js");
fs.writeFileSync(
    preload,
    'process.on("exit", () => require("fs").writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify(process.resourceUsage())));\n',
);

function run(name: string, planArgs: string[]): Result {
    const usageFile = path.join(work, `${name.replace(/\W+/g, "-")}.usage.json`);
    const out = path.join(work, "out", name.replace(/\W+/g, "-"));
    const args = [
        "-r",
        preload,
        "-r",
        "ts-node/register/transpile-only",
        path.join(ROOT, "scripts", "plan.ts"),
        ...planArgs,
        "--out",
        out,
    ];
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, BENCH_USAGE_FILE: usageFile },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const counts = [...child.stdout.matchAll(/^\S+ \(\w+\): (\d+) resources?$/gm)].map((m) => Number(m[1]));
    const usage = fs.existsSync(usageFile)
        ? (JSON.parse(fs.readFileSync(usageFile, "utf8")) as NodeJS.ResourceUsage)
        : { maxRSS: 0, userCPUTime: 0, systemCPUTime: 0 };
    // Exit 1 means the plan ran and reported violations; 2 means it could not plan.
    const ok = child.status === 0 || child.status === 1;
    const result: Result = {
        name,
        command: `npm run plan -- ${planArgs.map((a) => (a.startsWith(work) ? "<generated>" : a)).join(" ")}`,
        ok,
        seconds,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        maxRssMiB: usage.maxRSS / 1024,
        stacks: counts.length,
        resources: counts.reduce((a, b) => a + b, 0),
        error: ok ? undefined : (child.stderr.trim().split("\n").pop() ?? "").slice(0, 200),
    };
    console.log(
        `${name}: ${ok ? `${seconds.toFixed(2)} s, CPU ${result.cpuSeconds.toFixed(2)} s, ${result.maxRssMiB.toFixed(0)} MiB, ${result.stacks} stacks, ${result.resources} resources` : `failed: ${result.error}`}`,
    );
    return result;
}

/** A config dir with every stack of dev plus `n` generated services (scripts/generated-environment.ts). */
function scaledConfigDir(n: number): string {
    return writeGeneratedEnvironment(path.join(work, `services-${n}`), n);
}

/** How the plan's time grows with the generated services: per step of SCALES and from the first to the last. */
function growth(results: Result[]): string[] {
    const scaled = SCALES.map((n) => ({ n, r: results.find((x) => x.name.startsWith(`dev + ${n} generated`)) })).filter(
        (s): s is { n: number; r: Result } => s.r?.ok === true,
    );
    if (scaled.length < 2) {
        return [];
    }
    const perService = (from: number, to: number, of: (r: Result) => number): number | undefined => {
        const a = scaled.find((x) => x.n === from);
        const b = scaled.find((x) => x.n === to);
        return a && b ? ((of(b.r) - of(a.r)) / (to - from)) * 1000 : undefined;
    };
    const steps = scaled.slice(1).map((s, i) => {
        const prev = scaled[i];
        const ms = (of: (r: Result) => number) => (perService(prev.n, s.n, of) ?? 0).toFixed(0);
        return `| ${prev.n} → ${s.n} | ${s.r.resources - prev.r.resources} | ${ms((r) => r.seconds)} | ${ms((r) => r.cpuSeconds)} | ${((s.r.maxRssMiB - prev.r.maxRssMiB) / (s.n - prev.n)).toFixed(1)} |`;
    });
    const first = scaled[0];
    const last = scaled[scaled.length - 1];
    const ratio = (of: (r: Result) => number): string => {
        const early = perService(10, 50, of);
        const late = perService(100, 200, of);
        return early === undefined || late === undefined ? "not measured" : `${(late / early).toFixed(2)}×`;
    };
    const largest = scaled.find((x) => x.n === 200);
    return [
        "",
        "## Growth with the number of services",
        "",
        "Each generated service adds its namespace, workload, policies, Sidecar and NetworkPolicies (and one",
        "host to the Sidecar of every service its copy may call), and a row for every other service to the",
        "access matrix (which grows with the square of the services). Marginal cost per added service:",
        "",
        "| services | resources added | ms per service (wall) | ms per service (CPU) | MiB per service |",
        "|---|---|---|---|---|",
        ...steps,
        "",
        `From ${first.n} to ${last.n} services the plan went from ${first.r.seconds.toFixed(2)} s to ${last.r.seconds.toFixed(2)} s ` +
            `(${(last.r.seconds / first.r.seconds).toFixed(1)}× for ${(last.n / first.n).toFixed(0)}× the services): ` +
            `${(((last.r.seconds - first.r.seconds) / (last.n - first.n)) * 1000).toFixed(0)} ms per service on average. ` +
            `The cost per service from 100 to 200 services is ${ratio((r) => r.seconds)} that from 10 to 50 in wall time, ` +
            `${ratio((r) => r.cpuSeconds)} in CPU time (goal: at most ${MARGINAL_GROWTH_BUDGET}×)` +
            (largest
                ? `; dev + 200 services took ${largest.r.seconds.toFixed(2)} s (goal: under ${DEV_BUDGET_SECONDS} s).`
                : "."),
    ];
}

function markdown(results: Result[]): string {
    const dev = results.find((r) => r.name === "environment dev");
    const cpu = os.cpus();
    const rows = results.map(
        (r) =>
            `| ${r.name} | \`${r.command}\` | ${r.ok ? r.stacks : "-"} | ${r.ok ? r.resources : "-"} | ${r.ok ? r.seconds.toFixed(2) : "failed"} | ${r.ok ? r.cpuSeconds.toFixed(2) : "-"} | ${r.ok ? r.maxRssMiB.toFixed(0) : "-"} |`,
    );
    const failures = results.filter((r) => !r.ok).map((r) => `- ${r.name}: ${r.error}`);
    return [
        "# Benchmarks of the offline plan",
        "",
        "Written by `npm run bench -- --update-docs` (scripts/bench.ts): each case is one `npm run plan` process, so the",
        "figures include Node and ts-node start-up (about a second of each). CPU time is the process's user and",
        "system time (steadier than wall time when other work shares the machine); peak memory is its",
        "max RSS. Service scaling adds N generated stack configs (copies of dev's first service stack,",
        `\`Pulumi.${templateService()}.yaml\`) to a copy of dev's stack files in a temp dir, planned with`,
        "`--config-dir`: each of those plans also plans dev's global, common and own service stacks.",
        "",
        `Run on ${new Date().toISOString().slice(0, 10)}. Machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; ` +
            `load average ${loadAtStart} at the start, ${os
                .loadavg()
                .map((l) => l.toFixed(1))
                .join(
                    ", ",
                )} at the end (1, 5 and 15 minutes): other work shares the machine, so wall times are an order of magnitude.`,
        "",
        "| case | command | stacks | resources | wall time (s) | CPU time (s) | peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|",
        ...rows,
        "",
        dev?.ok
            ? `The whole \`dev\` plan took ${dev.seconds.toFixed(2)} s: ${dev.seconds < DEV_BUDGET_SECONDS ? "within" : "OVER"} the ${DEV_BUDGET_SECONDS} s budget.`
            : `The whole \`dev\` plan did not run on this tree (see below); the ${DEV_BUDGET_SECONDS} s budget could not be checked.`,
        ...growth(results),
        ...(failures.length > 0 ? ["", "Cases that could not plan on this tree:", "", ...failures] : []),
        "",
    ].join("\n");
}

function main(argv: string[]): number {
    const program = new Command()
        .name("npm run bench --")
        .description(
            "Measures the offline plan (wall time and peak memory) per layer, for dev and for generated services.",
        )
        .option("--update-docs", "write docs/benchmarks.md (tracked) instead of out/benchmarks.md")
        .parse(argv, { from: "user" });
    const { updateDocs } = program.opts<{ updateDocs?: boolean }>();
    const results: Result[] = [
        run("layer global (dev)", ["dev"]),
        run("layer common (dev-common, after dev)", ["dev-common"]),
        ...stacksOfEnvironment("dev")
            .filter((s) => s !== "dev" && s !== "dev-common")
            .slice(0, 1)
            .map((s) => run(`layer service (${s}, after dev and dev-common)`, [s])),
        run("environment dev", ["--env", "dev"]),
        ...SCALES.map((n) =>
            run(`dev + ${n} generated service${n === 1 ? "" : "s"}`, [
                "--env",
                "dev",
                "--config-dir",
                scaledConfigDir(n),
            ]),
        ),
    ];
    const file = updateDocs ? path.join(ROOT, "docs", "benchmarks.md") : path.join(ROOT, "out", "benchmarks.md");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // The offline plan's section; scripts/bench-engine.ts writes the real engine's beside it.
    writeSection(file, "offline-plan", markdown(results));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    fs.rmSync(work, { recursive: true, force: true });
    return 0;
}

process.exit(main(process.argv.slice(2)));
