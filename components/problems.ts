import * as pulumi from "@pulumi/pulumi";

/**
 * The one shape of a bad input in the whole product (config, components, names): where it is
 * (`versions[0].image`, `platform:vpcCidr`), the value found and what is wrong and allowed.
 * Each area exports pure checks that return these; the config layer, the components and the
 * policy pack call the same checks.
 */
export interface Problem {
    /** Where the value is: a property path (`nodeGroups[1].minSize`) or a full config key (`platform:vpcCidr`). */
    readonly path: string;
    readonly value: unknown;
    /** What is wrong and what is allowed, e.g. `not an IPv4 CIDR block; allowed: a.b.c.d/n, e.g. 10.0.0.0/16`. */
    readonly message: string;
}

/** How a problem reads in an error: `vpcCidr = "10.0.0.0/33": not an IPv4 CIDR block; ...`; an unset value reads `(not set)`. */
export function describeProblem(p: Problem): string {
    const shown = p.value === undefined ? "(not set)" : JSON.stringify(p.value);
    return `${p.path} = ${shown}: ${p.message}`;
}

/** The problems of a part, re-rooted under `prefix`: `minSize` under `nodeGroups[0]` is `nodeGroups[0].minSize`. */
export function underPath(prefix: string, problems: readonly Problem[]): Problem[] {
    return problems.map((p) => ({
        ...p,
        path: p.path === "" ? prefix : p.path.startsWith("[") ? `${prefix}${p.path}` : `${prefix}.${p.path}`,
    }));
}

/**
 * What kind of input was refused; it is the error's `name`, so a caller (or a user reading the
 * output) can tell bad config from bad component arguments without another class.
 */
export type ProblemKind = "ConfigError" | "ComponentArgsError" | "NameError";

/**
 * The one error class of the product for bad input: a heading that names the subject (the stack
 * and its file, or the component and its name) and every problem found, each on its own line.
 * Thrown before anything is created. A `RunError`, so `pulumi up` prints the message without a
 * stack trace.
 */
export class ProblemError extends pulumi.RunError {
    constructor(
        readonly kind: ProblemKind,
        /** The first line: what was refused and that nothing was created. */
        readonly heading: string,
        readonly problems: readonly Problem[],
        /** Lines for problems that are not about one value (e.g. a name that cannot be built). */
        readonly notes: readonly string[] = [],
    ) {
        const lines = [...problems.map(describeProblem), ...notes];
        super(lines.length === 0 ? heading : `${heading}\n${lines.map((l) => `  - ${l}`).join("\n")}`);
        this.name = kind;
    }
}

/** Throws a ProblemError of `kind` when there is any problem or note. */
export function throwIfProblems(
    kind: ProblemKind,
    heading: string,
    problems: readonly Problem[],
    notes: readonly string[] = [],
): void {
    if (problems.length > 0 || notes.length > 0) {
        throw new ProblemError(kind, heading, problems, notes);
    }
}

/**
 * Collects problems so that a check reports all of them at once. `add` takes a check's result
 * directly: a message, or undefined for a good value (then nothing is recorded). Paths are
 * recorded under `prefix` (`platform:` for config keys).
 */
export class Problems {
    private readonly list: Problem[] = [];

    constructor(readonly prefix = "") {}

    /** Records a problem at `path` (under the prefix) unless `message` is undefined. */
    add(path: string, value: unknown, message: string | undefined): void {
        if (message !== undefined) {
            this.list.push({ path: `${this.prefix}${path}`, value, message });
        }
    }

    /** Records problems whose paths are relative to `at` (`""` for the root). */
    addAll(at: string, problems: readonly Problem[]): void {
        for (const p of at === "" ? problems : underPath(at, problems)) {
            this.add(p.path, p.value, p.message);
        }
    }

    get all(): readonly Problem[] {
        return this.list;
    }

    get empty(): boolean {
        return this.list.length === 0;
    }
}
