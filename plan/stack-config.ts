import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { YamlFileError, readYamlFile } from "../infra/environment";
import { isStackOfEnvironment } from "../layers/layering";
import { nearest } from "../components/config/nearest";

import { ROOT } from "./root";
import { tempDir } from "./temp";

export { ROOT };

/** The value a `secure:` config value stands for in the offline plan; it is kept secret. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

/**
 * A stack file that cannot be read as it is: not valid YAML, not a map, or named `.yml` (Pulumi
 * reads `Pulumi.<stack>.yaml` only). The message names the file and, for YAML, the line.
 */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** A stack or environment that has no stack file; the message lists the stacks that exist. */
export class UnknownStackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnknownStackError";
    }
}

/** The YAML document of `file`; a syntax error is a StackFileError naming the file, the line and the column. */
function loadYaml(file: string): unknown {
    try {
        return readYamlFile(file);
    } catch (err) {
        throw err instanceof YamlFileError ? new StackFileError(err.message) : err;
    }
}

/** One stack's config as the engine would pass it to the program. */
export interface StackConfig {
    readonly stack: string;
    readonly file: string;
    /** Full keys (`platform:layer`) to their string form (JSON for lists and maps). */
    readonly config: Record<string, string>;
    /** Full keys of the values that were `secure:` in the file. */
    readonly secretKeys: string[];
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && "secure" in value && Object.keys(value).length === 1;
}

/**
 * A YAML timestamp as the engine passes it: Go's time.Time text in UTC, `2024-01-01 10:00:00 +0000
 * UTC`, with the fraction of a second when there is one.
 */
function goTime(d: Date): string {
    const iso = d.toISOString(); // 2024-01-01T10:00:00.000Z
    const ms = iso.slice(20, 23).replace(/0+$/, "");
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${ms}` : ""} +0000 UTC`;
}

/** JSON as Go's encoding/json writes it: object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
function goJson(value: unknown): string {
    const sorted = (v: unknown): unknown => {
        if (v instanceof Date) {
            return goTime(v);
        }
        if (Array.isArray(v)) {
            return v.map(sorted);
        }
        if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            return Object.fromEntries(
                Object.keys(o)
                    .sort()
                    .map((k) => [k, sorted(o[k])]),
            );
        }
        return v;
    };
    const escapes: Record<string, string> = {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    };
    return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c]);
}

/**
 * A config value's string form as the engine hands it to the program (checked against the real
 * engine by test/integration/engine-config.test.ts): scalars as YAML reads them (`1.0` is "1",
 * `0x10` "16", `~` ""; a timestamp in Go's time format), lists and maps as Go's JSON, so map keys
 * arrive sorted whatever order the YAML file writes them in.
 */
export function engineString(value: unknown): string {
    if (value === null || value === undefined) {
        return ""; // `~` or an empty value
    }
    if (value instanceof Date) {
        return goTime(value);
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    return typeof value === "string" ? value : goJson(value);
}

/** The project defaults of Pulumi.yaml (`config:` declarations and plain values), as full keys. */
export function projectDefaults(root = ROOT): Record<string, unknown> {
    const project = loadYaml(path.join(root, "Pulumi.yaml")) as {
        name: string;
        config?: Record<string, unknown>;
    };
    const defaults: Record<string, unknown> = {};
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (decl && typeof decl === "object" && !Array.isArray(decl)) {
            const d = decl as Record<string, unknown>;
            if ("value" in d) {
                defaults[full] = d.value;
            } else if ("default" in d) {
                defaults[full] = d.default;
            }
        } else {
            defaults[full] = decl;
        }
    }
    return defaults;
}

/** The stacks of the `Pulumi.<stack>.<extension>` files in `dir`, sorted. */
function stacksWithExtension(dir: string, extension: "yaml" | "yml"): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => new RegExp(`^Pulumi\\.(.+)\\.${extension}$`).exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Every stack with a `Pulumi.<stack>.yaml` in `dir`, sorted. */
export function allStacks(dir = ROOT): string[] {
    return stacksWithExtension(dir, "yaml");
}

