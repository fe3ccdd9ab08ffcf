// The real engine of `npm run env`: Pulumi's Automation API over a project folder (LocalWorkspace),
// as the EnvironmentWorkspace the runner drives (scripts/env-runner.ts): one operation on one stack
// (up previews with the policy packs first, when there are any; a cancel reaches the CLI as one
// SIGINT), and what the backend says (its stacks, a stack's outputs, protected resources and
// pending operations).
import { stripVTControlCharacters } from "util";
import { EngineEvent, LocalWorkspace, OpMap, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import {
    BackendStack,
    Change,
    Counts,
    EnvironmentWorkspace,
    Operation,
    PendingOperation,
    StackRunOptions,
    StackRunFailure,
    StackRunReport,
} from "./env-runner";

/** The engine's counts as the summary's columns. */
export function countsOf(ops: OpMap | undefined): Counts {
    const n = (k: keyof OpMap) => ops?.[k] ?? 0;
    return {
        created: n("create"),
        updated: n("update"),
        replaced: n("replace"),
        deleted: n("delete"),
        unchanged: n("same"),
    };
}

/** Text without terminal colour codes (a program's exception is printed with them) and without trailing space. */
function plain(text: string): string {
    return stripVTControlCharacters(text).trimEnd();
}

/** The operations of a resource the Markdown summary lists (a replacement's two steps are one `replace`). */
const LISTED_OPS = new Set(["create", "update", "replace", "delete", "import"]);

/**
 * What the CLI prints when it got SIGINT or SIGTERM itself and started to cancel (Ctrl-C on a
 * terminal reaches every process of the foreground group, pulumi included).
 */
const CLI_CANCELLING = /(\^C|SIGTERM) received; cancelling/;

/** The engine's events of one operation: the resources it changes, its errors, its counts so far. */
class EventLog {
    readonly changes: Change[] = [];
    readonly errors: string[] = [];
    summary: OpMap | undefined;

    readonly onEvent = (event: EngineEvent): void => {
        const step = event.resourcePreEvent?.metadata;
        if (step && LISTED_OPS.has(step.op)) {
            this.changes.push({ op: step.op, type: step.type, name: step.urn.split("::").pop() ?? step.urn });
        }
        const policy = event.policyEvent;
        if (policy?.enforcementLevel === "mandatory") {
            this.errors.push(`policy ${policy.policyPackName}/${policy.policyName}: ${plain(policy.message)}`);
        }
        if (event.diagnosticEvent?.severity === "error") {
            this.errors.push(plain(event.diagnosticEvent.message));
        }
        this.summary = event.summaryEvent?.resourceChanges ?? this.summary;
    };

    /** The failure of the operation: the engine's error events, else the Automation API's error. */
    failure(err: unknown): StackRunFailure {
        // The Automation API's error holds the CLI's whole output; the engine's error events say why.
        const why = this.errors.length > 0 ? this.errors.join("\n") : err instanceof Error ? err.message : String(err);
        return new StackRunFailure(why, this.summary ? countsOf(this.summary) : undefined);
    }
}

/** The parts of an exported stack state (`pulumi stack export`, version 3) the command reads. */
interface StateDeployment {
    resources?: { urn: string; protect?: boolean }[];
    pending_operations?: { type: string; resource: { urn: string } }[];
}

/** The real engine: Pulumi's Automation API over a project folder (LocalWorkspace), as the CLI would run. */
export class AutomationWorkspace implements EnvironmentWorkspace {
    constructor(
        private readonly workDir: string,
        /** Whether preview and up create a stack missing from the backend (--create). */
        private readonly create = false,
        /** Extra environment variables for every command (the CLI's own environment is inherited). */
        private readonly envVars: Record<string, string> = {},
        /**
         * How long a cancelled operation's CLI has to say it got the signal itself (Ctrl-C on a
         * terminal) before it is sent one SIGINT: a second one would make it stop at once,
         * leaving operations pending.
         */
        private readonly cancelGraceMs = 3000,
    ) {}

    /** The stack to run `operation` on: created with --create, else undefined for a destroy of a stack never deployed. */
    private async stack(name: string, operation: Operation): Promise<Stack | undefined> {
        if (this.create && (operation === "preview" || operation === "up")) {
            return LocalWorkspace.createOrSelectStack(
                { stackName: name, workDir: this.workDir },
                { envVars: this.envVars },
            );
        }
        const stack = await this.existing(name);
        if (stack === undefined && operation !== "destroy") {
            throw new StackRunFailure(
                `stack ${name} does not exist in the backend: create it with "pulumi stack init ${name}" (with --secrets-provider if you use one), or pass --create`,
            );
        }
        return stack;
    }

    /** The stack if the backend has it. */
    private async existing(name: string): Promise<Stack | undefined> {
        try {
            return await LocalWorkspace.selectStack(
                { stackName: name, workDir: this.workDir },
                { envVars: this.envVars },
            );
        } catch (err) {
            if (err instanceof StackNotFoundError) {
                return undefined;
            }
            throw err;
        }
    }

    async listStacks(): Promise<BackendStack[]> {
        const workspace = await LocalWorkspace.create({ workDir: this.workDir, envVars: this.envVars });
        return (await workspace.listStacks()).map((s) => ({
            // A file or S3 backend may list organization/project/stack.
            name: s.name.split("/").pop() ?? s.name,
            resourceCount: s.resourceCount ?? 0,
        }));
    }

    async outputs(name: string): Promise<Record<string, unknown> | undefined> {
        const stack = await this.existing(name);
        if (stack === undefined) {
            return undefined;
        }
        const outputs = await stack.outputs();
        return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
    }

    /** What the stack's state says: its resources and its pending operations (none for a stack not in the backend). */
    private async state(name: string): Promise<StateDeployment> {
        const stack = await this.existing(name);
        return stack === undefined ? {} : (((await stack.exportStack()).deployment ?? {}) as StateDeployment);
    }

    async pendingOperations(name: string): Promise<PendingOperation[]> {
        const pending = (await this.state(name)).pending_operations ?? [];
        return pending.map((p) => ({ type: p.type, urn: p.resource.urn }));
    }

    async protectedResources(name: string): Promise<string[]> {
        const resources = (await this.state(name)).resources ?? [];
        return resources.filter((r) => r.protect === true).map((r) => r.urn);
    }

    /** Lifts `protect` from every resource of the stack's state (what `pulumi state unprotect --all` does); returns how many. */
    private async unprotect(stack: Stack): Promise<number> {
        const exported = await stack.exportStack();
        const protectedOnes = (((exported.deployment ?? {}) as StateDeployment).resources ?? []).filter(
            (r) => r.protect === true,
        );
        if (protectedOnes.length > 0) {
            for (const r of protectedOnes) {
                r.protect = false;
            }
            await stack.importStack(exported);
        }
        return protectedOnes.length;
    }

    async run(name: string, operation: Operation, options: StackRunOptions): Promise<StackRunReport> {
        const stack = await this.stack(name, operation);
        if (stack === undefined) {
            options.onOutput(`no stack ${name} in the backend: nothing to destroy\n`);
            return { counts: countsOf({}), changes: [] };
        }
        if (operation === "destroy" && options.unprotect) {
            const n = await this.unprotect(stack);
            options.onOutput(`unprotected ${n} resource${n === 1 ? "" : "s"} of ${name} (--unprotect)\n`);
        }
        // Cancellation: the CLI gets one SIGINT (through the Automation API's abort signal) unless
        // it says within the grace period that it got one already.
        const forward = new AbortController();
        let tail = "";
        const onOutput = (text: string) => {
            tail = (tail + text).slice(-400);
            options.onOutput(text);
        };
        let timer: NodeJS.Timeout | undefined;
        const onCancel = () => {
            timer = setTimeout(() => {
                if (!CLI_CANCELLING.test(tail)) {
                    forward.abort(options.cancel?.reason);
                }
            }, this.cancelGraceMs);
        };
        options.cancel?.addEventListener("abort", onCancel, { once: true });
        try {
            return await this.operate(stack, operation, { ...options, onOutput }, forward.signal);
        } finally {
            options.cancel?.removeEventListener("abort", onCancel);
            clearTimeout(timer);
        }
    }

    /**
     * Runs the operation; resolves with what it changed. `up` with policy packs previews with them
     * first and updates only when that preview passed (the Automation API's up skips the CLI's own
     * preview, so a stack-level policy would otherwise run only after resources changed); without
     * one it updates directly.
     */
    private async operate(
        stack: Stack,
        operation: Operation,
        options: StackRunOptions,
        signal: AbortSignal,
    ): Promise<StackRunReport> {
        const attempt = async (run: (log: EventLog) => Promise<OpMap | undefined>): Promise<StackRunReport> => {
            const log = new EventLog();
            try {
                return { counts: countsOf(await run(log)), changes: log.changes };
            } catch (err) {
                throw log.failure(err);
            }
        };
        const common = (log: EventLog) => ({
            onOutput: options.onOutput,
            onEvent: log.onEvent,
            color: "never" as const,
            signal,
        });
        const policyPacks = [...options.policyPacks];
        switch (operation) {
            case "preview":
                return attempt(
                    async (log) =>
                        (await stack.preview({ ...common(log), policyPacks, refresh: options.refresh })).changeSummary,
                );
            case "up":
                // The preview only serves the policy packs: without one, the update alone runs the
                // program once instead of twice (each run of a stack's program costs about as
                // much CPU as its preview).
                if (policyPacks.length > 0) {
                    await attempt(async (log) => (await stack.preview({ ...common(log), policyPacks })).changeSummary);
                    if (options.cancel?.aborted) {
                        throw new StackRunFailure("cancelled after the preview, before the update");
                    }
                }
                return attempt(
                    async (log) => (await stack.up({ ...common(log), policyPacks })).summary.resourceChanges,
                );
            case "refresh":
                return attempt(
                    async (log) =>
                        (await stack.refresh({ ...common(log), clearPendingCreates: options.clearPendingCreates }))
                            .summary.resourceChanges,
                );
            case "destroy":
                return attempt(async (log) => (await stack.destroy(common(log))).summary.resourceChanges);
        }
    }
}
