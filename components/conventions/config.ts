/**
 * The environment's config slice: the global stack's keys that every stack of the environment
 * takes from it (region, team, contact, working hours), which become the owner tags and labels of
 * every resource (./tags.ts, ./labels.ts).
 */
import { configKey, configSlice, requiredString } from "../config";
import { checkEmail, checkRegion, checkStopTime, checkTeam, checkTime, checkTimeZone } from "./checks";
import { EnvironmentSettings } from "./environment";

export const ENVIRONMENT_CONFIG = configSlice(
    {
        region: configKey(requiredString(checkRegion), "", {
            description:
                "AWS region of the environment, e.g. eu-central-1: one of the regions the AWS provider knows. Every stack of the environment uses it.",
            mandatory: true,
        }),
        team: configKey(requiredString(checkTeam), "", {
            description: "Owning team (tag team-name): lower-case letters, digits and '-'.",
            mandatory: true,
        }),
        contact: configKey(requiredString(checkEmail), "", {
            description: "The team's e-mail address (tag contact).",
            mandatory: true,
        }),
        timeZone: configKey(requiredString(checkTimeZone), "UTC", {
            description: "IANA time zone of the environment's working hours (tag time-zone), e.g. Europe/Berlin.",
        }),
        startTime: configKey(requiredString(checkTime), "08:00", {
            description:
                "HH:MM (24 h, in timeZone) when a scheduler may start the environment's resources (tag start-time).",
        }),
        stopTime: configKey(requiredString(checkTime), "20:00", {
            description:
                "HH:MM (24 h, in timeZone) when a scheduler may stop the environment's resources (tag stop-time); not equal to startTime.",
        }),
    },
    // The environment's name is the stack's (the layer gives it).
    (v, { problems, refused }, env: string): EnvironmentSettings => {
        if (!refused.has("startTime") && !refused.has("stopTime")) {
            problems.add("stopTime", v.stopTime, checkStopTime(v.stopTime, v.startTime));
        }
        return { env, ...v };
    },
);
