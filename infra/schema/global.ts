import { EnvironmentSettings } from "../../components/conventions";
import {
    DEFAULT_FLOW_LOG_RETENTION_DAYS,
    DEFAULT_ZONE_COUNT,
    INTERFACE_ENDPOINT_SERVICES,
    LOG_RETENTION_DAYS,
    MAX_ZONES,
    MIN_ZONES,
    NAT_STRATEGIES,
    NatStrategy,
    NetworkSettings,
    validateNetworkArgs,
} from "../../components/network";
import { checkCidr, checkEmail, checkRegion, checkStopTime, checkTeam, checkTime, checkTimeZone } from "./checks";
import { KeySpec } from "./keys";
import { ConfigReader } from "./reader";

/** Keys of the global layer (stack `<env>`): the environment's settings and its network. */
export const GLOBAL_KEYS: readonly KeySpec[] = [
    {
        key: "region",
        description: "AWS region of the environment, e.g. eu-central-1: one of the regions the AWS provider knows. Every stack of the environment uses it.",
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
        description: "HH:MM (24 h, in timeZone) when a scheduler may stop the environment's resources (tag stop-time); not equal to startTime.",
        type: "string",
        default: "20:00",
        layers: ["global"],
    },
    {
        key: "vpcCidr",
        description:
            "IPv4 CIDR of the environment's VPC, /16 to /24. Subnets are derived from it unless publicSubnetCidrs and privateSubnetCidrs are set: private subnets take the first half of the VPC (a /16 over 3 zones gives /19s, 8187 usable pod and node addresses each: the VPC CNI gives every pod a VPC address), public ones 8 times smaller in the second half. Deriving needs a /21 or larger VPC for 3 zones.",
        type: "string",
        default: "10.0.0.0/16",
        layers: ["global"],
    },
    {
        key: "availabilityZoneCount",
        description: `How many availability zones the subnets span, ${MIN_ZONES} to ${MAX_ZONES}; the region's first zones that need no opt-in. Ignored when availabilityZones is set.`,
        type: "integer",
        default: DEFAULT_ZONE_COUNT,
        layers: ["global"],
    },
    {
        key: "availabilityZones",
        description: "Explicit availability zones in subnet order, e.g. [eu-central-1a, eu-central-1b, eu-central-1c]; empty to take the first availabilityZoneCount zones of the region.",
        type: "string[]",
        default: [],
        layers: ["global"],
    },
    {
        key: "publicSubnetCidrs",
        description: "Explicit public subnet CIDRs, one per zone, inside vpcCidr, /28 or larger, not overlapping; empty to derive them from vpcCidr (set both lists or neither).",
        type: "string[]",
        default: [],
        layers: ["global"],
    },
    {
        key: "privateSubnetCidrs",
        description: "Explicit private subnet CIDRs, one per zone, inside vpcCidr, not overlapping; each /24 or larger, because with the VPC CNI every pod takes an address of its node's subnet; empty to derive them from vpcCidr.",
        type: "string[]",
        default: [],
        layers: ["global"],
    },
    {
        key: "natStrategy",
        description: `NAT gateways: perAz (one per zone, survives a zone outage; production) or single (one for all zones, cheaper; dev). Allowed: ${NAT_STRATEGIES.join(", ")}.`,
        type: "string",
        default: "perAz",
        layers: ["global"],
    },
    {
        key: "flowLogRetentionDays",
        description: `Retention of the VPC flow log's CloudWatch log group, in days; one of ${LOG_RETENTION_DAYS.join(", ")}.`,
        type: "integer",
        default: DEFAULT_FLOW_LOG_RETENTION_DAYS,
        layers: ["global"],
    },
    {
        key: "kmsKeyAdminArns",
        description:
            "IAM role or user ARNs that administer the layer's customer-managed KMS keys (flow-log key in the global stack; EKS secrets and control-plane log keys in the common stack): manage, rotate, re-policy and delete them, never encrypt or decrypt. At least one; the role that runs pulumi up must be listed. Set in each of the two stacks.",
        type: "string[]",
        default: [],
        layers: ["global", "common"],
        requiredIn: ["global", "common"],
    },
    {
        key: "interfaceEndpointServices",
        description: `Interface VPC endpoints to create in the private subnets (private DNS on), e.g. [ecr.api, ecr.dkr, sts, logs]; each costs per hour and zone. The S3 gateway endpoint always exists. Allowed: ${Object.keys(INTERFACE_ENDPOINT_SERVICES).join(", ")}.`,
        type: "string[]",
        default: [],
        layers: ["global"],
    },
    {
        key: "privateZoneName",
        description: "Name of the environment's Route53 private hosted zone, e.g. dev.internal.example.com; empty for <env>.internal.",
        type: "string",
        default: "",
        layers: ["global"],
    },
    {
        key: "publicZoneName",
        description: "Name of a Route53 public hosted zone to create for the environment, e.g. dev.example.com; empty for none.",
        type: "string",
        default: "",
        layers: ["global"],
    },
];

/** The validated config of a global stack. */
export interface GlobalConfig {
    readonly layer: "global";
    readonly stack: string;
    readonly environment: EnvironmentSettings;
    readonly vpcCidr: string;
    /** The network's settings, checked and with every default applied. */
    readonly network: NetworkSettings;
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
    if (environment.startTime !== "" && checkTime(environment.startTime) === undefined) {
        const message = checkStopTime(environment.stopTime, environment.startTime);
        if (message) {
            reader.problems.add("stopTime", environment.stopTime, message);
        }
    }
    const vpcCidr = reader.string("vpcCidr", (v) => checkCidr(v, 16, 24), true);
    return {
        layer: "global",
        stack: reader.stack,
        environment,
        vpcCidr,
        network: parseNetwork(reader, environment, vpcCidr),
    };
}

/** An optional string key: undefined when unset (empty). */
function optional(value: string): string | undefined {
    return value === "" ? undefined : value;
}

/**
 * The network's keys, checked by the Network component's own pure validation (the same subnet
 * plan the component builds), so every network problem is reported here, against its config key,
 * before any resource exists.
 */
function parseNetwork(reader: ConfigReader, environment: EnvironmentSettings, vpcCidr: string): NetworkSettings {
    // vpcCidr's own check (above) already reported a bad VPC CIDR; report the rest of the plan here.
    const vpcCidrReported = reader.problems.all.some((p) => p.path === `${reader.problems.prefix}vpcCidr`);
    const args = {
        vpcCidr,
        availabilityZoneCount: reader.value("availabilityZoneCount") as number,
        availabilityZones: reader.strings("availabilityZones"),
        publicSubnetCidrs: reader.strings("publicSubnetCidrs"),
        privateSubnetCidrs: reader.strings("privateSubnetCidrs"),
        natStrategy: reader.string("natStrategy") as NatStrategy,
        flowLogRetentionDays: reader.value("flowLogRetentionDays") as number,
        kmsKeyAdminArns: reader.strings("kmsKeyAdminArns"),
        interfaceEndpointServices: reader.strings("interfaceEndpointServices"),
        // Unset (empty) means the component's default, <env>.internal.
        privateZoneName: optional(reader.string("privateZoneName")),
        publicZoneName: reader.string("publicZoneName"),
    };
    const { settings, problems } = validateNetworkArgs(args, environment.env, environment.region);
    for (const p of problems) {
        // A derived private zone name (<env>.internal) is only bad when the env is, and the
        // stack name's check has reported that already.
        const derivedZone = p.path === "privateZoneName" && args.privateZoneName === undefined;
        if (!(p.path === "vpcCidr" && vpcCidrReported) && !derivedZone) {
            reader.problems.add(p.path, p.value, p.message);
        }
    }
    return (
        settings ?? {
            vpcCidr,
            availabilityZones: [],
            zoneCount: DEFAULT_ZONE_COUNT,
            subnets: { publicSubnetCidrs: [], privateSubnetCidrs: [] },
            natStrategy: "perAz",
            flowLogRetentionDays: DEFAULT_FLOW_LOG_RETENTION_DAYS,
            kmsKeyAdminArns: [],
            interfaceEndpointServices: [],
            privateZoneName: "",
            publicZoneName: "",
        }
    );
}
