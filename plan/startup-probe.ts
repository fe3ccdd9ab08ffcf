// One stack's start-up, module by module, in a process of its own started as Pulumi's Node.js
// runtime starts a program: @pulumi/pulumi loaded before the program, then the built program
// (EvaluateOptions.built), here run for one stack under the offline plan's mocks instead of an
// engine. The probe itself is TypeScript: ts-node registered for it is part of the process's start. Started by
// `npm run bench:startup` (scripts/bench-startup.ts) and by test/startup.test.ts:
//
//   node -r ts-node/register plan/startup-probe.ts <input.json> <output.json>
//
// <input.json> lists what to evaluate, in order (EvaluateOptions: the stack, its config, the outputs
// it reads); <output.json> receives a ProbeResult. The modules each stack's program loads are those
// of the phase named after the stack: the first stack's are its whole cost, a later one's what it
// adds to those already loaded.
import { LoadedModule, STARTED_AT_MS, enterPhase, loadedModules } from "./module-timer";
import * as fs from "fs";
import type { EvaluateOptions } from "./evaluate";

/** The phases of the probe's process before the stacks' (each stack's phase is its name). */
export const PHASES = {
    /** @pulumi/pulumi and what it loads, before the program (the engine's runtime loads it first too). */
    sdk: "sdk",
    /** The offline plan's mocks and recorder: not part of a program's start-up. */
    harness: "harness",
} as const;

/** One stack's program: loaded and run (its modules are loaded as it runs: its layer's only). */
export interface ProbedStack {
    readonly stack: string;
    /** Loading and running the program for the stack. */
    readonly ms: number;
    /** How many resources the program registered. */
    readonly resources: number;
}

/** What the probe measured. */
export interface ProbeResult {
    /** From the process's start to the probe's first module: Node and the `-r` preloads (ts-node, TypeScript). */
    readonly startMs: number;
    /** Loading @pulumi/pulumi. */
    readonly sdkMs: number;
    readonly stacks: ProbedStack[];
    /** Every module loaded, with its own time and the phase that loaded it. */
    readonly modules: LoadedModule[];
}

async function probe(input: string, output: string): Promise<void> {
    enterPhase(PHASES.sdk);
    const sdkStart = performance.now();
    await import("@pulumi/pulumi");
    const sdkMs = performance.now() - sdkStart;
    enterPhase(PHASES.harness);
    const { evaluate } = await import("./evaluate");
    const stacks: ProbedStack[] = [];
    for (const options of JSON.parse(fs.readFileSync(input, "utf8")) as EvaluateOptions[]) {
        enterPhase(options.stack);
        const started = performance.now();
        const evaluation = await evaluate(options);
        stacks.push({ stack: options.stack, ms: performance.now() - started, resources: evaluation.resources.length });
    }
    const result: ProbeResult = { startMs: STARTED_AT_MS, sdkMs, stacks, modules: loadedModules() };
    fs.writeFileSync(output, JSON.stringify(result));
}

if (require.main === module) {
    const [input, output] = process.argv.slice(2);
    probe(input, output).then(
        () => process.exit(0),
        (err: unknown) => {
            console.error(`startup probe failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
        },
    );
}
