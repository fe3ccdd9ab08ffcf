/** Checks of availability zone names, as plain functions. */

/** Why `zone` is not an availability zone of `region` (e.g. `eu-central-1a`), or undefined when it is one. */
export function checkAvailabilityZone(zone: string, region: string): string | undefined {
    const shape = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9][a-z]$/;
    if (!shape.test(zone)) {
        return `not an availability zone name; allowed: the region followed by a letter, e.g. ${region || "eu-central-1"}a`;
    }
    if (region !== "" && zone.slice(0, -1) !== region) {
        return `not in the environment's region ${region}; allowed: ${region}a, ${region}b, ...`;
    }
    return undefined;
}
