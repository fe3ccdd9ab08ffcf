// The offline plan's shortcut through protobuf Structs. Under mocks, every resource's inputs and
// state cross the SDK's monitor boundary as `google.protobuf.Struct` messages built and read back
// in the same process (Struct.fromJavaScript, then toJavaScript): at 200 services that generic
// message building was about half of the plan's CPU time. Installed by the plan (plan/evaluate.ts),
// never by the program the engine runs: a Struct made by `fromJavaScript` keeps the plain value it
// was made from, converted exactly as the Struct would convert it (keys in sorted order, inherited
// enumerable keys included, `undefined` and functions refused), and `toJavaScript` returns a fresh
// copy of it. Anything else that reads the message (its fields map, its binary form) first builds
// the real fields, so only the round trip is shortened. test/plan/fast-struct.test.ts compares it
// with the original conversion.
import { createRequire } from "module";

/** The part of protobuf's Struct class the shortcut replaces. */
interface StructMessage {
    toJavaScript: (this: StructMessage) => Record<string, unknown>;
    getFieldsMap: (
        this: StructMessage,
        noLazyCreate?: boolean,
    ) => {
        set(key: string, value: unknown): unknown;
        forEach(f: (v: unknown, k: string) => void): void;
    };
}
interface StructClass {
    new (): StructMessage;
    fromJavaScript: (object: Record<string, unknown>) => StructMessage;
    prototype: StructMessage;
}

/** The Struct class of the SDK's own google-protobuf (the copy its runtime builds requests with). */
function sdkStruct(): StructClass {
    const fromSdk = createRequire(require.resolve("@pulumi/pulumi"));
    return (fromSdk("google-protobuf/google/protobuf/struct_pb") as { Struct: StructClass }).Struct;
}

/** A value as a Struct holds it: the result of Struct.fromJavaScript(...).toJavaScript(). */
type StructValue = null | string | number | boolean | StructValue[] | { [key: string]: StructValue };

/** Where a shortcut Struct keeps its value until something reads its fields. */
const VALUE = Symbol("platform.structValue");

interface ShortcutStruct {
    [VALUE]?: Record<string, StructValue>;
}

/** The message protobuf's own conversion throws for a value a Struct cannot hold. */
const UNEXPECTED = "Unexpected struct type.";

/** `value` converted as Value.fromJavaScript then toJavaScript would convert it. */
export function structValue(value: unknown): StructValue {
    if (value === null) {
        return null;
    }
    switch (typeof value) {
        case "string":
        case "number":
        case "boolean":
            return value;
        case "object": {
            if (Array.isArray(value)) {
                // A hole reads as undefined, which a Struct refuses, as protobuf does.
                const list: StructValue[] = [];
                for (const item of value as unknown[]) {
                    list.push(structValue(item));
                }
                return list;
            }
            return structObject(value as Record<string, unknown>);
        }
        default:
            throw new Error(UNEXPECTED);
    }
}

/** An object converted as Struct.fromJavaScript then toJavaScript would: every enumerable key (own and inherited), sorted. */
export function structObject(object: Record<string, unknown>): Record<string, StructValue> {
    const keys: string[] = [];
    for (const key in object) {
        keys.push(key);
    }
    keys.sort();
    const result: Record<string, StructValue> = {};
    for (const key of keys) {
        result[key] = structValue(object[key]);
    }
    return result;
}

/** The SDK's Struct class and its conversions as protobuf made them, before any shortcut. */
const STRUCT = sdkStruct();
const ORIGINAL = {
    from: STRUCT.fromJavaScript,
    to: STRUCT.prototype.toJavaScript,
    fields: STRUCT.prototype.getFieldsMap,
};

/**
 * Runs `f` with protobuf's own conversions in place (the shortcut, when installed, is put back
 * after): nested objects too are converted by protobuf then, since its conversion of a value looks
 * `Struct.fromJavaScript` up at each call.
 */
function withProtobufOwn<T>(f: () => T): T {
    const current = {
        from: STRUCT.fromJavaScript,
        to: STRUCT.prototype.toJavaScript,
        fields: STRUCT.prototype.getFieldsMap,
    };
    Object.assign(STRUCT, { fromJavaScript: ORIGINAL.from });
    Object.assign(STRUCT.prototype, { toJavaScript: ORIGINAL.to, getFieldsMap: ORIGINAL.fields });
    try {
        return f();
    } finally {
        Object.assign(STRUCT, { fromJavaScript: current.from });
        Object.assign(STRUCT.prototype, { toJavaScript: current.to, getFieldsMap: current.fields });
    }
}

/** The Struct message protobuf's own conversion makes of `object`. */
export function protobufStruct(object: Record<string, unknown>): StructMessage {
    return withProtobufOwn(() => STRUCT.fromJavaScript(object));
}

/** `object` through protobuf's own Struct conversion and back (what the shortcut must equal). */
export function protobufRoundTrip(object: Record<string, unknown>): Record<string, unknown> {
    return withProtobufOwn(() => STRUCT.fromJavaScript(object).toJavaScript());
}

let installed = false;

/** Installs the shortcut in this process (once; the plan's processes only). */
export function installStructShortcut(): void {
    if (installed) {
        return;
    }
    installed = true;
    const Struct = STRUCT;
    const originalFrom = ORIGINAL.from.bind(STRUCT);
    const { to: originalTo, fields: originalFields } = ORIGINAL;
    Struct.fromJavaScript = (object) => {
        const struct = new Struct() as StructMessage & ShortcutStruct;
        // Converted now: a value a Struct cannot hold fails here, where the original fails.
        struct[VALUE] = structObject(object);
        return struct;
    };
    Struct.prototype.toJavaScript = function (this: StructMessage & ShortcutStruct) {
        const value = this[VALUE];
        return value === undefined ? originalTo.call(this) : structObject(value);
    };
    Struct.prototype.getFieldsMap = function (this: StructMessage & ShortcutStruct, noLazyCreate?: boolean) {
        const value = this[VALUE];
        if (value !== undefined) {
            // Read as a message: its real fields, made once from the value.
            this[VALUE] = undefined;
            const built = originalFrom(value);
            const map = originalFields.call(this, false);
            built.getFieldsMap().forEach((v, k) => map.set(k, v));
        }
        return originalFields.call(this, noLazyCreate);
    };
}
