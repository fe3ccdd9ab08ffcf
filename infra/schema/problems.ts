import * as pulumi from "@pulumi/pulumi";

/** One bad config value: the key (with its namespace), the value found and what is allowed. */
export interface Problem {
    readonly key: string;
    readonly value: unknown;
    /** What is wrong and what is allowed, e.g. `not an IPv4 CIDR; allowed: a.b.c.d/n, e.g. 10.0.0.0/16`. */
    readonly message: string;
}

/** How a problem reads in an error: `platform:vpcCidr = "10.0.0.0/33": not an IPv4 CIDR; ...`. */
export function describeProblem(p: Problem): string {
    const shown = p.value === undefined ? "(not set)" : JSON.stringify(p.value);
    return `${p.key} = ${shown}: ${p.message}`;
}

/**
 * Bad configuration: every problem found in one stack's config, thrown before any resource is
 * created. A `RunError`, so `pulumi up` prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: readonly Problem[],
    ) {
        super(
            `Configuration of stack "${stack}" (Pulumi.${stack}.yaml) is invalid; nothing was created:\n` +
                problems.map((p) => `  - ${describeProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Collects problems so that validation reports all of them at once. */
export class Problems {
    private readonly list: Problem[] = [];

    constructor(
        /** Config namespace of the keys, e.g. `platform`. */
        readonly namespace = "platform",
    ) {}

    /** Records a problem with `key` (without namespace). */
    add(key: string, value: unknown, message: string): void {
        this.list.push({ key: `${this.namespace}:${key}`, value, message });
    }

    /** Records a problem under a full key (with its namespace) */
    addFull(key: string, value: unknown, message: string): void {
        this.list.push({ key, value, message });
    }

    get all(): readonly Problem[] {
        return this.list;
    }

    get empty(): boolean {
        return this.list.length === 0;
    }

    /** Throws one ConfigError listing every problem, if there is any. */
    throwIfAny(stack: string): void {
        if (this.list.length > 0) {
            throw new ConfigError(stack, this.list);
        }
    }
}
