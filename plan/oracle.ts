// The oracles. The sidecar oracle (Go, given by ORACLE_DIR or ORACLE_BIN) builds every target
// workload's Envoy RBAC filters with istiod's own code (pilot/pkg/networking/plugin/authz) and
// evaluates each row of a plan's access.json against them. The ambient oracle
// (test/oracle/ambient-oracle, Go, in this repository) loads the plan into istiod's in-process
// discovery server with its ambient index and judges the rows of ambient services by the path
// Istio gives each request, the waypoint's RBAC filters and ztunnel's converted policies. This
// module finds or builds them, feeds them plan-shaped folders and reads their verdicts. Not part
// of `npm test`: a fresh clone has no Go.
import { SpawnSyncReturns, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { AccessRow, namespaceCaller } from "./access-plan";
import { PROJECT } from "./evaluate";
import { ROOT, readStackConfig } from "./stack-config";
import { SHARED_TARGETS, sharedTargetName } from "./shared-access";
import { OBSERVABILITY_NAMESPACE, SHARED_WORKLOADS } from "../components/observability/specs";
import { AMBIENT_NAMESPACE_LABEL } from "../components/service/ambient";

/** What the oracle said about a plan. */
export interface OracleRun {
    /** One verdict line per row of access.json, in order: `agree ...`, `DISAGREE ...` or `UNKNOWN ...`. */
    readonly lines: string[];
    readonly disagree: string[];
    readonly unknown: string[];
    /** `oracle: N rows, A agree, D disagree[, U unknown]` (for a plan with ambient services, both oracles' joined by `; `). */
    readonly summary: string;
    /** The services in ambient mode, sorted, whose rows the ambient oracle judged. @default [] */
    readonly ambient?: string[];
}

const HOW =
    "set ORACLE_BIN to the built oracle binary, or ORACLE_DIR to its source folder (e.g. ORACLE_DIR=../shared/tools/oracle, " +
    "built with Go and the istio.io/istio module from the Go module proxy; the first build takes minutes)";

let binary: string | undefined;

/** The executable file `variable` names, or why it is none (with `how` to provide one). */
function givenBinary(variable: string, how: string): string | undefined {
    const bin = process.env[variable];
    if (!bin) {
        return undefined;
    }
    try {
        fs.accessSync(bin, fs.constants.X_OK);
    } catch {
        throw new Error(`${variable}=${bin}: not an executable file; ${how}`);
    }
    return path.resolve(bin);
}

/** `go build` of the Go program in `source` into `~/.cache/access-oracle/<name>` (quick once cached). */
function builtWithGo(source: string, name: string, failed: (why: string) => string): string {
    const out = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "access-oracle", name);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const build = spawnSync("go", ["build", "-o", out, "."], { cwd: source, encoding: "utf8" });
    if (build.error || build.status !== 0) {
        throw new Error(
            failed(build.error ? build.error.message : build.stderr.trim().split("\n").slice(-10).join("\n")),
        );
    }
    return out;
}

/** The oracle binary: ORACLE_BIN as it is, or built from ORACLE_DIR (as run.sh does; quick once cached). */
export function oracleBinary(): string {
    if (binary) {
        return binary;
    }
    const given = givenBinary("ORACLE_BIN", HOW);
    if (given) {
        binary = given;
        return binary;
    }
    const dir = process.env.ORACLE_DIR;
    if (!dir) {
        throw new Error(`the oracle is not available: ${HOW}`);
    }
    const source = path.resolve(dir);
    if (!fs.existsSync(path.join(source, "main.go"))) {
        throw new Error(`ORACLE_DIR=${dir}: no main.go in ${source}; ${HOW}`);
    }
    binary = builtWithGo(source, "oracle", (why) => `ORACLE_DIR=${dir}: go build failed: ${why}\n${HOW}`);
    return binary;
}

/** Runs the oracle on `planDir` for `env`; an input error (its exit status 2) throws with its message. */
export function runOracle(planDir: string, env: string): OracleRun {
    return oracleRun(
        `oracle ${planDir} ${env}`,
        spawnSync(oracleBinary(), [planDir, env], { encoding: "utf8", maxBuffer: 1 << 30 }),
    );
}