/** The stacks that exist, for messages: `dev, dev-backend, dev-common` or `none`. */
export function existingStacksText(dir = ROOT): string {
    return allStacks(dir).join(", ") || "none";
}

/** Refuses `Pulumi.<stack>.yml`: Pulumi reads `Pulumi.<stack>.yaml` only, so the file would be ignored. */
function ymlError(stack: string): StackFileError {
    return new StackFileError(
        `Pulumi.${stack}.yml: stack files end in .yaml (Pulumi reads Pulumi.${stack}.yaml only, so this file would be ignored); rename it to Pulumi.${stack}.yaml`,
    );
}

function isMap(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a stack file's text; a syntax error names the file, the line and the column. */
function parseStackFile(file: string): { config?: Record<string, unknown> } {
    const name = path.basename(file);
    const doc = loadYaml(file) ?? {};
    if (!isMap(doc) || !(doc.config === undefined || doc.config === null || isMap(doc.config))) {
        throw new StackFileError(
            `${name}: not a stack file; allowed: a map whose config: is a map of keys, e.g. "config:\n  platform:layer: service"`,
        );
    }
    return { config: doc.config ?? {} };
}

/**
 * Reads `Pulumi.<stack>.yaml` (from `dir`, default the repository root) as the engine would:
 * the defaults of `projectDir`'s Pulumi.yaml, then the stack's values; `secure:` values become a
 * secret placeholder. Throws an UnknownStackError (listing the stacks that exist) when the file
 * does not exist, and a StackFileError naming the file (and line) when it is not valid YAML or is
 * named `.yml`.
 */
export function readStackConfig(stack: string, dir = ROOT, projectDir = ROOT): StackConfig {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        if (fs.existsSync(path.join(dir, `Pulumi.${stack}.yml`))) {
            throw ymlError(stack);
        }
        const guess = nearest(stack, allStacks(dir));
        throw new UnknownStackError(
            `no stack "${stack}": ${file} does not exist; ${guess ? `did you mean ${guess}? ` : ""}the stacks in ${dir}: ${existingStacksText(dir)}`,
        );
    }
    const doc = parseStackFile(file);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(projectDefaults(projectDir))) {
        config[key] = engineString(value);
    }
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (isSecure(value)) {
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = engineString(value);
        }
    }
    return { stack, file, config, secretKeys };
}

/**
 * The stacks that have a `Pulumi.<stack>.yaml` in `dir` for environment `env`: `<env>` and `<env>-*`.
 * Throws a StackFileError for a `Pulumi.<env>[-*].yml`, which Pulumi would ignore.
 */
export function stacksOfEnvironment(env: string, dir = ROOT): string[] {
    const belongs = (s: string) => isStackOfEnvironment(s, env);
    const yml = stacksWithExtension(dir, "yml").filter(belongs);
    if (yml.length > 0) {
        throw ymlError(yml[0]);
    }
    return allStacks(dir).filter(belongs);
}

/**
 * A copy of the stack files of `from` in a new temporary directory, with `platform:` keys set per
 * stack (`{ "dev-payment": { serviceDataPlane: "sidecar" } }`; YAML values, null removes a key):
 * an environment some key changes away from another.
 */
export function stackFilesWithKeys(
    from: string,
    set: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): string {
    const dir = tempDir("stack-files");
    for (const f of fs.readdirSync(from).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        fs.copyFileSync(path.join(from, f), path.join(dir, f));
    }
    for (const [stack, values] of Object.entries(set)) {
        setStackFileKeys(path.join(dir, `Pulumi.${stack}.yaml`), values);
    }
    return dir;
}

/**
 * Sets `platform:` keys of a stack file in place (YAML values; null removes the key), keeping
 * every other key as it is, secure (encrypted) values included.
 */
export function setStackFileKeys(file: string, values: Readonly<Record<string, unknown>>): void {
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    for (const [key, value] of Object.entries(values)) {
        if (value === null) {
            Reflect.deleteProperty(doc.config, `platform:${key}`);
        } else {
            doc.config[`platform:${key}`] = value;
        }
    }
    fs.writeFileSync(file, yaml.dump(doc, { lineWidth: -1 }));
}
