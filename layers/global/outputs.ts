import { EnvironmentSettings } from "@platform/components/conventions";
import { OutputDocs } from "../outputs";

/** The outputs of a global stack (`<env>`), read by every other stack of the environment. */
export interface GlobalOutputs {
    env: string;
    region: string;
    team: string;
    contact: string;
    timeZone: string;
    startTime: string;
    stopTime: string;
    /**
     * Whether the environment is production: `npm run env -- destroy --unprotect` refuses it.
     * Absent from a global stack deployed before the key existed (read as production).
     */
    production?: boolean;
    vpcId: string;
    vpcCidr: string;
    availabilityZones: string[];
    publicSubnetIds: string[];
    privateSubnetIds: string[];
    natGatewayIds: string[];
    privateZoneId: string;
    privateZoneName: string;
    /** The name reserved for the environment's EKS cluster (created by the common stack). */
    clusterName: string;
}

export const GLOBAL_OUTPUTS: OutputDocs<GlobalOutputs> = {
    env: { kind: "string", description: "Environment name, e.g. dev." },
    region: { kind: "string", description: "AWS region of the environment." },
    team: { kind: "string", description: "Owning team (tag team-name)." },
    contact: { kind: "string", description: "The team's e-mail address (tag contact)." },
    timeZone: { kind: "string", description: "IANA time zone of the environment (tag time-zone)." },
    startTime: { kind: "string", description: "HH:MM when a scheduler may start resources (tag start-time)." },
    stopTime: { kind: "string", description: "HH:MM when a scheduler may stop resources (tag stop-time)." },
    production: {
        kind: "boolean",
        description:
            "Whether the environment is production (config production); the teardown (npm run env -- destroy --unprotect) reads it and refuses a production environment.",
        // No other stack needs it, and a global stack deployed before the key existed lacks it.
        optional: true,
    },
    vpcId: { kind: "string", description: "ID of the environment's VPC." },
    vpcCidr: { kind: "string", description: "IPv4 CIDR of the VPC." },
    availabilityZones: { kind: "string[]", description: "The availability zones the subnets span, in subnet order." },
    publicSubnetIds: {
        kind: "string[]",
        description: "Public subnet IDs, one per availability zone (load balancers).",
    },
    privateSubnetIds: {
        kind: "string[]",
        description: "Private subnet IDs, one per availability zone (nodes and pods).",
    },
    natGatewayIds: { kind: "string[]", description: "NAT gateway IDs (one, or one per availability zone)." },
    privateZoneId: { kind: "string", description: "ID of the environment's Route53 private hosted zone." },
    privateZoneName: { kind: "string", description: "Name of the private hosted zone, e.g. dev.internal.example.com." },
    clusterName: {
        kind: "string",
        description: "Name reserved for the environment's EKS cluster; the common stack creates it.",
    },
};

/** The environment's settings as the global stack exports them. */
export function environmentOutputs(environment: EnvironmentSettings): Pick<GlobalOutputs, keyof EnvironmentSettings> {
    const { env, region, team, contact, timeZone, startTime, stopTime } = environment;
    return { env, region, team, contact, timeZone, startTime, stopTime };
}

/** The environment's settings as read back from the global stack's outputs. */
export function environmentOf(global: GlobalOutputs): EnvironmentSettings {
    const { env, region, team, contact, timeZone, startTime, stopTime } = global;
    return { env, region, team, contact, timeZone, startTime, stopTime };
}
