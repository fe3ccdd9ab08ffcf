// Runs one operation over the stacks of an environment, layer by layer (the order of
// layers/layering.ts), the stacks of a layer at once up to a bound, and summarizes what each did.
// The engine is behind an interface (EnvironmentWorkspace) so tests drive it with a fake; the
// real one (Pulumi's Automation API) is in scripts/env.ts.
import { Layer, layeredStacks } from "../layers/layering";

/** What `npm run env` can do to an environment. */
export const OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Resources by what the operation did (or, for a preview, would do) to them. */
export interface Counts {
    readonly created: number;
    readonly updated: number;
    readonly replaced: number;
    readonly deleted: number;
    readonly unchanged: number;
}

/** One resource a preview would change (for the Markdown summary). */
export interface Change {
    /** The engine's operation: create, update, replace, delete, ... */
    readonly op: string;
    readonly type: string;
    readonly name: string;
}

/** What a workspace reports after running an operation on one stack. */
export interface StackRunReport {
    readonly counts: Counts;
    /** The resources the operation changes, in the engine's order (create, update, replace, delete). */
    readonly changes: readonly Change[];
}

export interface StackRunOptions {
    /** The policy packs to run (folders), as `pulumi preview --policy-pack`. */
    readonly policyPacks: readonly string[];
    /** Receives the engine's output as it comes, in chunks. */
    readonly onOutput: (text: string) => void;
    /** preview: refresh the state from the providers first, so changes made by hand are seen (a drift check). */
    readonly refresh?: boolean;
    /** destroy: lift `protect` from every resource of the stack first (the teardown of a review environment). */
    readonly unprotect?: boolean;
    /** refresh: drop the operations an interrupted run left pending (`pulumi refresh --clear-pending-creates`). */
    readonly clearPendingCreates?: boolean;
    /** Aborted when the run is cancelled (SIGINT, SIGTERM): the operation is to stop cleanly and report. */
    readonly cancel?: AbortSignal;
}

/** A stack of the project as the backend lists it. */
export interface BackendStack {
    /** The stack's name (without organization or project). */
    readonly name: string;
    /** How many resources its state holds (0 for a stack never deployed or destroyed). */
    readonly resourceCount: number;
}

/** An operation an interrupted run left pending in a stack's state. */
export interface PendingOperation {
    /** The engine's kind: creating, updating, deleting, reading, ... */
    readonly type: string;
    readonly urn: string;
}

/** A stack's operation failed: why, and what the engine did before it stopped (when it says). */
export class StackRunFailure extends Error {
    constructor(
        message: string,
        readonly counts?: Counts,
    ) {
        super(message);
        this.name = "StackRunFailure";
    }
}

/**
 * The engine, as the runner sees it: runs one operation on one stack and reports what it did;
 * rejects when the operation failed, preferably with a StackRunFailure.
 */
export interface EnvironmentWorkspace {
    run(stack: string, operation: Operation, options: StackRunOptions): Promise<StackRunReport>;
    /** The project's stacks in the backend. */
    listStacks(): Promise<BackendStack[]>;
    /** A stack's outputs as deployed (secret values masked); undefined when the backend has no such stack. */
    outputs(stack: string): Promise<Record<string, unknown> | undefined>;
    /** The operations an interrupted run left pending in a stack's state. */
    pendingOperations(stack: string): Promise<PendingOperation[]>;
    /** The URNs of a stack's protected resources, as its state says (none for a stack not in the backend). */
    protectedResources(stack: string): Promise<string[]>;
}

/** What happened to one stack. */
export type StackResult = "succeeded" | "failed" | "changes" | "cancelled" | "not run";

export interface StackOutcome {
    readonly stack: string;
    readonly layer: Layer;
    readonly operation: Operation;
    readonly result: StackResult;
    readonly counts?: Counts;
    readonly changes?: readonly Change[];
    readonly seconds?: number;
    /** Why it failed or did not run. */
    readonly reason?: string;
}

export interface EnvironmentRun {
    readonly operation: Operation;
    /** The stacks to run, any order: they run by layer (reversed for destroy). */
    readonly stacks: readonly string[];
    /** How many stacks of one layer may run at once (1 or more). */
    readonly parallel: number;
    readonly policyPacks: readonly string[];
    /** A preview that would change anything fails its stack (a drift check); the preview refreshes first. */
    readonly expectNoChanges: boolean;
    /** destroy: lift `protect` from each stack's resources before destroying it (the teardown). */
    readonly unprotect?: boolean;
    /** refresh: drop the operations an interrupted run left pending. */
    readonly clearPendingCreates?: boolean;
    /** Aborted to cancel the run: no further stack starts, the running ones stop cleanly. */
    readonly cancel?: AbortSignal;
}

