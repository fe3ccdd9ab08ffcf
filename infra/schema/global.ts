import { z } from "zod";
import { EnvironmentSettings } from "../../components/conventions";
// The network's checks and constants, not its component (network.ts, which loads @pulumi/aws): every
// stack's config check loads this schema, a service stack's too.
import { LOG_RETENTION_DAYS } from "../../components/cloudwatch";
import { DEFAULT_ZONE_COUNT, MAX_ZONES, MIN_ZONES } from "../../components/network/cidr";
import { INTERFACE_ENDPOINT_SERVICES } from "../../components/network/endpoints";
import {
    DEFAULT_FLOW_LOG_RETENTION_DAYS,
    NAT_STRATEGIES,
    NetworkSettings,
    validateNetworkArgs,
} from "../../components/network/settings";
import { checkCidr, checkEmail, checkRegion, checkStopTime, checkTeam, checkTime, checkTimeZone } from "./checks";
import { configKey, requiredString, wholeNumber } from "./keys";
import { ConfigProblems } from "./problems";

const global = ["global"] as const;

/**
 * The global layer's keys (stack `<env>`): the environment's settings and its network. Value
 * checks are the area's own (components/network, ./checks); the checks across keys (the subnet
 * plan, stopTime against startTime) run in parseGlobalConfig.
 */
export const GLOBAL_SHAPE = {
    region: configKey(requiredString(checkRegion), "", {
        description:
            "AWS region of the environment, e.g. eu-central-1: one of the regions the AWS provider knows. Every stack of the environment uses it.",
        layers: global,
        requiredIn: global,
    }),
    team: configKey(requiredString(checkTeam), "", {
        description: "Owning team (tag team-name): lower-case letters, digits and '-'.",
        layers: global,
        requiredIn: global,
    }),
    contact: configKey(requiredString(checkEmail), "", {
        description: "The team's e-mail address (tag contact).",
        layers: global,
        requiredIn: global,
    }),
    timeZone: configKey(requiredString(checkTimeZone), "UTC", {
        description: "IANA time zone of the environment's working hours (tag time-zone), e.g. Europe/Berlin.",
        layers: global,
    }),
    startTime: configKey(requiredString(checkTime), "08:00", {
        description:
            "HH:MM (24 h, in timeZone) when a scheduler may start the environment's resources (tag start-time).",
        layers: global,
    }),
    stopTime: configKey(requiredString(checkTime), "20:00", {
        description:
            "HH:MM (24 h, in timeZone) when a scheduler may stop the environment's resources (tag stop-time); not equal to startTime.",
        layers: global,
    }),
    // True by default: an environment is production unless its global stack says otherwise, so a
    // file written without the key (or a key lost in a copy) can never make one removable. Marking
    // one disposable is a reviewed change of this file and an `up` of the global stack (the teardown
    // reads the deployed output too), then a destroy that names the environment.
    production: configKey(z.boolean(), true, {
        description:
            "Whether the environment is production: true (the default) refuses its teardown (npm run env -- destroy --unprotect); set false in the global stack of a review or throw-away environment, then deploy it, to allow one. Protected resources are protected either way.",
        layers: global,
    }),
    vpcCidr: configKey(
        requiredString((v) => checkCidr(v, 16, 24)),
        "10.0.0.0/16",
        {
            description:
                "IPv4 CIDR of the environment's VPC, /16 to /24. Subnets are derived from it unless publicSubnetCidrs and privateSubnetCidrs are set: private subnets take the first half of the VPC (a /16 over 3 zones gives /19s, 8187 usable pod and node addresses each: the VPC CNI gives every pod a VPC address), public ones 8 times smaller in the second half. Deriving needs a /21 or larger VPC for 3 zones.",
            layers: global,
        },
    ),
    // The network's keys are checked by the Network component's own validation (parseNetwork).
    availabilityZoneCount: configKey(wholeNumber(), DEFAULT_ZONE_COUNT, {
        description: `How many availability zones the subnets span, ${MIN_ZONES} to ${MAX_ZONES}; the region's first zones that need no opt-in. Ignored when availabilityZones is set.`,
        layers: global,
    }),
    availabilityZones: configKey(z.array(z.string()), [], {
        description:
            "Explicit availability zones in subnet order, e.g. [eu-central-1a, eu-central-1b, eu-central-1c]; empty to take the first availabilityZoneCount zones of the region.",
        layers: global,
    }),
    publicSubnetCidrs: configKey(z.array(z.string()), [], {
        description:
            "Explicit public subnet CIDRs, one per zone, inside vpcCidr, /28 or larger, not overlapping; empty to derive them from vpcCidr (set both lists or neither).",
        layers: global,
    }),
    privateSubnetCidrs: configKey(z.array(z.string()), [], {
        description:
            "Explicit private subnet CIDRs, one per zone, inside vpcCidr, not overlapping; each /24 or larger, because with the VPC CNI every pod takes an address of its node's subnet; empty to derive them from vpcCidr.",
        layers: global,
    }),
    natStrategy: configKey(z.string(), "perAz", {
        description: `NAT gateways: perAz (one per zone, survives a zone outage; production) or single (one for all zones, cheaper; dev). Allowed: ${NAT_STRATEGIES.join(", ")}.`,
        layers: global,
    }),
    flowLogRetentionDays: configKey(wholeNumber(), DEFAULT_FLOW_LOG_RETENTION_DAYS, {
        description: `Retention of the VPC flow log's CloudWatch log group, in days; one of ${LOG_RETENTION_DAYS.join(", ")}.`,
        layers: global,
    }),
    kmsKeyAdminArns: configKey(z.array(z.string()), [], {
        description:
            "IAM role or user ARNs that administer the layer's customer-managed KMS keys (flow-log key in the global stack; EKS secrets and control-plane log keys in the common stack): manage, rotate, re-policy and delete them, never encrypt or decrypt. At least one; the role that runs pulumi up must be listed. Set in each of the two stacks.",
        layers: ["global", "common"],
        requiredIn: ["global", "common"],
    }),
    interfaceEndpointServices: configKey(z.array(z.string()), [], {
        description: `Interface VPC endpoints to create in the private subnets (private DNS on), e.g. [ecr.api, ecr.dkr, sts, logs]; each costs per hour and zone. The S3 gateway endpoint always exists. Allowed: ${Object.keys(INTERFACE_ENDPOINT_SERVICES).join(", ")}.`,
        layers: global,
    }),
    privateZoneName: configKey(z.string(), "", {
        description:
            "Name of the environment's Route53 private hosted zone, e.g. dev.internal.example.com; empty for <env>.internal.",
        layers: global,
    }),
    publicZoneName: configKey(z.string(), "", {
        description:
            "Name of a Route53 public hosted zone to create for the environment, e.g. dev.example.com; empty for none.",
        layers: global,
    }),
};

