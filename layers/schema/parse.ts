import { z } from "zod";
import { decodeValue } from "./decode";
import { KeyShape } from "@platform/components/config";
import { KeySpec, keySpecs } from "./keys";
import { ConfigProblems } from "./problems";

/** A zod issue's path as a config path: `versions[0].image` under the key `versions`. */
function pathOf(key: string, path: readonly PropertyKey[]): string {
    return key + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

/** The part of `value` at `path`, or undefined. */
function at(value: unknown, path: readonly PropertyKey[]): unknown {
    let node = value;
    for (const p of path) {
        node = typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[p] : undefined;
    }
    return node;
}

/**
 * Orders a key's issues as the old readers met them: first what is wrong with the value's shape
 * (unknown fields, then missing and mistyped ones), then what its checks refuse; each entry by
 * entry.
 */
function readingOrder(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
    const rank = (i: z.core.$ZodIssue) => (i.code === "unrecognized_keys" ? 0 : i.code === "invalid_type" ? 1 : 2);
    const container = (i: z.core.$ZodIssue) => (i.code === "unrecognized_keys" ? i.path : i.path.slice(0, -1));
    const compare = (a: readonly PropertyKey[], b: readonly PropertyKey[]): number => {
        for (let k = 0; k < Math.min(a.length, b.length); k++) {
            if (a[k] !== b[k]) {
                return typeof a[k] === "number" && typeof b[k] === "number" ? (a[k] as number) - (b[k] as number) : 0;
            }
        }
        return 0;
    };
    return issues
        .map((issue, n) => ({ issue, n }))
        .sort((x, y) => rank(x.issue) - rank(y.issue) || compare(container(x.issue), container(y.issue)) || x.n - y.n)
        .map((x) => x.issue);
}

/** Records the issues of one key's value as problems, each at its full path with the value found there. */
function recordIssues(
    spec: KeySpec,
    value: unknown,
    set: boolean,
    issues: readonly z.core.$ZodIssue[],
    stack: string,
    problems: ConfigProblems,
): void {
    for (const issue of readingOrder(issues)) {
        if (issue.code === "unrecognized_keys") {
            for (const field of issue.keys) {
                problems.add(
                    pathOf(spec.key, [...issue.path, field]),
                    at(value, [...issue.path, field]),
                    issue.message,
                );
            }
        } else if (issue.code === "custom" && issue.params?.required === true) {
            // Set to an empty string in the stack file: say so, rather than "(not set)".
            problems.add(
                spec.key,
                set ? value : undefined,
                `${set ? "empty; " : ""}required in stack "${stack}"; set it with pulumi config set ${spec.key} <value>`,
            );
        } else {
            problems.add(pathOf(spec.key, issue.path), at(value, issue.path), issue.message);
        }
    }
}

/** A key's value when it is bad: its default, with the defaults of its fields when that passes the schema. */
function fallback(spec: KeySpec): unknown {
    const parsed = spec.schema.safeParse(spec.default);
    return parsed.success ? parsed.data : spec.default;
}

/** A layer's parsed keys: each key's value, and the keys whose value its schema refused. */
export interface ParsedKeys<S extends KeyShape> {
    readonly values: z.output<z.ZodObject<S>>;
    /** Keys whose value was refused (and recorded): they hold their default instead. */
    readonly refused: ReadonlySet<string>;
}

/**
 * Parses a layer's keys from the text the engine gives (`raw`, the short key to its text; an unset
 * key takes its default). Each key is decoded and checked by its schema on its own, so one pass
 * reports every bad key; a bad key takes its default, so that the checks across keys still run
 * over the others (they leave the refused keys alone; the layer throws before anything is created
 * when a problem was recorded). `isSet` tells a key the stack file sets (a required key set to `""`
 * is reported as empty) from one the engine filled with Pulumi.yaml's default (reported as not set).
 */
export function parseKeys<S extends KeyShape>(
    shape: S,
    raw: Readonly<Record<string, string | undefined>>,
    stack: string,
    problems: ConfigProblems,
    isSet: (key: string) => boolean = (key) => raw[key] !== undefined,
): ParsedKeys<S> {
    const values: Record<string, unknown> = {};
    const refused = new Set<string>();
    for (const spec of keySpecs(shape)) {
        const text = raw[spec.key];
        const decoded = text === undefined ? { value: spec.default } : decodeValue(spec.type, text);
        if ("expected" in decoded) {
            problems.add(spec.key, text, `expected ${decoded.expected}`);
            values[spec.key] = fallback(spec);
            refused.add(spec.key);
            continue;
        }
        const parsed = spec.schema.safeParse(decoded.value);
        if (parsed.success) {
            values[spec.key] = parsed.data;
        } else {
            recordIssues(spec, decoded.value, isSet(spec.key), parsed.error.issues, stack, problems);
            values[spec.key] = fallback(spec);
            refused.add(spec.key);
        }
    }
    // Every key is its schema's output or, when bad (and recorded above), its default.
    return { values: values as z.output<z.ZodObject<S>>, refused };
}