/** The verdict lines and summary of an oracle's run; an input error (exit status 2) throws. */
function oracleRun(what: string, run: SpawnSyncReturns<string>): OracleRun {
    if (run.error || (run.status !== 0 && run.status !== 1)) {
        throw new Error(
            `${what} failed (status ${run.status}): ${run.error?.message ?? run.stderr.trim().slice(-4000)}`,
        );
    }
    const all = run.stdout.split("\n").filter((l) => l !== "");
    const lines = all.filter((l) => /^(agree|DISAGREE|UNKNOWN) /.test(l));
    const summary = all.find((l) => l.startsWith("oracle: ")) ?? "";
    if (summary === "") {
        throw new Error(
            `${what}: no summary line in its output:\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`,
        );
    }
    return {
        lines,
        disagree: lines.filter((l) => l.startsWith("DISAGREE")),
        unknown: lines.filter((l) => l.startsWith("UNKNOWN")),
        summary,
    };
}

/** The ambient oracle's source: a Go program of this repository. */
export const AMBIENT_ORACLE_SOURCE = path.join(ROOT, "test", "oracle", "ambient-oracle");

const AMBIENT_HOW =
    "set AMBIENT_ORACLE_BIN to the built ambient oracle, or have Go on PATH to build it from test/oracle/ambient-oracle " +
    "(the istio.io/istio module comes from the Go module proxy; the first build takes minutes)";

let ambientBinary: string | undefined;

/** The ambient oracle binary: AMBIENT_ORACLE_BIN as it is, or built from its source (quick once cached). */
export function ambientOracleBinary(): string {
    ambientBinary ??=
        givenBinary("AMBIENT_ORACLE_BIN", AMBIENT_HOW) ??
        builtWithGo(
            AMBIENT_ORACLE_SOURCE,
            "ambient-oracle",
            (why) => `the ambient oracle did not build: ${why}\n${AMBIENT_HOW}`,
        );
    return ambientBinary;
}

/**
 * Runs the ambient oracle on `planDir` for `env` over the rows whose target is one of `targets`
 * (services in ambient mode); an input error (its exit status 2) throws with its message.
 */
export function runAmbientOracle(planDir: string, env: string, targets: readonly string[]): OracleRun {
    const run = spawnSync(ambientOracleBinary(), [planDir, env, ...targets], {
        encoding: "utf8",
        maxBuffer: 1 << 30,
        // istiod builds its ambient index only with ambient enabled.
        env: { ...process.env, PILOT_ENABLE_AMBIENT: "true" },
    });
    return oracleRun(`ambient oracle ${planDir} ${env}`, run);
}

/** A Kubernetes object as the oracle reads it from manifests.yaml. */
export type Manifest = Record<string, unknown>;

/** Writes manifests as the plan does: one YAML document per object. */
export function writeManifests(dir: string, manifests: readonly Manifest[]): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
        path.join(dir, "manifests.yaml"),
        manifests.map((m) => yaml.dump(m, { noRefs: true, lineWidth: -1 })).join("---\n"),
    );
}

/** A Deployment of `labels` pods running as `serviceAccount` in `namespace`. */
export function deployment(
    name: string,
    namespace: string,
    serviceAccount: string,
    labels: Record<string, string>,
): Manifest {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace },
        spec: {
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: serviceAccount,
                    containers: [{ name: "app", image: "registry.example.com/app:1.0.0" }],
                },
            },
        },
    };
}

/**
 * The oracle knows a caller only by a plan folder with its Deployment. The matrix's namespace-wide
 * callers (`other-in-<ns>`: another workload of the namespace, its `default` account) have none:
 * this writes `<planDir>/<env>-other-in-<ns>/manifests.yaml` for each, so their rows are checked.
 */
export function addNamespaceCallers(planDir: string, env: string, rows: readonly AccessRow[]): void {
    const namespaces = new Set(
        rows.map((r) => /^other-in-(.+)$/.exec(r.from)?.[1]).filter((n): n is string => n !== undefined),
    );
    for (const ns of namespaces) {
        const name = namespaceCaller(ns);
        const dir = path.join(planDir, `${env}-${name}`);
        if (!fs.existsSync(dir)) {
            writeManifests(dir, [deployment(name, ns, "default", { app: name })]);
        }
    }
}

