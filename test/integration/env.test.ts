// `npm run env -- up` then `destroy` under the real engine (Automation API, file backend), over
// dev's service stacks on the suite's API server. dev and dev-common cannot run here (no aws or
// eks provider plugin): they are STAND-IN STACKS (test/integration/programs/standin) exporting
// what the offline plan computes, dev-common's kubeconfig pointing at the suite's cluster; every
// resource of a service stack is created by the real kubernetes provider, none is stubbed.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AutomationWorkspace, EXIT, failure, main } from "../../scripts/env";
import {
    BackendStack,
    Counts,
    EnvironmentWorkspace,
    Operation,
    PendingOperation,
    StackRunOptions,
    StackRunReport,
} from "../../scripts/env-runner";
import { StackPlan, manifestsOf } from "../../plan/plan";
import { setUpDevServices } from "../../plan/engine/dev-standins";
import { Backend, projectCopy } from "../../plan/engine/engine";
import { getObject, kubectl } from "../../plan/engine/kube";
import { ROOT } from "../../plan/stack-config";
import { recordTiming } from "./helpers/timings";

const SERVICES = ["dev-backend", "dev-frontend", "dev-payment"];

/** The real workspace, recording when each stack started and ended and what it reported. */
class Recording implements EnvironmentWorkspace {
    readonly events: string[] = [];
    readonly reports = new Map<string, StackRunReport>();

    constructor(private readonly inner: EnvironmentWorkspace) {}

    async run(stack: string, operation: Operation, options: StackRunOptions): Promise<StackRunReport> {
        this.events.push(`start ${stack}`);
        try {
            const report = await this.inner.run(stack, operation, options);
            this.reports.set(stack, report);
            return report;
        } finally {
            this.events.push(`end ${stack}`);
        }
    }

    listStacks(): Promise<BackendStack[]> {
        return this.inner.listStacks();
    }

    outputs(stack: string): Promise<Record<string, unknown> | undefined> {
        return this.inner.outputs(stack);
    }

    pendingOperations(stack: string): Promise<PendingOperation[]> {
        return this.inner.pendingOperations(stack);
    }

    protectedResources(stack: string): Promise<string[]> {
        return this.inner.protectedResources(stack);
    }
}

/** The counts the engine printed at the end of a stack's output (`+ 45 created`, `45 unchanged`). */
function printedCounts(lines: readonly string[], stack: string): Partial<Record<keyof Counts, number>> {
    const words: Record<string, keyof Counts> = {
        created: "created",
        updated: "updated",
        replaced: "replaced",
        deleted: "deleted",
        unchanged: "unchanged",
    };
    const counts: Partial<Record<keyof Counts, number>> = {};
    const prefix = new RegExp(
        `^\\[${stack}\\s*\\]\\s+[-+~]*\\s*([0-9]+) (created|updated|replaced|deleted|unchanged)$`,
    );
    for (const line of lines) {
        const m = prefix.exec(line);
        if (m) {
            counts[words[m[2]]] = Number(m[1]);
        }
    }
    return counts;
}

/** A run of `npm run env` as a process of its own (its own process group, as a terminal's foreground job). */
interface EnvProcess {
    /** Resolves when its output matches `pattern`; rejects when it exits first. */
    waitFor(pattern: RegExp): Promise<void>;
    /** Sends `signal` to the command alone (as a CI runner or `kill` does), or to its whole group (a terminal's Ctrl-C). */
    signal(signal: NodeJS.Signals, to: "process" | "group"): void;
    /** Its exit code and everything it printed, once it has exited. */
    readonly exited: Promise<{ code: number; output: string }>;
}

