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

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
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
 * Pulumi.yaml's defaults, then the stack's values; `secure:` values become a secret placeholder.
 */
export function readStackConfig(stack: string, dir = ROOT): StackConfig {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack config file ${file}`);
    }
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(projectDefaults())) {
        config[key] = encode(value);
    }
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (isSecure(value)) {
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = encode(value);
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
