// Times every module the process loads from the moment it is imported (import it first): how long
// each took itself (reading it, ts-node's transpiling, running its top-level code) and which phase
// of the process loaded it. Node's `module.require` tracing channel reports each require's start
// and end; a module's own time is its time minus that of the requires it made. Only builtins are
// imported here, so the timer costs nothing it would measure. Used by plan/startup-probe.ts.
import * as diagnostics from "diagnostics_channel";
import { createRequire } from "module";

/** One module the process loaded: its file (or builtin name), its own time and the phase it loaded in. */
export interface LoadedModule {
    readonly file: string;
    readonly ms: number;
    readonly phase: string;
}

interface Frame {
    readonly started: number;
    readonly id: string;
    readonly parent: string | undefined;
    children: number;
}

interface RequireContext {
    readonly id?: string;
    readonly parentFilename?: string;
}

const loads: { id: string; parent: string | undefined; ms: number; phase: string }[] = [];
const stack: Frame[] = [];
let phase = "start";

const channel = diagnostics.tracingChannel("module.require");
channel.subscribe({
    start(message) {
        const ctx = message as RequireContext;
        stack.push({ started: performance.now(), id: String(ctx.id), parent: ctx.parentFilename, children: 0 });
    },
    end() {
        const frame = stack.pop();
        if (frame === undefined) {
            return;
        }
        const total = performance.now() - frame.started;
        const caller = stack[stack.length - 1];
        if (caller !== undefined) {
            caller.children += total;
        }
        loads.push({ id: frame.id, parent: frame.parent, ms: total - frame.children, phase });
    },
    error() {
        // A failed require ends too (end follows error): nothing to do here.
    },
    asyncStart() {
        // Synchronous requires only.
    },
    asyncEnd() {
        // Synchronous requires only.
    },
});

/** The milliseconds from the process's start to the timer's: Node's own start and the `-r` preloads (ts-node). */
export const STARTED_AT_MS = performance.now();

/** Names the phase the modules loaded from now on belong to. */
export function enterPhase(name: string): void {
    phase = name;
}

/** The file a require resolved to (a builtin's name stays as it is); the request itself when it cannot be resolved. */
function resolvedFile(id: string, parent: string | undefined): string {
    try {
        return parent === undefined ? id : createRequire(parent).resolve(id);
    } catch {
        return id;
    }
}

/**
 * Every module loaded since the timer started, one entry per file: its own time summed over its
 * requires (a cached module's later requires cost microseconds) and the phase that loaded it first.
 */
export function loadedModules(): LoadedModule[] {
    const byFile = new Map<string, { ms: number; phase: string }>();
    for (const load of loads) {
        const file = resolvedFile(load.id, load.parent);
        const known = byFile.get(file);
        byFile.set(file, { ms: (known?.ms ?? 0) + load.ms, phase: known?.phase ?? load.phase });
    }
    return [...byFile].map(([file, { ms, phase }]) => ({ file, ms, phase }));
}