/**
 * The oracle knows a target only by a plan folder with its Deployment, and the common stack's plan
 * holds Helm releases, not the pods the charts make. This writes `<planDir>/<env>-observability.<w>/`
 * for each shared workload of the matrix (plan/shared-access.ts): one Deployment carrying the pod
 * labels and service account its chart renders (SHARED_WORKLOADS, checked against `helm template`
 * by test/chart-render.test.ts). Prometheus' pods belong to a StatefulSet of the operator, not a
 * Deployment: what the oracle reads of it (namespace, pod labels, account) is the same.
 */
export function addSharedWorkloads(planDir: string, env: string, rows: readonly AccessRow[]): void {
    const named = new Set(rows.flatMap((r) => [r.from, r.to]));
    for (const workload of SHARED_TARGETS) {
        const name = sharedTargetName(workload);
        if (!named.has(name)) {
            continue;
        }
        const { labels, serviceAccount } = SHARED_WORKLOADS[workload];
        const dir = path.join(planDir, `${env}-${name}`);
        writeManifests(dir, [deployment(workload, OBSERVABILITY_NAMESPACE, serviceAccount, { ...labels })]);
        const file = path.join(dir, "manifests.yaml");
        fs.writeFileSync(
            file,
            `# ${name}: the pods of the ${workload} chart as the oracle reads them (pod labels, service account); written by plan/oracle.ts\n${fs.readFileSync(file, "utf8")}`,
        );
    }
}

/** The environments of the repository's stack files: each `Pulumi.<env>.yaml` of the global layer. */
export function environments(dir = ROOT): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.([^.-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined && readStackConfig(s, dir).config[`${PROJECT}:layer`] === "global")
        .sort();
}

/**
 * Plans `env` (as `npm run plan -- --env <env> --out <out>`), adds the namespace-wide callers and
 * runs the oracle over its access matrix. A plan that fails (status 2) throws with its message;
 * broken conventions (status 1) are the plan's business, not the matrix's.
 */
export function checkEnvironment(env: string, out: string): OracleRun {
    const plan = spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/plan.ts", "--env", env, "--out", out],
        {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 1 << 28,
        },
    );
    if (plan.status !== 0 && plan.status !== 1) {
        throw new Error(
            `npm run plan -- --env ${env} failed (status ${plan.status}): ${plan.error?.message ?? plan.stderr.trim()}`,
        );
    }
    return checkPlan(out, env);
}

/**
 * Runs the oracles over a written plan of `env` in `out` (as `npm run plan -- --out` writes it),
 * with the namespace-wide callers and the shared workloads added: the rows of services in ambient
 * mode go to the ambient oracle, the others to the sidecar oracle.
 */
export function checkPlan(out: string, env: string): OracleRun {
    const file = path.join(out, env, "access.json");
    const all = JSON.parse(fs.readFileSync(file, "utf8")) as AccessRow[];
    addNamespaceCallers(out, env, all);
    addSharedWorkloads(out, env, all);
    const ambient = ambientServices(out, env);
    const atAmbient = ambient.length === 0 ? undefined : runAmbientOracle(out, env, ambient);
    // The sidecar oracle builds a sidecar's inbound filters: it is given the other rows.
    const rows = all.filter((r) => !ambient.includes(r.to));
    if (rows.length !== all.length) {
        fs.writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
    }
    const atSidecars = runOracle(out, env);
    if (!atAmbient) {
        return atSidecars;
    }
    return {
        lines: [...atSidecars.lines, ...atAmbient.lines],
        disagree: [...atSidecars.disagree, ...atAmbient.disagree],
        unknown: [...atSidecars.unknown, ...atAmbient.unknown],
        summary: `${atSidecars.summary}; ambient ${atAmbient.summary}`,
        ambient,
    };
}

/** The services of a written plan whose namespace is in ambient mode (its Namespace's `istio.io/dataplane-mode`). */
export function ambientServices(planDir: string, env: string): string[] {
    const prefix = `${env}-`;
    return fs
        .readdirSync(planDir)
        .filter((d) => d.startsWith(prefix) && fs.existsSync(path.join(planDir, d, "manifests.yaml")))
        .filter((d) =>
            yaml
                .loadAll(fs.readFileSync(path.join(planDir, d, "manifests.yaml"), "utf8"))
                .some(
                    (m) =>
                        (m as Manifest | null)?.kind === "Namespace" &&
                        (m as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[
                            AMBIENT_NAMESPACE_LABEL
                        ] === "ambient",
                ),
        )
        .map((d) => d.slice(prefix.length))
        .sort();
}
