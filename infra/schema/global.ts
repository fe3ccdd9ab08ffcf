import { EnvironmentSettings } from "../../components/conventions";
import { checkCidr, checkEmail, checkRegion, checkTeam, checkTime, checkTimeZone } from "./checks";
import { KeySpec } from "./keys";
import { ConfigReader } from "./reader";

/** Keys of the global layer (stack `<env>`): the environment's settings and its network. */
export const GLOBAL_KEYS: readonly KeySpec[] = [
    {
        key: "region",
        description: "AWS region of the environment, e.g. eu-central-1. Every stack of the environment uses it.",
        type: "string",
        default: "",
        layers: ["global"],
        requiredIn: ["global"],
    },
    {
        key: "team",
        description: "Owning team (tag team-name): lower-case letters, digits and '-'.",
        type: "string",
        default: "",
        layers: ["global"],
        requiredIn: ["global"],
    },
    {
        key: "contact",
        description: "The team's e-mail address (tag contact).",
        type: "string",
        default: "",
        layers: ["global"],
        requiredIn: ["global"],
    },
    {
        key: "timeZone",
        description: "IANA time zone of the environment's working hours (tag time-zone), e.g. Europe/Berlin.",
        type: "string",
        default: "UTC",
        layers: ["global"],
    },
    {
        key: "startTime",
        description: "HH:MM (24 h, in timeZone) when a scheduler may start the environment's resources (tag start-time).",
        type: "string",
        default: "08:00",
        layers: ["global"],
    },
    {
        key: "stopTime",
        description: "HH:MM (24 h, in timeZone) when a scheduler may stop the environment's resources (tag stop-time).",
        type: "string",
        default: "20:00",
        layers: ["global"],
    },
    {
        key: "vpcCidr",
        description: "IPv4 CIDR of the environment's VPC, /16 to /24.",
        type: "string",
        default: "10.0.0.0/16",
        layers: ["global"],
    },
];

/** The validated config of a global stack. */
export interface GlobalConfig {
    readonly layer: "global";
    readonly stack: string;
    readonly environment: EnvironmentSettings;
    readonly vpcCidr: string;
}

/** Reads and checks the global layer's keys; problems are recorded in `reader.problems`. */
export function parseGlobalConfig(reader: ConfigReader, env: string): GlobalConfig {
    const environment: EnvironmentSettings = {
        env,
        region: reader.string("region", checkRegion, true),
        team: reader.string("team", checkTeam, true),
        contact: reader.string("contact", checkEmail, true),
        timeZone: reader.string("timeZone", checkTimeZone, true),
        startTime: reader.string("startTime", checkTime, true),
        stopTime: reader.string("stopTime", checkTime, true),
    };
    return {
        layer: "global",
        stack: reader.stack,
        environment,
        vpcCidr: reader.string("vpcCidr", (v) => checkCidr(v, 16, 24), true),
    };
}
