/**
 * The Network's config slice: the global stack's keys that shape the environment's network, named
 * as the component's arguments. They are checked by the component's own validation
 * (`validateNetworkArgs`: the same subnet plan the component builds), so every network problem is
 * reported against its config key before any resource exists.
 */
import { z } from "zod";
import { configKey, configSlice, requiredString, wholeNumber } from "../config";
import { checkCidr } from "./ipv4";
import { KMS_KEY_ADMINS_KEY } from "../kms/config";
import { LOG_RETENTION_DAYS } from "../cloudwatch";
import { INTERFACE_ENDPOINT_SERVICES } from "./endpoints";
import type { NetworkArgs } from "./network";
import {
    DEFAULT_FLOW_LOG_RETENTION_DAYS,
    NAT_STRATEGIES,
    NETWORK_DEFAULTS,
    NetworkOptions,
    validateNetworkArgs,
} from "./settings";
import { DEFAULT_ZONE_COUNT, MAX_ZONES, MIN_ZONES } from "./cidr";

/** What the global layer passes the Network from config: its arguments but the owner, providers and cluster name. */
export type NetworkConfig = Omit<NetworkArgs, "owner" | "providers" | "clusterName">;

export const NETWORK_CONFIG = configSlice(
    {
        vpcCidr: configKey(
            requiredString((v) => checkCidr(v, 16, 24)),
            "10.0.0.0/16",
            {
                description:
                    "IPv4 CIDR of the environment's VPC, /16 to /24. Subnets are derived from it unless publicSubnetCidrs and privateSubnetCidrs are set: private subnets take the first half of the VPC (a /16 over 3 zones gives /19s, 8187 usable pod and node addresses each: the VPC CNI gives every pod a VPC address), public ones 8 times smaller in the second half. Deriving needs a /21 or larger VPC for 3 zones.",
            },
        ),
        // The other keys are checked by the component's own validation, in `settings` below.
        availabilityZoneCount: configKey(wholeNumber(), DEFAULT_ZONE_COUNT, {
            description: `How many availability zones the subnets span, ${MIN_ZONES} to ${MAX_ZONES}; the region's first zones that need no opt-in. Ignored when availabilityZones is set.`,
        }),
        availabilityZones: configKey(z.array(z.string()), [], {
            description:
                "Explicit availability zones in subnet order, e.g. [eu-central-1a, eu-central-1b, eu-central-1c]; empty to take the first availabilityZoneCount zones of the region.",
        }),
        publicSubnetCidrs: configKey(z.array(z.string()), [], {
            description:
                "Explicit public subnet CIDRs, one per zone, inside vpcCidr, /28 or larger, not overlapping; empty to derive them from vpcCidr (set both lists or neither).",
        }),
        privateSubnetCidrs: configKey(z.array(z.string()), [], {
            description:
                "Explicit private subnet CIDRs, one per zone, inside vpcCidr, not overlapping; each /24 or larger, because with the VPC CNI every pod takes an address of its node's subnet; empty to derive them from vpcCidr.",
        }),
        natStrategy: configKey(z.string(), NETWORK_DEFAULTS.natStrategy, {
            description: `NAT gateways: perAz (one per zone, survives a zone outage; production) or single (one for all zones, cheaper; dev). Allowed: ${NAT_STRATEGIES.join(", ")}.`,
        }),
        flowLogRetentionDays: configKey(wholeNumber(), DEFAULT_FLOW_LOG_RETENTION_DAYS, {
            description: `Retention of the VPC flow log's CloudWatch log group, in days; one of ${LOG_RETENTION_DAYS.join(", ")}.`,
        }),
        kmsKeyAdminArns: KMS_KEY_ADMINS_KEY,
        interfaceEndpointServices: configKey(z.array(z.string()), [], {
            description: `Interface VPC endpoints to create in the private subnets (private DNS on), e.g. [ecr.api, ecr.dkr, sts, logs]; each costs per hour and zone. The S3 gateway endpoint always exists. Allowed: ${Object.keys(INTERFACE_ENDPOINT_SERVICES).join(", ")}.`,
        }),
        privateZoneName: configKey(z.string(), "", {
            description:
                "Name of the environment's Route53 private hosted zone, e.g. dev.internal.example.com; empty for <env>.internal.",
        }),
        publicZoneName: configKey(z.string(), NETWORK_DEFAULTS.publicZoneName, {
            description:
                "Name of a Route53 public hosted zone to create for the environment, e.g. dev.example.com; empty for none.",
        }),
    },
    (v, { problems, refused }, where: { env: string; region: string }): NetworkConfig => {
        // Unset (empty) means the component's default, <env>.internal.
        const options: NetworkOptions = {
            ...v,
            privateZoneName: v.privateZoneName === "" ? undefined : v.privateZoneName,
        };
        const { settings, problems: networkProblems } = validateNetworkArgs(options, where.env, where.region);
        for (const p of networkProblems) {
            // A derived private zone name (<env>.internal) is only bad when the env is, and the
            // stack name's check has reported that already.
            const derivedZone = p.path === "privateZoneName" && options.privateZoneName === undefined;
            if (!(p.path === "vpcCidr" && refused.has("vpcCidr")) && !derivedZone) {
                problems.add(p.path, p.value, p.message);
            }
        }
        return { ...options, natStrategy: settings?.natStrategy ?? NETWORK_DEFAULTS.natStrategy };
    },
);
