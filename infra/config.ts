import * as pulumi from "@pulumi/pulumi";
import { keysSetInStackFile, keysWithoutNamespace, stackConfigDir } from "./environment";
import { isConfigSecret } from "./sdk";
import {
    ALL_KEYS,
    NAMESPACE,
    PlatformConfig,
    configError,
    isConfigError,
    parseConfig,
    unnamespacedKeyProblems,
} from "../layers/config";

export * from "../layers/config";

// The SDK's secret-key check is an SDK internal: it lives with the others in infra/sdk.ts.
export { isConfigSecret };

/**
 * Reads this stack's config — the only place in the program that does — and returns it
 * validated and typed. Throws one ConfigError listing every problem before anything is created.
 */
export function loadConfig(): PlatformConfig {
    return parseEngineConfig(pulumi.getStack(), pulumi.runtime.allConfig(), isConfigSecret);
}

/**
 * Validates a stack's config as the engine hands it to the program: full keys (`platform:layer`)
 * to their string form, and whether each was set as a secret; `dir` is the folder of the stack's
 * file (what it sets itself, and the keys it writes without `platform:`). Keys of other namespaces are
 * ignored. `npm run env` checks every stack with it before running any.
 */
export function parseEngineConfig(
    stack: string,
    all: Readonly<Record<string, string>>,
    isSecret: (fullKey: string) => boolean,
    dir = stackConfigDir(),
): PlatformConfig {
    const prefix = `${NAMESPACE}:`;
    const secretKeys = new Set(ALL_KEYS.filter((k) => k.secret).map((k) => k.key));
    const raw: Record<string, string | undefined> = {};
    const secrets: Record<string, pulumi.Output<string>> = {};
    const plaintextSecrets: string[] = [];
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (!secretKeys.has(key)) {
            raw[key] = value;
        } else if (value !== "") {
            // Empty (Pulumi.yaml's default) means unset.
            secrets[key] = pulumi.secret(value);
            if (!isSecret(fullKey)) {
                plaintextSecrets.push(key);
            }
        }
    }
    // Keys the stack file writes without `platform:` come first, with every other problem of the stack.
    const bare = unnamespacedKeyProblems(keysWithoutNamespace(stack, dir));
    let config: PlatformConfig;
    try {
        config = parseConfig(stack, raw, secrets, plaintextSecrets, keysSetInStackFile(stack, dir));
    } catch (err) {
        throw isConfigError(err) && bare.length > 0 ? configError(stack, [...bare, ...err.problems], err.notes) : err;
    }
    if (bare.length > 0) {
        throw configError(stack, bare);
    }
    return config;
}
