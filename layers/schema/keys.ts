/**
 * The layers' config keys as the generator and the parser read them. A key is declared once, with
 * its schema, default and description (`configKey`, components/config/keys.ts): by the component
 * that owns it, in its config slice (components/<area>/config.ts), or by the layer for its own
 * keys. Each layer's config (layers/<layer>/config.ts) composes its own keys and its components'
 * slices; which layers read a key follows from that composition. `Pulumi.yaml`'s config section,
 * the README's config table (`npm run gen`) and the JSON Schema of each layer (`schema/*.json`) are
 * generated from them, and a test fails when they drift apart.
 *
 * To add a key to a component: docs/recipes.md ("Add a config key"). A key of a layer's own goes
 * into its layer's shape the same way. Then `npm run gen` and a message test.
 */
import { z } from "zod";
import { KeyMeta, KeyShape } from "@platform/components/config";

/** The three layers, each one Pulumi stack per environment (and per service). */
export const LAYERS = ["global", "common", "service"] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * The type of a config value, as Pulumi.yaml declares it. Pulumi.yaml can type `string`,
 * `integer`, `boolean` and arrays of those; objects and arrays of objects are declared without a
 * `type` there and are checked field by field by the key's schema. Derived from the schema.
 */
export type KeyType = "string" | "integer" | "boolean" | "string[]" | "integer[]" | "object" | "object[]";

/** The declaration of a config key, as the generator and the parser read it. */
export interface KeySpec extends KeyMeta {
    /** The key without its namespace: `vpcCidr` for `platform:vpcCidr`. */
    readonly key: string;
    readonly type: KeyType;
    /** The default the engine applies when a stack does not set the key. */
    readonly default: unknown;
    /** The key's schema: checks a decoded value and fills the defaults of its fields. */
    readonly schema: z.ZodType;
    /** The layers that read the key (empty for a shape read on its own). */
    readonly layers: readonly Layer[];
    /** The layers for which the key must be set (it has no usable default there). */
    readonly requiredIn?: readonly Layer[];
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

/**
 * The declarations of a shape's keys, in the shape's order (derived once per shape), read by
 * `layers` (required in them when the key says so).
 */
export function keySpecs(shape: KeyShape, layers: readonly Layer[] = []): readonly KeySpec[] {
    const known = specsOf.get(shape);
    if (known && layers.length === 0) {
        return known;
    }
    const specs = Object.entries(shape).map(([key, schema]): KeySpec => {
        const meta = schema.meta() as unknown as KeyMeta;
        return {
            key,
            description: meta.description,
            ...(meta.secret ? { secret: true } : {}),
            ...(meta.mandatory ? { mandatory: true, requiredIn: layers } : {}),
            type: keyType(key, schema),
            default: schema.def.defaultValue,
            schema,
            layers,
        };
    });
    if (layers.length === 0) {
        specsOf.set(shape, specs);
    }
    return specs;
}
