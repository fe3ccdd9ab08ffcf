/**
 * How a component declares the config keys it owns (its config slice, `slice.ts`): a zod schema
 * per key, with its default and a description. A layer composes the slices of its components into
 * its keys (layers/<layer>/config.ts); `Pulumi.yaml`'s config section, the README's config table
 * and the JSON Schema of each layer are generated from them (`npm run gen`).
 *
 * A key's schema checks its value with the component's own pure checks (`checked(check)`, or
 * `requiredString`, `oneOf`, `integerIn`, `closedMap`, `field` below, which give the usual
 * messages), so config and component word a problem the same. Pure: no config reads.
 */
import { z } from "zod";

/** What a key declares beside its schema and default. */
export interface KeyMeta {
    /** What the key means, its unit and its allowed values. */
    readonly description: string;
    /** Set with `pulumi config set --secret`; read as a secret Output. */
    readonly secret?: boolean;
    /** Every stack of the layers that read it must set it (it has no usable default). */
    readonly mandatory?: boolean;
}

/**
 * A config key: its value's schema with the default the engine applies when a stack does not set
 * it, as a stack file would write it (a required key has an empty default, `""`, refused by
 * `requiredString`). The default goes through the schema like a set value, so the defaults of a
 * map's fields are filled in the same way (`prefault`).
 */
export function configKey<T extends z.ZodType>(schema: T, defaultValue: z.util.NoUndefined<z.input<T>>, meta: KeyMeta) {
    return schema.prefault(defaultValue).meta({ ...meta });
}

/** Keys by name (the name a stack file sets under `platform:`). */
export type KeyShape = Record<string, ReturnType<typeof configKey>>;

/** A refinement from a pure check that returns a message, or undefined for a good value. */
export function checked<T>(check: (value: T) => string | undefined): z.core.CheckFn<T> {
    return (ctx) => {
        const message = check(ctx.value);
        if (message !== undefined) {
            ctx.issues.push({ code: "custom", message, input: ctx.value });
        }
    };
}

/** Marks a `required` issue: the parser words it with the stack and the command that sets the key. */
export const REQUIRED = "required";

/**
 * A string the layer needs: empty (Pulumi.yaml's default) is refused as required, anything else
 * must pass `check`.
 */
export function requiredString(check: (value: string) => string | undefined = () => undefined) {
    return z.string().check((ctx) => {
        const message = ctx.value === "" ? REQUIRED : check(ctx.value);
        if (message !== undefined) {
            ctx.issues.push({ code: "custom", message, input: ctx.value, params: { required: message === REQUIRED } });
        }
    });
}

/** A string where empty means unset; anything else must pass `check`. */
export function optionalString(check: (value: string) => string | undefined) {
    return z.string().check(checked((v: string) => (v === "" ? undefined : check(v))));
}

/** One of `allowed`; the message lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(allowed: T) {
    return z.enum(allowed, { error: `allowed: ${allowed.join(", ")}` });
}

/**
 * A whole number (the engine's text is decoded first, so only its size can be wrong here: zod's
 * integers are the safe ones, up to 2^53 - 1).
 */
export function wholeNumber() {
    return z.int({ error: (iss) => notWholeNumber(iss.input) });
}

/** Why `input` is not a whole number zod accepts. */
function notWholeNumber(input: unknown): string {
    return Number.isInteger(input)
        ? `out of range; allowed: a whole number from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`
        : "expected a whole number";
}

/** A whole number in [min, max]. */
export function integerIn(min: number, max: number) {
    return wholeNumber().check(
        checked((v: number) => (v < min || v > max ? `out of range; allowed: ${min} to ${max}` : undefined)),
    );
}

/** Fields of a config map (an object value): a missing required field is `required`, a wrong type says what is expected. */
export const field = {
    string: () => z.string({ error: (iss) => (iss.input === undefined ? "required" : "expected a string") }),
    integer: () => z.int({ error: (iss) => (iss.input === undefined ? "required" : notWholeNumber(iss.input)) }),
    strings: () => z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" }),
    /** A map of names to strings (YAML: `{name: value}`). */
    stringMap: () =>
        z.record(z.string(), z.string({ error: "expected a string" }), {
            error: "expected a map of names to strings (a YAML map)",
        }),
};

/** A config map with exactly these fields: another field is refused, naming the allowed ones. */
export function closedMap<S extends z.core.$ZodLooseShape>(shape: S) {
    return z.strictObject(shape, {
        error: (iss) =>
            iss.code === "unrecognized_keys"
                ? `unknown field; allowed: ${Object.keys(shape).join(", ")}`
                : "expected an object (a YAML map)",
    });
}

/**
 * One of `allowed`, typed as such; anything else is refused with the area's own message
 * (`check`), so config and component word it the same.
 */
export function narrowed<const T extends string>(allowed: readonly T[], check: (value: string) => string | undefined) {
    return z
        .string({ error: (iss) => (iss.input === undefined ? "required" : "expected a string") })
        .transform((value, ctx): T => {
            const found = allowed.find((a) => a === value);
            if (found === undefined) {
                ctx.issues.push({
                    code: "custom",
                    message: check(value) ?? `allowed: ${allowed.join(", ")}`,
                    input: value,
                });
                return z.NEVER;
            }
            return found;
        });
}

/** A map that is either empty (`{}`, Pulumi.yaml's default: none) or has every field of `shape`. */
export function emptyMeansNone<S extends z.core.$ZodLooseShape>(shape: S) {
    const isEmpty = (v: unknown) =>
        typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
    return z.preprocess((v) => (isEmpty(v) ? undefined : v), closedMap(shape).optional());
}