/** Runs `task` over `items` with at most `limit` at once; results in the order of `items`. */
async function pooled<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const i = next++;
            results[i] = await task(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** Whether counts show a change (anything created, updated, replaced or deleted). */
export function hasChanges(counts: Counts): boolean {
    return counts.created + counts.updated + counts.replaced + counts.deleted > 0;
}

/**
 * Prefixes every line of a stack's output with its name, so stacks that run at once stay
 * readable; a line is printed once it is complete (and the rest at `flush`).
 */
export class PrefixedLines {
    private buffer = "";

    constructor(
        private readonly prefix: string,
        private readonly print: (line: string) => void,
    ) {}

    write(text: string): void {
        const lines = (this.buffer + text).split(/\r?\n/);
        this.buffer = lines.pop() ?? "";
        for (const line of lines) {
            this.print(`${this.prefix}${line}`);
        }
    }

    flush(): void {
        if (this.buffer !== "") {
            this.print(`${this.prefix}${this.buffer}`);
            this.buffer = "";
        }
    }
}

/** The resources a drift check found changed, for its reason: the first few, by operation, type and name. */
export function changesText(changes: readonly Change[], most = 5): string {
    const shown = changes.slice(0, most).map((c) => `${c.op} ${c.type} ${c.name}`);
    const more = changes.length > most ? [`and ${changes.length - most} more`] : [];
    return [...shown, ...more].join("; ");
}

/** Why a cancelled run did not start a stack. */
function cancelledText(cancel: AbortSignal): string {
    return `not run: the run was cancelled (${String(cancel.reason ?? "cancelled")})`;
}

/**
 * Runs an operation over stacks layer by layer: global, common, then the services (reversed for
 * destroy), the stacks of a layer at once (at most `parallel`). Every stack of a layer runs to
 * its end; when one of them failed, the later layers do not run and their stacks are reported
 * as not run, naming the failed ones. Once `run.cancel` is aborted no further stack starts (each
 * is reported as not run), and a stack whose operation ends with an error after it is reported as
 * cancelled. Prints each stack's output line by line, prefixed with its name, through `print`.
 */
export async function runEnvironment(
    run: EnvironmentRun,
    workspace: EnvironmentWorkspace,
    print: (line: string) => void,
): Promise<StackOutcome[]> {
    const groups = layeredStacks(run.stacks);
    if (run.operation === "destroy") {
        groups.reverse();
    }
    const width = Math.max(...run.stacks.map((s) => s.length));
    const outcomes: StackOutcome[] = [];
    let failed: string[] = [];
    for (const group of groups) {
        if (failed.length > 0 || run.cancel?.aborted) {
            const reason = run.cancel?.aborted
                ? cancelledText(run.cancel)
                : `not run: ${failed.join(", ")} failed in an earlier layer`;
            outcomes.push(
                ...group.stacks.map((stack): StackOutcome => ({
                    stack,
                    layer: group.layer,
                    operation: run.operation,
                    result: "not run",
                    reason,
                })),
            );
            continue;
        }
        const results = await pooled(group.stacks, run.parallel, async (stack): Promise<StackOutcome> => {
            const base = { stack, layer: group.layer, operation: run.operation };
            if (run.cancel?.aborted) {
                return { ...base, result: "not run", reason: cancelledText(run.cancel) };
            }
            const lines = new PrefixedLines(`[${stack.padEnd(width)}] `, print);
            const started = Date.now();
            try {
                const report = await workspace.run(stack, run.operation, {
                    policyPacks: run.policyPacks,
                    onOutput: (t) => lines.write(t),
                    refresh: run.operation === "preview" && run.expectNoChanges,
                    unprotect: run.operation === "destroy" && run.unprotect === true,
                    clearPendingCreates: run.operation === "refresh" && run.clearPendingCreates === true,
                    cancel: run.cancel,
                });
                lines.flush();
                const seconds = (Date.now() - started) / 1000;
                const drift = run.operation === "preview" && run.expectNoChanges && hasChanges(report.counts);
                const found = report.changes.length > 0 ? `: ${changesText(report.changes)}` : "";
                return {
                    ...base,
                    result: drift ? "changes" : "succeeded",
                    counts: report.counts,
                    changes: report.changes,
                    seconds,
                    reason: drift ? `changes found, none expected (--expect-no-changes)${found}` : undefined,
                };
            } catch (err) {
                lines.flush();
                const counts = err instanceof StackRunFailure ? err.counts : undefined;
                const why = err instanceof Error ? err.message : String(err);
                return {
                    ...base,
                    result: run.cancel?.aborted ? "cancelled" : "failed",
                    counts,
                    seconds: (Date.now() - started) / 1000,
                    reason: run.cancel?.aborted ? `cancelled (${String(run.cancel.reason)}): ${why}` : why,
                };
            }
        });
        outcomes.push(...results);
        failed = results.filter((r) => r.result === "failed").map((r) => r.stack);
    }
    return outcomes;
}

/** Whether every stack succeeded (the command exits 0 only then). */
export function allSucceeded(outcomes: readonly StackOutcome[]): boolean {
    return outcomes.every((o) => o.result === "succeeded");
}

const COLUMNS = [
    "stack",
    "operation",
    "created",
    "updated",
    "replaced",
    "deleted",
    "unchanged",
    "duration",
    "result",
] as const;

/** A row of the summary: the cells of COLUMNS. */
function cells(o: StackOutcome): string[] {
    const n = (k: keyof Counts) => (o.counts ? String(o.counts[k]) : "-");
    const duration = o.seconds === undefined ? "-" : `${o.seconds.toFixed(1)} s`;
    return [
        o.stack,
        o.operation,
        n("created"),
        n("updated"),
        n("replaced"),
        n("deleted"),
        n("unchanged"),
        duration,
        o.result,
    ];
}

/**
 * The headline of a reason, for the summary: its first line, and the next one when the first only
 * announces it (ends in ":", as the engine's "Running program ... failed with an unhandled exception:").
 */
export function firstLine(text: string): string {
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
    return lines.length > 1 && lines[0].endsWith(":") ? `${lines[0]} ${lines[1]}` : (lines[0] ?? "");
}

/**
 * The summary table printed at the end: one row per stack in the order they ran (or would have),
 * then the reason of each stack that failed, found changes or did not run, then `notes` (what the
 * command found about the environment besides, e.g. orphan stacks, or how to recover).
 */
export function summaryTable(outcomes: readonly StackOutcome[], notes: readonly string[] = []): string {
    const rows = [[...COLUMNS], ...outcomes.map(cells)];
    const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const numeric = (i: number) => i >= 2 && i <= 7;
    const text = rows.map((r) =>
        r
            .map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd(),
    );
    const reasons = outcomes.flatMap((o) =>
        o.reason ? [`${o.stack}: ${o.result === "not run" ? "" : `${o.result}: `}${firstLine(o.reason)}`] : [],
    );
    return [...text, ...(reasons.length > 0 ? ["", ...reasons] : []), ...(notes.length > 0 ? ["", ...notes] : [])].join(
        "\n",
    );
}

/** Escapes what would break a Markdown table cell. */
function md(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/`/g, "'");
}

/**
 * A Markdown summary of an operation (for a pull-request comment): the table, the reason of
 * each stack that did not succeed, `notes` (as in summaryTable), and for each stack with changes
 * the resources it changes.
 */
export function summaryMarkdown(env: string, outcomes: readonly StackOutcome[], notes: readonly string[] = []): string {
    const operation = outcomes[0]?.operation ?? "preview";
    const lines = [
        `### \`${operation}\` of environment \`${env}\`: ${allSucceeded(outcomes) ? "every stack succeeded" : "not every stack succeeded"}`,
        "",
        `| ${COLUMNS.join(" | ")} |`,
        `|${COLUMNS.map((_, i) => (i >= 2 && i <= 7 ? "---:" : "---")).join("|")}|`,
        ...outcomes.map(
            (o) =>
                `| ${cells(o)
                    .map((c, i) => (i === 0 ? `\`${c}\`` : md(c)))
                    .join(" | ")} |`,
        ),
    ];
    const reasons = outcomes.flatMap((o) => (o.reason ? [`- \`${o.stack}\`: ${md(firstLine(o.reason))}`] : []));
    if (reasons.length > 0) {
        lines.push("", ...reasons);
    }
    if (notes.length > 0) {
        lines.push("", ...notes.map((n) => `- ${md(n)}`));
    }
    for (const o of outcomes) {
        const changes = o.changes ?? [];
        if (changes.length === 0) {
            continue;
        }
        lines.push(
            "",
            `<details><summary><code>${o.stack}</code>: ${changes.length} change${changes.length === 1 ? "" : "s"}</summary>`,
            "",
        );
        lines.push(...changes.map((c) => `- ${c.op} \`${c.type}\` \`${c.name}\``));
        lines.push("", "</details>");
    }
    return `${lines.join("\n")}\n`;
}
