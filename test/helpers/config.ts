import { DEV_ENVIRONMENT } from "./fixtures";

/** Builds a stack's engine config (full keys to strings) from short keys, for tests. */
export function platformConfig(values: Record<string, unknown>): Record<string, string> {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        config[key.includes(":") ? key : `platform:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

/** The administrators of the KMS keys, as the dev stacks name them (required in global and common). */
export const KMS_KEY_ADMIN_ARNS = ["arn:aws:iam::123456789012:role/platform-admins"];

/** The dev global stack's config, as in test/fixtures/stacks/Pulumi.dev.yaml's environment settings. */
// The environment name is the stack name, not a config key.
const { env, ...settings } = DEV_ENVIRONMENT;
export const DEV_GLOBAL_CONFIG = {
    layer: "global",
    ...settings,
    vpcCidr: "10.20.0.0/16",
    kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS,
};

/** The least config of a common stack: its layer and the required key admins. */
export const MINIMAL_COMMON_CONFIG = { layer: "common", kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS };
