import * as pulumi from "@pulumi/pulumi";
import { KeySpec, KeyType } from "./keys";
import { ConfigProblems as Problems } from "./problems";

/**
 * Decodes the string form the engine gives a config value (`pulumi.Config.get`) into its declared
 * type: numbers, booleans and JSON for arrays and objects. A value that does not fit the declared
 * type is a problem; the key's default is used when it is unset.
 */
export function decodeValue(spec: KeySpec, raw: string | undefined, problems: Problems): unknown {
    if (raw === undefined) {
        return spec.default;
    }
    const bad = (allowed: string) => {
        problems.add(spec.key, raw, `expected ${allowed}`);
        return spec.default;
    };
    switch (spec.type) {
        case "string":
            return raw;
        case "integer":
            return /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : bad("a whole number");
        case "boolean":
            return raw === "true" ? true : raw === "false" ? false : bad("true or false");
        default: {
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                return bad(describeType(spec.type));
            }
            return fitsType(spec.type, parsed) ? parsed : bad(describeType(spec.type));
        }
    }
}

function describeType(type: KeyType): string {
    return {
        string: "a string",
        integer: "a whole number",
        boolean: "true or false",
        "string[]": "a list of strings",
        "integer[]": "a list of whole numbers",
        object: "an object (a YAML map)",
        "object[]": "a list of objects (YAML maps)",
    }[type];
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fitsType(type: KeyType, v: unknown): boolean {
    switch (type) {
        case "string[]":
            return Array.isArray(v) && v.every((x) => typeof x === "string");
        case "integer[]":
            return Array.isArray(v) && v.every((x) => Number.isInteger(x));
        case "object":
            return isObject(v);
        case "object[]":
            return Array.isArray(v) && v.every(isObject);
        default:
            return true;
    }
}

/**
 * Typed access to the decoded values of one stack, recording every problem in `problems`.
 * Each accessor returns a usable value even after a problem (the default), so one pass finds all
 * problems; the caller throws them together with `problems.throwIfAny(stack)`.
 */
export class ConfigReader {
    constructor(
        readonly stack: string,
        private readonly values: Readonly<Record<string, unknown>>,
        readonly problems: Problems,
        private readonly secrets: Readonly<Record<string, pulumi.Output<string>>> = {},
    ) {}

    /** A secret value (a key declared `secret: true`), kept secret as an Output; undefined when unset. */
    secret(key: string): pulumi.Output<string> | undefined {
        return this.secrets[key];
    }

    /** The decoded value of `key`, as given. */
    value(key: string): unknown {
        return this.values[key];
    }

    /** A string; `check` returns a message when the value is not allowed. Empty means unset. */
    string(key: string, check?: (v: string) => string | undefined, required = false): string {
        const v = this.values[key];
        if (typeof v !== "string") {
            return "";
        }
        if (v === "") {
            if (required) {
                this.problems.add(key, undefined, `required in stack "${this.stack}"; set it with pulumi config set ${key} <value>`);
            }
            return v;
        }
        const message = check?.(v);
        if (message) {
            this.problems.add(key, v, message);
        }
        return v;
    }

    /** One of `allowed`. */
    oneOf<T extends string>(key: string, allowed: readonly T[]): T {
        const v = this.string(key, (s) =>
            (allowed as readonly string[]).includes(s) ? undefined : `allowed: ${allowed.join(", ")}`,
        );
        return ((allowed as readonly string[]).includes(v) ? v : allowed[0]) as T;
    }

    /** A whole number in [min, max]. */
    integer(key: string, min: number, max: number): number {
        const v = this.values[key];
        if (typeof v !== "number") {
            return NaN;
        }
        if (v < min || v > max) {
            this.problems.add(key, v, `out of range; allowed: ${min} to ${max}`);
        }
        return v;
    }

    boolean(key: string): boolean {
        return this.values[key] === true;
    }

    /** A list of strings, each checked by `check`. */
    strings(key: string, check?: (v: string) => string | undefined): string[] {
        const v = this.values[key];
        if (!Array.isArray(v)) {
            return [];
        }
        v.forEach((item: string, i: number) => {
            const message = check?.(item);
            if (message) {
                this.problems.add(`${key}[${i}]`, item, message);
            }
        });
        return v as string[];
    }
}
