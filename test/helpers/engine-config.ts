import * as path from "path";
import { SECRET_PLACEHOLDER, StackConfig } from "../../plan/stack-config";

/** A project of its own whose stack files hold every kind of config value the engine encodes. */
export const FIXTURE_DIR = path.join(__dirname, "..", "fixtures", "engine-config");

/** What the real engine handed the capture program for each stack of FIXTURE_DIR (written by the integration suite). */
export const RECORDED_FILE = path.join(FIXTURE_DIR, "recorded.json");

/** The config a program receives: full keys to their string form, and the keys that are secret. */
export interface CapturedConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/**
 * Every difference between the harness's config of a stack and the engine's, one line each with
 * both values: a key only one of them has, a value that differs (compared as text, exactly what the
 * program reads), a secret that is not secret in the other. Secret values are compared only for
 * being secret: the harness never holds their plain text.
 */
export function configDifferences(harness: StackConfig, engine: CapturedConfig): string[] {
    const out: string[] = [];
    const keys = [...new Set([...Object.keys(harness.config), ...Object.keys(engine.config)])].sort();
    const harnessSecret = new Set(harness.secretKeys);
    const engineSecret = new Set(engine.secretKeys);
    for (const key of keys) {
        const h = harness.config[key];
        const e = engine.config[key];
        if (h === undefined) {
            out.push(`${key}: the engine passes ${JSON.stringify(e)}, the harness nothing`);
        } else if (e === undefined) {
            out.push(`${key}: the harness passes ${JSON.stringify(h)}, the engine nothing`);
        } else if (harnessSecret.has(key) !== engineSecret.has(key)) {
            out.push(`${key}: secret for the ${harnessSecret.has(key) ? "harness" : "engine"} only`);
        } else if (!harnessSecret.has(key) && h !== e && !(h === SECRET_PLACEHOLDER && e === SECRET_PLACEHOLDER)) {
            out.push(`${key}: the harness passes ${JSON.stringify(h)}, the engine ${JSON.stringify(e)}`);
        }
    }
    return out;
}