/** The parsed values of the global layer's keys. */
export type GlobalValues = z.output<z.ZodObject<typeof GLOBAL_SHAPE>>;

/** The validated config of a global stack. */
export interface GlobalConfig {
    readonly layer: "global";
    readonly stack: string;
    readonly environment: EnvironmentSettings;
    /** Whether the environment is production (its teardown is refused). */
    readonly production: boolean;
    readonly vpcCidr: string;
    /** The network's settings, checked and with every default applied. */
    readonly network: NetworkSettings;
}

/**
 * The global stack's config from its parsed keys: the checks across keys (stopTime against
 * startTime, the subnet plan and the rest of the network); problems go to `problems`.
 */
export function parseGlobalConfig(v: GlobalValues, stack: string, env: string, problems: ConfigProblems): GlobalConfig {
    const environment: EnvironmentSettings = {
        env,
        region: v.region,
        team: v.team,
        contact: v.contact,
        timeZone: v.timeZone,
        startTime: v.startTime,
        stopTime: v.stopTime,
    };
    if (checkTime(v.startTime) === undefined && checkTime(v.stopTime) === undefined) {
        problems.add("stopTime", v.stopTime, checkStopTime(v.stopTime, v.startTime));
    }
    return {
        layer: "global",
        stack,
        environment,
        production: v.production,
        vpcCidr: v.vpcCidr,
        network: parseNetwork(v, env, problems),
    };
}

/**
 * The network's keys, checked by the Network component's own pure validation (the same subnet
 * plan the component builds), so every network problem is reported here, against its config key,
 * before any resource exists.
 */
function parseNetwork(v: GlobalValues, env: string, problems: ConfigProblems): NetworkSettings {
    // vpcCidr's own check already reported a bad VPC CIDR; report the rest of the plan here.
    const vpcCidrReported = problems.all.some((p) => p.path === `${problems.prefix}vpcCidr`);
    const args = {
        vpcCidr: v.vpcCidr,
        availabilityZoneCount: v.availabilityZoneCount,
        availabilityZones: v.availabilityZones,
        publicSubnetCidrs: v.publicSubnetCidrs,
        privateSubnetCidrs: v.privateSubnetCidrs,
        natStrategy: v.natStrategy,
        flowLogRetentionDays: v.flowLogRetentionDays,
        kmsKeyAdminArns: v.kmsKeyAdminArns,
        interfaceEndpointServices: v.interfaceEndpointServices,
        // Unset (empty) means the component's default, <env>.internal.
        privateZoneName: v.privateZoneName === "" ? undefined : v.privateZoneName,
        publicZoneName: v.publicZoneName,
    };
    const { settings, problems: networkProblems } = validateNetworkArgs(args, env, v.region);
    for (const p of networkProblems) {
        // A derived private zone name (<env>.internal) is only bad when the env is, and the
        // stack name's check has reported that already.
        const derivedZone = p.path === "privateZoneName" && args.privateZoneName === undefined;
        if (!(p.path === "vpcCidr" && vpcCidrReported) && !derivedZone) {
            problems.add(p.path, p.value, p.message);
        }
    }
    return (
        settings ?? {
            vpcCidr: v.vpcCidr,
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
