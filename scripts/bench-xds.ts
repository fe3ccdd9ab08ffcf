// Per-proxy config over the offline plan, as Istio's own discovery server generates it: the xds-probe
// tool (outside this repository; give its folder) feeds a plan's manifests into istiod's config
// generators in process and reports each proxy's clusters, listeners, routes and their size. This
// runs it over the plan of dev and of dev with N generated services, each with the istiod feature
// flags the plan gives istiod (its chart's `env`) and once with PILOT_FILTER_GATEWAY_CLUSTER_CONFIG
// off, and compares the ingress gateway's clusters with the hosts of the exposed services. Writes
// out/benchmarks-xds.md, or its section of docs/benchmarks.md with --update-docs.
//
//   npm run bench:xds -- --probe <xds-probe folder> [--services 100] [--update-docs]
import { execFileSync } from "child_process";
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../plan/stack-config";
import { tempDir } from "../plan/temp";
import { writeBenchmarkSection } from "./doc-sections";
import { writeGeneratedEnvironment } from "./generated-environment";
import { median } from "./stats";

/** The part of xds-probe's report read here (see the tool's README). */
interface ProbeReport {
    readonly workloads: {
        readonly workload: string;
        readonly type: "sidecar" | "router";
        readonly counts: { readonly clusters: number };
        readonly bytes: { readonly total: number };
        readonly outboundServices: string[] | null;
        readonly outboundClusters: unknown[] | null;
    }[];
}

interface Case {
    readonly name: string;
    readonly flags: string;
    readonly sidecars: number;
    readonly sidecarClusters: number[];
    readonly sidecarBytes: number[];
    readonly gatewayClusters: number;
    readonly gatewayBytes: number;
    /** How many of the gateway's clusters are a service's (`outbound|...`). */
    readonly gatewayServiceClusters: number;
    /** Services the gateway has an outbound cluster of that no exposed service's VirtualService routes to. */
    readonly gatewayExtra: string[];
    /** Exposed services the gateway has no cluster of. */
    readonly gatewayMissing: string[];
}

/** Plans dev from `configDir` (the repository's stack files when undefined) into `out`, as a user runs it. */
function plan(out: string, configDir?: string): void {
    const args = ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "plan.ts"), "--env", "dev"];
    try {
        execFileSync(process.execPath, [...args, "--out", out, ...(configDir ? ["--config-dir", configDir] : [])], {
            cwd: ROOT,
            stdio: "ignore",
        });
    } catch (err) {
        // Exit 1: planned, with violations reported; the plan is written.
        if ((err as { status?: number }).status !== 1) {
            throw err;
        }
    }
}

/** The istiod feature flags (`PILOT_*`) the plan's (main) istiod release gives istiod. */
function istiodFlags(planDir: string): Record<string, string> {
    const resources = JSON.parse(fs.readFileSync(path.join(planDir, "dev-common", "resources.json"), "utf8")) as {
        type: string;
        inputs: { chart?: string; values?: { env?: Record<string, string> } };
    }[];
    // The chart is named by its source: `oci://.../charts/istiod`, a repository's `istiod`, or a folder `istiod-<version>`.
    const istiod = resources.find(
        (r) =>
            r.type === "kubernetes:helm.sh/v3:Release" &&
            /^istiod(-[0-9.]+)?$/.test(path.basename(r.inputs.chart ?? "")),
    );
    return Object.fromEntries(Object.entries(istiod?.inputs.values?.env ?? {}).filter(([k]) => k.startsWith("PILOT_")));
}

/** The in-cluster hosts the plan's VirtualServices bound to a gateway route to: the exposed services'. */
function exposedHosts(planDir: string): Set<string> {
    const hosts = new Set<string>();
    for (const stack of fs.readdirSync(planDir).filter((d) => d.startsWith("dev-"))) {
        const file = path.join(planDir, stack, "resources.json");
        const resources = fs.existsSync(file)
            ? (JSON.parse(fs.readFileSync(file, "utf8")) as { type: string; inputs: Record<string, unknown> }[])
            : [];
        for (const r of resources.filter((r) => r.type === "kubernetes:networking.istio.io/v1:VirtualService")) {
            const spec = r.inputs.spec as {
                gateways?: string[];
                http?: { route?: { destination: { host: string } }[] }[];
            };
            if ((spec.gateways ?? []).some((g) => g !== "mesh")) {
                spec.http?.forEach((h) => h.route?.forEach((d) => hosts.add(d.destination.host)));
            }
        }
    }
    return hosts;
}

function probe(tool: string, planDir: string, flags: Record<string, string>): ProbeReport {
    const stdout = execFileSync(path.join(tool, "run.sh"), [planDir, "dev"], {
        env: { ...process.env, ...flags },
        encoding: "utf8",
        maxBuffer: 1 << 30,
        stdio: ["ignore", "pipe", "ignore"],
    });
    return JSON.parse(stdout) as ProbeReport;
}

function measure(name: string, tool: string, planDir: string, flags: Record<string, string>): Case {
    const report = probe(tool, planDir, flags);
    const sidecars = report.workloads.filter((w) => w.type === "sidecar");
    const gateway = report.workloads.find((w) => w.type === "router");
    if (gateway === undefined) {
        throw new Error(`xds-probe reported no gateway for ${name}`);
    }
    const exposed = exposedHosts(planDir);
    const seen = new Set(gateway.outboundServices ?? []);
    const result: Case = {
        name,
        flags:
            Object.entries(flags)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ") || "none",
        sidecars: sidecars.length,
        sidecarClusters: sidecars.map((w) => w.counts.clusters),
        sidecarBytes: sidecars.map((w) => w.bytes.total),
        gatewayClusters: gateway.counts.clusters,
        gatewayBytes: gateway.bytes.total,
        gatewayServiceClusters: (gateway.outboundClusters ?? []).length,
        gatewayExtra: [...seen].filter((h) => !exposed.has(h)).sort(),
        gatewayMissing: [...exposed].filter((h) => !seen.has(h)).sort(),
    };
    console.log(
        `${name} (${result.flags}): gateway ${result.gatewayClusters} clusters, ${result.gatewayBytes} bytes; ` +
            `sidecars ${median(result.sidecarClusters)} clusters, ${median(result.sidecarBytes)} bytes (median)`,
    );
    return result;
}

