/**
 * How a config key is declared: a zod schema per key, with its description, its default and the
 * layers that read it, gathered into one schema per layer (global.ts, common.ts, service.ts).
 * `Pulumi.yaml`'s config section, the README's config table (`npm run gen`) and the JSON Schema
 * of each layer (`schema/*.json`) are generated from these schemas, and a test fails when they
 * drift apart.
 *
 * To add a key: add one `configKey(...)` entry to its layer's shape (GLOBAL_SHAPE, COMMON_SHAPE or
 * SERVICE_SHAPE; the order there is the order of Pulumi.yaml and the README table), with the
 * value's schema and its checks (a pure check of the area, e.g.
 * `z.string().check(checked(checkCidr))`; `requiredString`, `oneOf`, `integerIn`, `closedMap` and
 * `field` below give the usual messages), a description that says the unit and what is allowed,
 * the default the engine applies (as a stack file writes it) and the layers that read it. A key
 * read by two layers is declared once and spread into the other layer's `*_LAYER_SHAPE` (as
 * `kmsKeyAdminArns`). Then read the typed value in the layer's `parse*Config` (checks across keys
 * go there too), run `npm run gen` (Pulumi.yaml, README table, schema/*.json) and add a message
 * test in test/infra/<layer>-config.test.ts.
 */
import { z } from "zod";

/** The three layers, each one Pulumi stack per environment (and per service). */
export const LAYERS = ["global", "common", "service"] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * The type of a config value, as Pulumi.yaml declares it. Pulumi.yaml can type `string`,
 * `integer`, `boolean` and arrays of those; objects and arrays of objects are declared without a
 * `type` there and are checked field by field by the key's schema. Derived from the schema.
 */
export type KeyType = "string" | "integer" | "boolean" | "string[]" | "integer[]" | "object" | "object[]";

/** What a key declares beside its schema and default. */
export interface KeyMeta {
    /** What the key means, its unit and its allowed values. */
    readonly description: string;
    /** The layers that read the key. */
    readonly layers: readonly Layer[];
    /** Set with `pulumi config set --secret`; read as a secret Output. */
    readonly secret?: boolean;
    /** The layers for which the key must be set (it has no usable default there). */
    readonly requiredIn?: readonly Layer[];
}

/**
 * A config key: its value's schema with the default the engine applies when a stack does not set
 * it, as a stack file would write it (keys that a layer requires have an empty default, `""`,
 * refused by `requiredString`). The default goes through the schema like a set value, so the
 * defaults of a map's fields are filled in the same way (`prefault`).
 */
export function configKey<T extends z.ZodType>(schema: T, defaultValue: z.util.NoUndefined<z.input<T>>, meta: KeyMeta) {
    return schema.prefault(defaultValue).meta({ ...meta });
}

/** A layer's keys: name to declared key. */
export type KeyShape = Record<string, ReturnType<typeof configKey>>;

/** The declaration of a config key, as the generator and the parser read it. */
export interface KeySpec extends KeyMeta {
    /** The key without its namespace: `vpcCidr` for `platform:vpcCidr`. */
    readonly key: string;
    readonly type: KeyType;
    /** The default the engine applies when a stack does not set the key. */
    readonly default: unknown;
    /** The key's schema: checks a decoded value and fills the defaults of its fields. */
    readonly schema: z.ZodType;
}

/** The Pulumi.yaml type of a schema, from its JSON Schema. */
function keyType(key: string, schema: z.ZodType): KeyType {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
        type?: string;
        items?: { type?: string };
    };
    const type = json.type === "array" ? `${json.items?.type}[]` : json.type;
    if (
        type === "string" ||
        type === "integer" ||
        type === "boolean" ||
        type === "string[]" ||
        type === "integer[]" ||
        type === "object" ||
        type === "object[]"
    ) {
        return type;
    }
    throw new Error(`config key ${key}: its schema's type ${String(type)} cannot be declared in Pulumi.yaml`);
}

const specsOf = new WeakMap<KeyShape, readonly KeySpec[]>();

/** The declarations of a layer's keys, in the schema's order (derived once per shape). */
export function keySpecs(shape: KeyShape): readonly KeySpec[] {
    const known = specsOf.get(shape);
    if (known) {
        return known;
    }
    const specs = Object.entries(shape).map(([key, schema]): KeySpec => {
        const meta = schema.meta() as unknown as KeyMeta;
        return {
            key,
            description: meta.description,
            layers: meta.layers,
            ...(meta.secret ? { secret: true } : {}),
            ...(meta.requiredIn ? { requiredIn: meta.requiredIn } : {}),
            type: keyType(key, schema),
            default: schema.def.defaultValue,
            schema,
        };
    });
    specsOf.set(shape, specs);
    return specs;
}

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
