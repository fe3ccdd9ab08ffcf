// `npm run env -- up` then `destroy` under the real engine (Automation API, file backend), over
// dev's service stacks on the suite's API server. dev and dev-common cannot run here (no aws or
// eks provider plugin): they are STAND-IN STACKS (test/integration/programs/standin) exporting
// what the offline plan computes, dev-common's kubeconfig pointing at the suite's cluster; every
// resource of a service stack is created by the real kubernetes provider, none is stubbed.
import * as assert from "assert";
import * as path from "path";
import { AutomationWorkspace, EXIT, main } from "../../scripts/env";
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
import { getObject } from "../../plan/engine/kube";
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
        const vars = Object.fromEntries(
            Object.entries(backend.env).filter((e): e is [string, string] => e[1] !== undefined),
        );
        const workspace = new Recording(new AutomationWorkspace(project, argv.includes("--create"), vars));
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
});
