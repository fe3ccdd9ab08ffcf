import { Owner } from "./environment";

/** The nine mandatory tag keys (README "Conventions"), in their documented order. */
export const TAG_KEYS = [
    "Name",
    "environment",
    "owner-service",
    "infra-region",
    "team-name",
    "time-zone",
    "start-time",
    "stop-time",
    "contact",
] as const;

export type TagKey = (typeof TAG_KEYS)[number];

/**
 * The eight tags every AWS resource of an owner carries besides `Name`. They are the aws
 * provider's `defaultTags`, so they are set once per stack; each resource adds its `Name`.
 */
export function ownerTags(owner: Owner): Record<Exclude<TagKey, "Name">, string> {
    const e = owner.environment;
    return {
        environment: e.env,
        "owner-service": owner.service,
        "infra-region": e.region,
        "team-name": e.team,
        "time-zone": e.timeZone,
        "start-time": e.startTime,
        "stop-time": e.stopTime,
        contact: e.contact,
    };
}

/** All nine tags of a resource: the owner's tags plus its `Name`. */
export function resourceTags(owner: Owner, name: string): Record<TagKey, string> {
    return { Name: name, ...ownerTags(owner) };
}

/** The tag keys of the nine that `tags` lacks or leaves empty, in the order of TAG_KEYS. */
export function missingTags(tags: Record<string, unknown> | undefined): TagKey[] {
    return TAG_KEYS.filter((key) => {
        const value = tags?.[key];
        return typeof value !== "string" || value.length === 0;
    });
}
