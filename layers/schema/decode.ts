import { KeyType } from "./keys";

/**
 * The engine hands a program every config value as text (`pulumi.Config.get`): a number, a
 * boolean or JSON for lists and maps. Decodes it to the key's declared type, or says what was
 * expected; the key's schema then checks the decoded value.
 */
export function decodeValue(type: KeyType, raw: string): { value: unknown } | { expected: string } {
    const bad = { expected: describeType(type) };
    switch (type) {
        case "string":
            return { value: raw };
        case "integer":
            return /^-?[0-9]+$/.test(raw.trim()) ? { value: Number(raw) } : bad;
        case "boolean":
            return raw === "true" ? { value: true } : raw === "false" ? { value: false } : bad;
        default: {
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                return bad;
            }
            return fitsType(type, parsed) ? { value: parsed } : bad;
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