function kb(bytes: number): string {
    return (bytes / 1024).toFixed(0);
}

function row(c: Case): string {
    const extra =
        c.gatewayExtra.length === 0
            ? "none"
            : c.gatewayExtra.length > 4
              ? `${c.gatewayExtra.length} services`
              : c.gatewayExtra.map((h) => h.replace(".svc.cluster.local", "")).join(", ");
    return (
        `| ${c.name} | ${c.flags} | ${c.gatewayClusters} | ${kb(c.gatewayBytes)} | ${extra} | ${c.gatewayMissing.length === 0 ? "none" : c.gatewayMissing.join(", ")} ` +
        `| ${c.sidecars} | ${median(c.sidecarClusters)} (max ${Math.max(...c.sidecarClusters)}) | ${kb(median(c.sidecarBytes))} (max ${kb(Math.max(...c.sidecarBytes))}) |`
    );
}

/** What the large case shows about the gateway, in words. */
function summary(filtered: Case, unfiltered: Case, exposed: Set<string>): string {
    const only =
        filtered.gatewayMissing.length === 0 ? "every routed host" : `not ${filtered.gatewayMissing.join(", ")}`;
    return (
        `In ${filtered.name} the gateway has ${filtered.gatewayClusters} clusters (${kb(filtered.gatewayBytes)} KiB), against ` +
        `${unfiltered.gatewayClusters} (${kb(unfiltered.gatewayBytes)} KiB) without the filter: ${only} of the ${exposed.size} ` +
        `exposed service host(s) (${[...exposed].map((h) => h.replace(".svc.cluster.local", "")).join(", ")}), and of the ` +
        `others only ${filtered.gatewayExtra.map((h) => h.replace(".svc.cluster.local", "")).join(", ") || "none"} ` +
        "(the mesh config's tracing collector, an extension provider istiod keeps for gateways); " +
        `${filtered.gatewayClusters - filtered.gatewayServiceClusters} of its clusters are no service's.`
    );
}

function main(): void {
    const opts = new Command()
        .name("npm run bench:xds --")
        .description("Measures each proxy's config over the plan with Istio's discovery server (the xds-probe tool).")
        .requiredOption("--probe <dir>", "the xds-probe tool's folder (its run.sh builds and runs it)")
        .option("--services <n>", "generated services of the large case", "100")
        .option("--update-docs", "write its section of docs/benchmarks.md (tracked) instead of out/benchmarks-xds.md")
        .parse()
        .opts<{ probe: string; services: string; updateDocs?: boolean }>();
    const tool = path.resolve(opts.probe);
    const n = Number(opts.services);
    const work = tempDir("bench-xds");
    const devPlan = path.join(work, "plan-dev");
    const largePlan = path.join(work, `plan-${n}`);
    plan(devPlan);
    plan(largePlan, writeGeneratedEnvironment(path.join(work, `stacks-${n}`), n));
    const flags = istiodFlags(devPlan);
    const unfiltered = { ...flags, PILOT_FILTER_GATEWAY_CLUSTER_CONFIG: "false" };
    const cases = [
        measure("dev", tool, devPlan, flags),
        measure("dev", tool, devPlan, unfiltered),
        measure(`dev + ${n} services`, tool, largePlan, flags),
        measure(`dev + ${n} services`, tool, largePlan, unfiltered),
    ];
    const lines = [
        "## Per-proxy config (Istio's discovery server over the plan)",
        "",
        `Written by \`npm run bench:xds -- --probe <xds-probe>${opts.updateDocs ? " --update-docs" : ""}\` (scripts/bench-xds.ts) on ${new Date().toISOString().slice(0, 10)}:`,
        "the manifests of the offline plan of dev, and of dev with generated services (copies of dev's first",
        "service stack), fed to Istio's own config generators in process (the xds-probe tool: istiod's discovery",
        "server code, one fake pod per Deployment, the ingress gateway as a router), which build each proxy's",
        "clusters, listeners, routes and endpoints as an xDS push would. Sizes are the protobuf bytes of all four.",
        "Each case with the istiod feature flags the plan sets (its istiod release's `env`) and once with",
        '`PILOT_FILTER_GATEWAY_CLUSTER_CONFIG=false`, as before the platform set it. "Not routed" lists the',
        'services the gateway has a cluster of that no VirtualService bound to a gateway routes to; "missing" the',
        "routed ones it has none of.",
        `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}.`,
        "",
        "| plan | istiod flags | gateway clusters | gateway KiB | not routed | missing | sidecars | clusters per sidecar (median) | KiB per sidecar (median) |",
        "|---|---|---:|---:|---|---|---:|---:|---:|",
        ...cases.map(row),
        "",
        summary(cases[2], cases[3], exposedHosts(largePlan)),
        "A sidecar's clusters are those of its callees (its namespace's `Sidecar`): in the generated environment every",
        "copy of the template service admits the same callers, so their sidecars stay as small as in dev, and a caller",
        "of every copy (the largest sidecar) gets one cluster per copy.",
        "",
    ];
    writeBenchmarkSection(ROOT, "xds", lines, opts.updateDocs);
    fs.rmSync(work, { recursive: true, force: true });
}

main();
