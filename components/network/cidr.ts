import { Problem } from "../problems";
import { Cidr, formatCidr, parseCidr } from "./ipv4";

/**
 * The subnet plan of an environment's VPC: one public and one private subnet per availability
 * zone. Pure: derived from the VPC CIDR, or checked when given explicitly.
 */

/** The fewest availability zones a network spans (EKS needs subnets in at least two). */
export const MIN_ZONES = 2;
/** The most availability zones a network spans. */
export const MAX_ZONES = 6;
/** The default number of availability zones. */
export const DEFAULT_ZONE_COUNT = 3;

/**
 * The smallest private subnet: /24 (256 addresses, 251 usable). With the VPC CNI every pod gets a
 * VPC address from its node's subnet, and each node keeps a warm pool of them, so a private subnet
 * must hold far more addresses than it has nodes.
 * https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
 */
export const MAX_PRIVATE_PREFIX = 24;
/** The smallest subnet AWS allows (/28, 16 addresses); public subnets only hold NAT gateways and load balancers. */
export const MAX_PUBLIC_PREFIX = 28;
/**
 * How much smaller a derived public subnet is than a derived private one: 2^3 = 8 times. Public
 * subnets hold only NAT gateways and load balancer nodes; the addresses go to the pods.
 */
const PUBLIC_SHRINK_BITS = 3;

/** The public and private subnet CIDRs, index i in availability zone i. */
export interface SubnetPlan {
    readonly publicSubnetCidrs: readonly string[];
    readonly privateSubnetCidrs: readonly string[];
}

/** What a subnet plan is made from. */
export interface SubnetPlanInput {
    /** The VPC's CIDR, e.g. `10.20.0.0/16`. */
    readonly vpcCidr: string;
    /** How many availability zones the subnets span, 2 to 6. */
    readonly zoneCount: number;
    /** Explicit public subnet CIDRs, one per zone; empty or absent to derive them. */
    readonly publicSubnetCidrs?: readonly string[];
    /** Explicit private subnet CIDRs, one per zone; empty or absent to derive them. */
    readonly privateSubnetCidrs?: readonly string[];
}

/** The field of SubnetPlanInput a problem is about (the config key of the same name). */
export type SubnetPlanField = "vpcCidr" | "zoneCount" | "publicSubnetCidrs" | "privateSubnetCidrs";

/** The result of planning: the plan, when there is no problem. */
export interface SubnetPlanResult {
    readonly plan?: SubnetPlan;
    readonly problems: readonly Problem[];
}