/** Starts `npm run env -- ARGV` (scripts/env.ts under ts-node) with `env`, in a process group of its own. */
function spawnEnv(argv: readonly string[], env: NodeJS.ProcessEnv): EnvProcess {
    const child = spawn(
        path.join(ROOT, "node_modules", ".bin", "ts-node"),
        ["--transpile-only", path.join(ROOT, "scripts", "env.ts"), ...argv],
        { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const watchers: { pattern: RegExp; resolve: () => void }[] = [];
    const onData = (d: Buffer) => {
        output += d.toString();
        for (const w of watchers.filter((w) => w.pattern.test(output))) {
            watchers.splice(watchers.indexOf(w), 1);
            w.resolve();
        }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const exited = new Promise<{ code: number; output: string }>((resolve) =>
        child.on("close", (code) => resolve({ code: code ?? -1, output })),
    );
    return {
        waitFor: (pattern) =>
            new Promise<void>((resolve, reject) => {
                if (pattern.test(output)) {
                    resolve();
                    return;
                }
                watchers.push({ pattern, resolve });
                void exited.then(({ code }) => reject(new Error(`env exited ${code} before ${pattern}:\n${output}`)));
            }),
        signal: (signal, to) => process.kill(to === "group" ? -child.pid! : child.pid!, signal),
        exited,
    };
}

/** The `npm run env -- ...` commands a cancelled run's summary gives for `stack`, in order, as argument lists. */
function recoveryCommands(output: string, stack: string): string[][] {
    const note = output.split("\n").find((l) => l.startsWith(`${stack}: `) && / interrupted | stopped cleanly/.test(l));
    assert.ok(note, `no recovery note for ${stack}:\n${output}`);
    return [...note.matchAll(/`npm run env -- ([^`]+)`/g)].map((m) => m[1].split(" "));
}

/** Counts without the zero ones, as the engine prints them. */
function nonZero(c: Counts): Partial<Record<keyof Counts, number>> {
    return Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0));
}

describe("npm run env -- up, then destroy, of dev's service stacks under the real engine (dev and dev-common are stand-in stacks)", function () {
    this.timeout(20 * 60 * 1000);
    const backend = new Backend("env");
    let plans: StackPlan[];
    let project: string;
    let unregister: () => void = () => undefined;

    /** Runs `npm run env -- ARGV` against the suite's backend and project copy. */
    async function env(
        argv: string[],
    ): Promise<{ code: number; lines: string[]; workspace: Recording; seconds: number }> {
        const workspace = new Recording(new AutomationWorkspace(project, argv.includes("--create"), backend.vars()));
        const lines: string[] = [];
        const started = Date.now();
        const code = await main(argv, {
            workspace,
            dir: project,
            print: (l) => lines.push(...l.split("\n")),
            canAsk: false,
        });
        // The summary table in the suite's output, for the record (the engine's output only on a failure).
        console.log(
            `      npm run env -- ${argv.map((a) => a.replace(project, "<project>")).join(" ")}: exit ${code}\n${lines
                .slice(lines.findIndex((l) => l.startsWith("stack ")))
                .map((l) => `        ${l}`)
                .join("\n")}`,
        );
        return { code, lines, workspace, seconds: (Date.now() - started) / 1000 };
    }

    /** `npm run env -- ARGV` in this process, expecting a refusal before anything runs: its exit code and message. */
    async function refusedByEnv(argv: string[]): Promise<{ code: number; message?: string }> {
        let err: unknown;
        await env(argv).catch((e: unknown) => (err = e));
        assert.ok(err !== undefined, `npm run env -- ${argv.join(" ")} was not refused`);
        return failure(err);
    }

    /** The environment of a separate `npm run env` process: the suite's backend and CLI. */
    const processEnv = () => ({ ...backend.env });

    const objectsOf = (stack: string) =>
        manifestsOf(plans.find((p) => p.config.stack === stack)!.evaluation.resources).map(
            (m: Record<string, any>) => ({
                apiVersion: m.apiVersion,
                kind: m.kind,
                namespace: m.metadata.namespace,
                name: m.metadata.name,
            }),
        );

    before(async () => {
        ({ plans, unregister } = await setUpDevServices(backend));
        project = projectCopy("env");
    });

    after(() => unregister());

    const args = SERVICES.flatMap((s) => ["--stack", s]);

    it("up: the service stacks run at once, each creates its objects, and the summary's counts are the engine's", async () => {
        const r = await env([
            "up",
            "--env",
            "dev",
            ...args,
            "--policy-pack",
            path.join(project, "policy"),
            "--yes",
            "--create",
        ]);
        recordTiming("env dev services", "env up", r.seconds);
        const output = r.lines.join("\n");
        assert.strictEqual(r.code, EXIT.ok, output);
        // One layer, run at once: every stack started before the first one ended.
        assert.deepStrictEqual(
            r.workspace.events.slice(0, 3).sort(),
            SERVICES.map((s) => `start ${s}`),
            output,
        );
        for (const stack of SERVICES) {
            const report = r.workspace.reports.get(stack)!;
            const objects = objectsOf(stack);
            assert.ok(report.counts.created > objects.length, `${stack}: ${JSON.stringify(report.counts)}`);
            assert.deepStrictEqual(
                nonZero(report.counts),
                printedCounts(r.lines, stack),
                `${stack}: the summary's counts are not the engine's\n${output}`,
            );
            assert.match(
                output,
                new RegExp(`^${stack} +up +${report.counts.created} +0 +0 +0 +0 +[0-9.]+ s +succeeded$`, "m"),
            );
            for (const o of objects) {
                assert.ok(getObject(o), `${stack}: ${o.kind} ${o.namespace ?? ""}/${o.name} is not on the API server`);
            }
        }
    });

    it("preview --expect-no-changes right after: no drift, every count unchanged", async () => {
        const r = await env(["preview", "--env", "dev", ...args, "--expect-no-changes"]);
        recordTiming("env dev services", "env preview --expect-no-changes", r.seconds);
        assert.strictEqual(r.code, EXIT.ok, r.lines.join("\n"));
        for (const stack of SERVICES) {
            const c = r.workspace.reports.get(stack)!.counts;
            assert.deepStrictEqual(
                { ...c, unchanged: 0 },
                { created: 0, updated: 0, replaced: 0, deleted: 0, unchanged: 0 },
                stack,
            );
        }
    });

    it("destroy is refused under a later layer that still has resources in the backend (counted there), and the environment's destroy takes its name", async () => {
        const started = Date.now();
        const stateCount = async (stack: string) =>
            (
                JSON.parse((await backend.ok(project, ["stack", "export", "--stack", stack])).stdout) as {
                    deployment: { resources: unknown[] };
                }
            ).deployment.resources.length;
        const listed = await Promise.all(SERVICES.map(async (s) => `${s} (${await stateCount(s)} resources)`));
        assert.deepStrictEqual(await refusedByEnv(["destroy", "--env", "dev", "--stack", "dev-common", "--yes"]), {
            code: EXIT.badInput,
            message: `env: destroy refused, nothing ran: dev-common would go while stacks of a later layer of environment dev still have resources in the backend: ${listed.join(", ")}. Destroy them first (services, then common, then global: npm run env -- destroy --env dev --stack <stack>), or the whole environment in one run`,
        });
        assert.deepStrictEqual(await refusedByEnv(["destroy", "--env", "dev", "--yes"]), {
            code: EXIT.badInput,
            message:
                "env: destroying environment dev (its global stack dev) needs its name: pass --yes-destroy dev to run it without a terminal (--yes is not enough)",
        });
        // The teardown of an environment whose global stack's file does not say production: false.
        const file = path.join(project, "Pulumi.dev.yaml");
        const text = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, text.replace(/^ *platform:production: false\n/m, ""));
        try {
            const teardown = await refusedByEnv([
                "destroy",
                "--env",
                "dev",
                "--stack",
                "dev-payment",
                "--unprotect",
                "--yes",
            ]);
            assert.strictEqual(teardown.code, EXIT.badInput);
            assert.match(teardown.message!, /^env: --unprotect refused, nothing ran: environment dev is production/);
        } finally {
            fs.writeFileSync(file, text);
        }
        recordTiming("env dev services", "env destroy refusals", (Date.now() - started) / 1000);
    });

    it("drift: an object deleted by hand on the API server fails preview --expect-no-changes, naming it; refresh and up put it back", async () => {
        const started = Date.now();
        const policy = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            namespace: "backend",
            name: "default-deny-ingress",
        };
        assert.ok(getObject(policy), "the default-deny policy is there before the test");
        assert.strictEqual(kubectl(["delete", "networkpolicy", policy.name, "-n", policy.namespace]).code, 0);
        const drift = await env(["preview", "--env", "dev", "--stack", "dev-backend", "--expect-no-changes"]);
        assert.strictEqual(drift.code, EXIT.failed, drift.lines.join("\n"));
        assert.ok(
            drift.lines.includes(
                "dev-backend: changes: changes found, none expected (--expect-no-changes): create kubernetes:networking.k8s.io/v1:NetworkPolicy backend-default-deny-ingress",
            ),
            drift.lines.join("\n"),
        );
        for (const step of [
            ["refresh", "--env", "dev", "--stack", "dev-backend", "--yes"],
            ["up", "--env", "dev", "--stack", "dev-backend", "--yes"],
        ]) {
            const r = await env(step);
            assert.strictEqual(r.code, EXIT.ok, r.lines.join("\n"));
        }
        assert.ok(getObject(policy), "up did not put the default-deny policy back");
        recordTiming("env dev services", "env drift seen and repaired", (Date.now() - started) / 1000);
    });

    it("an orphan: a stack whose file is gone is reported with its resources, and fails the drift check", async () => {
        const started = Date.now();
        const file = path.join(project, "Pulumi.dev-payment.yaml");
        const aside = `${file}.aside`;
        fs.renameSync(file, aside);
        try {
            const r = await env(["preview", "--env", "dev", "--stack", "dev-backend", "--expect-no-changes"]);
            assert.strictEqual(r.code, EXIT.failed, r.lines.join("\n"));
            assert.ok(
                r.lines.some((l) =>
                    /^dev-payment: orphan: in the backend with [1-9][0-9]* resources but no Pulumi\.dev-payment\.yaml; restore the file \(git history\) and destroy it/.test(
                        l,
                    ),
                ),
                r.lines.join("\n"),
            );
        } finally {
            fs.renameSync(aside, file);
        }
        recordTiming("env dev services", "env orphan reported", (Date.now() - started) / 1000);
    });

    it("destroy: every object is gone, and the summary's counts are the engine's", async () => {
        const r = await env(["destroy", "--env", "dev", ...args, "--yes"]);
        recordTiming("env dev services", "env destroy", r.seconds);
        const output = r.lines.join("\n");
        assert.strictEqual(r.code, EXIT.ok, output);
        for (const stack of SERVICES) {
            const report = r.workspace.reports.get(stack)!;
            assert.deepStrictEqual(
                nonZero(report.counts),
                printedCounts(r.lines, stack),
                `${stack}: the summary's counts are not the engine's\n${output}`,
            );
            assert.ok(report.counts.deleted > objectsOf(stack).length, `${stack}: ${JSON.stringify(report.counts)}`);
            assert.deepStrictEqual(
                objectsOf(stack).filter((o) => getObject(o) !== undefined),
                [],
                stack,
            );
        }
    });

    /** Runs the recovery a cancelled run's summary gives for `stack` (each command once, in order); each must succeed. */
    async function recover(output: string, stack: string): Promise<void> {
        const seen = new Set<string>();
        for (const command of recoveryCommands(output, stack)) {
            if (seen.has(command.join(" "))) {
                continue;
            }
            seen.add(command.join(" "));
            const r = await env(command);
            assert.strictEqual(r.code, EXIT.ok, `${command.join(" ")}\n${r.lines.join("\n")}`);
        }
    }

    /**
     * Runs `npm run env -- ARGV` as a process of its own, sends it `signal` (to it alone, or to its
     * group as a terminal's Ctrl-C does) once its output matches `when`, and checks the clean
     * cancel: exit 130, the stack reported cancelled, and the CLI told to cancel exactly once (one
     * "^C received; cancelling", never "terminating": a second SIGINT would have stopped it at once).
     * Resolves with its output.
     */
    async function interrupted(
        argv: string[],
        when: RegExp,
        signal: "SIGINT" | "SIGTERM",
        to: "process" | "group",
    ): Promise<string> {
        const run = spawnEnv([...argv, "--cwd", project], processEnv());
        await run.waitFor(when);
        run.signal(signal, to);
        const { code, output } = await run.exited;
        const summary = output.split("\n").filter((l) => !l.startsWith("["));
        console.log(`      interrupted ${argv[0]}: exit ${code}\n${summary.map((l) => `        ${l}`).join("\n")}`);
        assert.strictEqual(code, EXIT.cancelled, output);
        assert.match(output, new RegExp(`^${signal} received: cancelling; no further stack starts`, "m"));
        assert.match(output, new RegExp(`^dev-backend +${argv[0]} +.* cancelled$`, "m"), output);
        assert.strictEqual((output.match(/\^C received; cancelling/g) ?? []).length, 1, output);
        assert.doesNotMatch(output, /received; terminating/);
        return output;
    }

    it("up interrupted by SIGTERM to the command alone (a cancelled CI job): the CLI gets one SIGINT and stops cleanly, the summary says how to recover, and that ends in a clean up", async () => {
        const started = Date.now();
        // Nothing signals the CLI but the command, which passes it one SIGINT.
        const output = await interrupted(
            ["up", "--env", "dev", "--stack", "dev-backend", "--yes"],
            /creating \(/,
            "SIGTERM",
            "process",
        );
        await recover(output, "dev-backend");
        const clean = await env(["preview", "--env", "dev", "--stack", "dev-backend", "--expect-no-changes"]);
        assert.strictEqual(clean.code, EXIT.ok, clean.lines.join("\n"));
        for (const o of objectsOf("dev-backend")) {
            assert.ok(
                getObject(o),
                `${o.kind} ${o.namespace ?? ""}/${o.name} is not on the API server after the recovery`,
            );
        }
        recordTiming("env dev services", "env up interrupted (SIGTERM) and recovered", (Date.now() - started) / 1000);
    });

    it("destroy interrupted by Ctrl-C (SIGINT to the whole process group, as a terminal sends it): the CLI's own cancel, no second signal, then the recovery finishes it", async () => {
        const started = Date.now();
        // The CLI gets the terminal's SIGINT itself; the command sees it say so and sends none.
        const output = await interrupted(
            ["destroy", "--env", "dev", "--stack", "dev-backend", "--yes"],
            /deleting \(/,
            "SIGINT",
            "group",
        );
        await recover(output, "dev-backend");
        assert.deepStrictEqual(
            objectsOf("dev-backend").filter((o) => getObject(o) !== undefined),
            [],
        );
        recordTiming(
            "env dev services",
            "env destroy interrupted (Ctrl-C) and recovered",
            (Date.now() - started) / 1000,
        );
    });
});
