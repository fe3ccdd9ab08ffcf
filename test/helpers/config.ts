/** Builds a stack's engine config (full keys to strings) from short keys, for tests. */
export function platformConfig(values: Record<string, unknown>): Record<string, string> {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        config[key.includes(":") ? key : `platform:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

/** The dev global stack's config, as in Pulumi.dev.yaml's environment settings. */
export const DEV_GLOBAL_CONFIG = {
    layer: "global",
    region: "eu-central-1",
    team: "platform-team",
    contact: "platform-team@example.com",
    timeZone: "Europe/Berlin",
    startTime: "07:00",
    stopTime: "19:00",
    vpcCidr: "10.20.0.0/16",
};
