import * as pulumi from "@pulumi/pulumi";
import { ALL_KEYS, NAMESPACE, PlatformConfig, parseConfig } from "./schema";

export * from "./schema";

/**
 * Reads this stack's config — the only place in the program that does — and returns it
 * validated and typed. Throws one ConfigError listing every problem before anything is created.
 */
export function loadConfig(): PlatformConfig {
    const config = new pulumi.Config(NAMESPACE);
    const prefix = `${NAMESPACE}:`;
    const secretKeys = new Set(ALL_KEYS.filter((k) => k.secret).map((k) => k.key));
    const raw: Record<string, string | undefined> = {};
    const secrets: Record<string, pulumi.Output<string>> = {};
    for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (secretKeys.has(key)) {
            const secret = config.getSecret(key);
            if (secret !== undefined) {
                secrets[key] = secret;
            }
        } else {
            raw[key] = config.get(key);
        }
    }
    return parseConfig(pulumi.getStack(), raw, secrets);
}
