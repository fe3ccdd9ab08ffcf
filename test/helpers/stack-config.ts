import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

/** The repository root (where Pulumi.yaml is). */
export const ROOT = path.resolve(__dirname, "..", "..");

/** The value a `secure:` config value stands for in the offline plan; it is kept secret. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

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

/** JSON as Go's encoding/json writes it: object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
function goJson(value: unknown): string {
    const sorted = (v: unknown): unknown => {
        if (Array.isArray(v)) {
            return v.map(sorted);
        }
        if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])]));
        }
        return v;
    };
    const escapes: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };
    return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c]);
}

/**
 * A config value's string form as the engine hands it to the program (checked against the real
 * engine by test/integration/engine-config.test.ts): scalars as their text, lists and maps as
 * Go's JSON, so map keys arrive sorted whatever order the YAML file writes them in.
 */
export function engineString(value: unknown): string {
    return typeof value === "string" ? value : typeof value === "object" && value !== null ? goJson(value) : String(value);
}

/** The project defaults of Pulumi.yaml (`config:` declarations and plain values), as full keys. */
export function projectDefaults(root = ROOT): Record<string, unknown> {
    const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
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

/**
 * Reads `Pulumi.<stack>.yaml` (from `dir`, default the repository root) as the engine would:
 * the defaults of `projectDir`'s Pulumi.yaml, then the stack's values; `secure:` values become a
 * secret placeholder.
 */
export function readStackConfig(stack: string, dir = ROOT, projectDir = ROOT): StackConfig {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack config file ${file}`);
    }
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
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

/** The stacks that have a `Pulumi.<stack>.yaml` in `dir` for environment `env`: `<env>` and `<env>-*`. */
export function stacksOfEnvironment(env: string, dir = ROOT): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined && (s === env || s.startsWith(`${env}-`)))
        .sort();
}