function size(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

function contains(outer: Cidr, inner: Cidr): boolean {
    return inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

/** Whether two CIDR blocks share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Bits needed to number `n` things (ceil(log2 n)). */
function bitsFor(n: number): number {
    return Math.ceil(Math.log2(n));
}

/**
 * Derives the subnets from the VPC CIDR: the first half of the VPC holds the private subnets
 * (each 1/2^(bits+1) of the VPC, where 2^bits >= zones), the second half the public ones, each
 * 8 times smaller than a private one. A /16 over 3 zones gives private /19s (8190 addresses each)
 * at .0, .32, .64 and public /22s at .128, .132, .136; the rest of the VPC stays free for later.
 */
function derive(vpc: Cidr, zoneCount: number): SubnetPlan {
    const privatePrefix = vpc.prefix + bitsFor(zoneCount) + 1;
    const publicPrefix = privatePrefix + PUBLIC_SHRINK_BITS;
    const half = size(vpc) / 2;
    const privateSize = 2 ** (32 - privatePrefix);
    const publicSize = 2 ** (32 - publicPrefix);
    const zones = Array.from({ length: zoneCount }, (_, i) => i);
    return {
        privateSubnetCidrs: zones.map((i) => formatCidr({ base: vpc.base + i * privateSize, prefix: privatePrefix })),
        publicSubnetCidrs: zones.map((i) =>
            formatCidr({ base: vpc.base + half + i * publicSize, prefix: publicPrefix }),
        ),
    };
}

/** The largest VPC prefix that still yields /24 private subnets when derived over `zoneCount` zones. */
export function largestDerivablePrefix(zoneCount: number): number {
    return MAX_PRIVATE_PREFIX - bitsFor(zoneCount) - 1;
}

/**
 * Plans (or checks) the subnets of a VPC. Collects every problem: a VPC CIDR that is not a CIDR,
 * a zone count outside 2..6, explicit lists of the wrong length, entries that are not CIDRs, lie
 * outside the VPC, are smaller than allowed (/24 private, /28 public) or overlap another subnet;
 * and a VPC too small to derive /24 private subnets from.
 */
export function planSubnets(input: SubnetPlanInput): SubnetPlanResult {
    const problems: Problem[] = [];
    const vpc = parseCidr(input.vpcCidr);
    if (!vpc) {
        problems.push({
            path: "vpcCidr",
            value: input.vpcCidr,
            message:
                "not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16",
        });
    }
    const zoneCount = input.zoneCount;
    if (!Number.isInteger(zoneCount) || zoneCount < MIN_ZONES || zoneCount > MAX_ZONES) {
        problems.push({
            path: "zoneCount",
            value: zoneCount,
            message: `out of range; allowed: ${MIN_ZONES} to ${MAX_ZONES} availability zones`,
        });
    }
    if (problems.length > 0 || !vpc) {
        return { problems };
    }
    const explicitPublic = input.publicSubnetCidrs ?? [];
    const explicitPrivate = input.privateSubnetCidrs ?? [];
    if (explicitPublic.length === 0 && explicitPrivate.length === 0) {
        if (vpc.prefix > largestDerivablePrefix(zoneCount)) {
            const derivedPrefix = vpc.prefix + bitsFor(zoneCount) + 1;
            problems.push({
                path: "vpcCidr",
                value: input.vpcCidr,
                message:
                    `too small to derive subnets for ${zoneCount} availability zones: private subnets would be /${derivedPrefix}; ` +
                    `they must be /${MAX_PRIVATE_PREFIX} or larger for EKS pod IPs; use a /${largestDerivablePrefix(zoneCount)} or larger VPC, ` +
                    `or set publicSubnetCidrs and privateSubnetCidrs`,
            });
            return { problems };
        }
        return { plan: derive(vpc, zoneCount), problems };
    }
    const tiers: {
        field: "publicSubnetCidrs" | "privateSubnetCidrs";
        list: readonly string[];
        maxPrefix: number;
        what: string;
    }[] = [
        {
            field: "publicSubnetCidrs",
            list: explicitPublic,
            maxPrefix: MAX_PUBLIC_PREFIX,
            what: "the smallest subnet AWS allows",
        },
        {
            field: "privateSubnetCidrs",
            list: explicitPrivate,
            maxPrefix: MAX_PRIVATE_PREFIX,
            what: "room for EKS pod IPs",
        },
    ];
    const parsed: { field: SubnetPlanField; index: number; value: string; cidr: Cidr }[] = [];
    for (const tier of tiers) {
        if (tier.list.length !== zoneCount) {
            problems.push({
                path: tier.field,
                value: [...tier.list],
                message: `${tier.list.length} subnets for ${zoneCount} availability zones; give exactly one per zone (or leave both subnet lists empty to derive them from vpcCidr)`,
            });
            continue;
        }
        tier.list.forEach((value, index) => {
            const cidr = parseCidr(value);
            const add = (message: string) => problems.push({ path: `${tier.field}[${index}]`, value, message });
            if (!cidr) {
                add(
                    "not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/19",
                );
            } else if (!contains(vpc, cidr)) {
                add(`outside the VPC ${input.vpcCidr}; allowed: a block inside vpcCidr`);
            } else if (cidr.prefix > tier.maxPrefix) {
                add(`too small (/${cidr.prefix}); allowed: /${tier.maxPrefix} or larger (${tier.what})`);
            } else {
                parsed.push({ field: tier.field, index, value, cidr });
            }
        });
    }
    for (let i = 0; i < parsed.length; i++) {
        for (let j = i + 1; j < parsed.length; j++) {
            const a = parsed[i];
            const b = parsed[j];
            if (overlaps(a.cidr, b.cidr)) {
                problems.push({
                    path: `${b.field}[${b.index}]`,
                    value: b.value,
                    message: `overlaps ${a.field}[${a.index}] (${a.value}); subnets must not overlap`,
                });
            }
        }
    }
    if (problems.length > 0) {
        return { problems };
    }
    return { plan: { publicSubnetCidrs: [...explicitPublic], privateSubnetCidrs: [...explicitPrivate] }, problems };
}
