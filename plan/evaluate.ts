import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { waitForRPCs } from "../infra/sdk";
import { PlatformMocks, StackOutputsFixture } from "./mocks";
import { RecordedResource, ResourceRecorder, SECRET } from "./recorder";
import { ROOT } from "./root";
import { installStructShortcut } from "./fast-struct";
import { skipSourcePositions } from "./source-positions";

/** The project name (Pulumi.yaml `name`), also the config namespace. */
export const PROJECT = "platform";

/** The one mocks object of the process; `setMocks` is given this same object every time. */
export const mocks = new PlatformMocks();

/** What evaluating the program for one stack produced. */
export interface Evaluation {
    readonly stack: string;
    /** Every registered resource, sorted by URN. */
    readonly resources: RecordedResource[];
    /** The stack outputs, plain; secret ones as "[secret]" in `outputs`, in clear in `rawOutputs`. */
    readonly outputs: Record<string, unknown>;
    /** The stack outputs in clear, for feeding the StackReferences of the next layer. */
    readonly rawOutputs: Record<string, unknown>;
    /** Names of the secret outputs. */
    readonly secretOutputNames: string[];
    /** The invokes the program made. */
    readonly invokes: { token: string; inputs: Record<string, unknown> }[];
}

/** What to evaluate: a stack, its config and the outputs of the stacks it references. */
export interface EvaluateOptions {
    readonly stack: string;
    /**
     * The stack's config as the engine passes it: full keys (`platform:layer`) to their string
     * form (JSON for lists and maps).
     */
    readonly config: Record<string, string>;
    /** Full keys of the config values that are secret. */
    readonly secretKeys?: readonly string[];
    /** Outputs of referenced stacks, by fully qualified name (`organization/platform/dev`). */
    readonly stackOutputs?: Record<string, StackOutputsFixture>;
    /**
     * Run the program as the engine does, built (bin/infra/program.js, made by `npm run build`),
     * instead of its TypeScript sources. @default false
     */
    readonly built?: boolean;
}

/** Sets the mocks for `stack`; returns the recorder attached to the new mock monitor. */
export function useMocks(stack: string): ResourceRecorder {
    installStructShortcut();
    skipSourcePositions();
    // setMocks is async only in name: its body sets the mock monitor synchronously and cannot reject.
    void pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
    const recorder = new ResourceRecorder();
    recorder.attach();
    return recorder;
}

async function resolve(value: unknown): Promise<{ value: unknown; secret: boolean }> {
    const output = pulumi.output(value) as pulumi.Output<unknown>;
    const secret = await pulumi.isSecret(output);
    const plain = await new Promise<unknown>((done) => output.apply((v) => done(v)));
    return { value: plain, secret };
}

/** Set (to anything but empty) to keep stack traces while the plan runs the program: for debugging it. */
export const STACK_TRACES_VARIABLE = "PLATFORM_PLAN_STACK_TRACES";

/**
 * Runs `fn` without stack traces, unless STACK_TRACES_VARIABLE is set. @pulumi/pulumi captures
 * `new Error().stack` for every promise it tracks and every resource it registers (the resource's
 * source position), and under ts-node each frame of each is mapped through source maps: that was
 * a third of the CPU time of a 200-service plan, which prints messages only. The errors `fn`
 * throws keep their names and messages; their stacks are empty.
 */
async function withoutStackTraces<T>(fn: () => Promise<T>): Promise<T> {
    if (process.env[STACK_TRACES_VARIABLE]) {
        return fn();
    }
    const { stackTraceLimit } = Error;
    const formatter = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
    Error.stackTraceLimit = 0;
    // The SDK sets an unlimited depth for its source positions: format those without source maps.
    Reflect.deleteProperty(Error, "prepareStackTrace");
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        if (formatter !== undefined) {
            Object.defineProperty(Error, "prepareStackTrace", formatter);
        }
    }
}

/**
 * Evaluates the real program (infra/program.ts) for one stack under the mocks and returns what
 * it registered and exported. Throws the program's error (e.g. a ConfigError) as it is.
 */
export function evaluate(options: EvaluateOptions): Promise<Evaluation> {
    return withoutStackTraces(() => evaluateProgram(options));
}

async function evaluateProgram(options: EvaluateOptions): Promise<Evaluation> {
    const recorder = useMocks(options.stack);
    mocks.reset(options.stackOutputs ?? {}, options.stack);
    pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);
    // Required lazily so that setMocks always runs before the program is loaded.
    const { main } = options.built
        ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build of the same module, by its file
          (require(path.join(ROOT, "bin", "infra", "program.js")) as typeof import("../infra/program"))
        : await import("../infra/program");
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        const exported = await main();
        const outputs: Record<string, unknown> = {};
        const rawOutputs: Record<string, unknown> = {};
        const secretOutputNames: string[] = [];
        for (const key of Object.keys(exported).sort()) {
            const { value, secret } = await resolve(exported[key]);
            rawOutputs[key] = value;
            outputs[key] = secret ? SECRET : value;
            if (secret) {
                secretOutputNames.push(key);
            }
        }
        await waitForRPCs();
        if (failures.length > 0) {
            throw failures[0];
        }
        const resources = [...recorder.resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
        return {
            stack: options.stack,
            resources,
            outputs,
            rawOutputs,
            secretOutputNames,
            invokes: [...mocks.invokes],
        };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}
