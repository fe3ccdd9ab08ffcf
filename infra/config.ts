import * as pulumi from "@pulumi/pulumi";
import { keysSetInStackFile } from "./environment";
import { ALL_KEYS, NAMESPACE, PlatformConfig, parseConfig } from "./schema";

export * from "./schema";

/**
 * Whether the engine passed a config value as a secret (`pulumi config set --secret`). The SDK
 * knows, but exports the check only at run time (not in its typings). If an SDK upgrade drops it,
 * this fails loudly instead of turning the plain-text-secret check off (test/infra/config-sdk.test.ts).
 */
export function isConfigSecret(fullKey: string): boolean {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
    if (typeof check !== "function") {
        throw new pulumi.RunError(
            "@pulumi/pulumi no longer provides runtime.isConfigSecret, which the program needs to refuse secrets set in plain text; pin @pulumi/pulumi to a version that has it",
        );
    }
    return (check as (k: string) => boolean)(fullKey);
}

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
    const plaintextSecrets: string[] = [];
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (!secretKeys.has(key)) {
            raw[key] = config.get(key);
        } else if (value !== "") {
            // Empty (Pulumi.yaml's default) means unset.
            secrets[key] = config.getSecret(key) ?? pulumi.secret(value);
            if (!isConfigSecret(fullKey)) {
                plaintextSecrets.push(key);
            }
        }
    }
    return parseConfig(pulumi.getStack(), raw, secrets, plaintextSecrets, keysSetInStackFile(pulumi.getStack()));
}
