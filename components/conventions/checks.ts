import { awsRegions, isAwsRegion } from "./regions";
import { nearest } from "../config/nearest";

/**
 * Pure checks of the environment's settings (./config.ts). Each returns a message saying what is
 * wrong and what is allowed, or undefined when the value is fine.
 */

/** `HH:MM`, 24 h. */
const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** A pragmatic e-mail shape: local part, `@`, a domain with a dot. */
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
/** A team name that is also a valid Kubernetes label value. */
const TEAM = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function checkTime(value: string): string | undefined {
    return HH_MM.test(value) ? undefined : "not a time; allowed: HH:MM on a 24-hour clock, e.g. 08:00 or 19:30";
}

export function checkEmail(value: string): string | undefined {
    return EMAIL.test(value)
        ? undefined
        : "not an e-mail address; allowed: name@domain, e.g. platform-team@example.com";
}

export function checkRegion(value: string): string | undefined {
    if (isAwsRegion(value)) {
        return undefined;
    }
    const guess = nearest(value, awsRegions());
    return `unknown AWS region; ${guess ? `did you mean ${guess}? ` : ""}allowed: ${awsRegions().join(", ")}`;
}

/** Why startTime and stopTime cannot go together, or undefined: the schedules must fire at different minutes. */
export function checkStopTime(stopTime: string, startTime: string): string | undefined {
    return stopTime === startTime
        ? `equal to startTime: the start and stop schedules would fire at the same minute; allowed: any HH:MM other than ${startTime}`
        : undefined;
}

export function checkTeam(value: string): string | undefined {
    return TEAM.test(value) && value.length <= 63
        ? undefined
        : "not a team name; allowed: lower-case letters, digits and single '-', at most 63 characters, e.g. platform-team";
}

/**
 * An IANA time zone as the tz database spells it (`Europe/Berlin`, `Asia/Kolkata`, `UTC`): the
 * value is written into tags and schedules as given. ICU also accepts other capitalisations
 * (`europe/berlin`), which are refused; its own canonical IDs are sometimes legacy aliases
 * (`Asia/Calcutta` for `Asia/Kolkata`), so any name it accepts in tz spelling passes.
 */
export function checkTimeZone(value: string): string | undefined {
    let resolved: string;
    try {
        resolved = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
    } catch {
        return "unknown time zone; allowed: an IANA time zone, e.g. Europe/Berlin, America/New_York or UTC";
    }
    if (resolved !== value && resolved.toLowerCase() === value.toLowerCase()) {
        return `not the tz database's spelling; use ${JSON.stringify(resolved)}`;
    }
    // Every part of a tz database name starts with a capital letter (Etc/GMT+5, America/Port-au-Prince).
    if (!value.split("/").every((part) => /^[A-Z]/.test(part))) {
        return "not the tz database's spelling; allowed: each part capitalised as in the tz database, e.g. Asia/Kolkata";
    }
    return undefined;
}
