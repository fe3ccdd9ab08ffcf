import { Problem, ProblemError } from "@platform/components/conventions";
import { Problems } from "@platform/components/config";

export { Problem, ProblemError, describeProblem } from "@platform/components/conventions";
export { Problems } from "@platform/components/config";

/**
 * Bad configuration: every problem found in one stack's config, thrown before any resource is
 * created, as the product's one error class (kind ConfigError) with a heading that names the
 * stack and its file.
 */
export function configError(stack: string, problems: readonly Problem[], notes: readonly string[] = []): ProblemError {
    return new ProblemError(
        "ConfigError",
        `Configuration of stack "${stack}" (Pulumi.${stack}.yaml) is invalid; nothing was created:`,
        problems,
        notes,
    );
}

/** Whether `err` is bad configuration (a ProblemError of kind ConfigError). */
export function isConfigError(err: unknown): err is ProblemError {
    return err instanceof ProblemError && err.kind === "ConfigError";
}

/** The problems of one stack's config, under `platform:`; `throwIfAny` throws them as one config error. */
export class ConfigProblems extends Problems {
    constructor(readonly namespace = "platform") {
        super(`${namespace}:`);
    }

    /** Throws one config error listing every problem, if there is any. */
    throwIfAny(stack: string): void {
        if (!this.empty) {
            throw configError(stack, this.all);
        }
    }
}
