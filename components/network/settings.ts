/**
 * The Network component's arguments made whole, as plain functions: every default applied once
 * (`withNetworkDefaults`), every argument checked (`validateNetworkArgs`, also used by the config
 * parser), and the settings the component builds from (`networkSettings`). Nothing here creates
 * a resource.
 */
import { assertValidArgs, providerProblems } from "../args";
import { keyAdminArnsProblems } from "../kms/policies";
import { Problem, Problems } from "../problems";
import { DEFAULT_ZONE_COUNT, SubnetPlan, planSubnets } from "./cidr";
import { checkZoneName, defaultPrivateZoneName } from "./dns";
import { checkInterfaceEndpoint } from "./endpoints";
import { checkRetentionDays } from "./flow-logs";
import type { NetworkArgs } from "./network";
import { checkAvailabilityZone } from "./zones";

/**
 * How private subnets reach the internet: `perAz` runs one NAT gateway per availability zone (a
 * zone outage leaves the others online; the production choice), `single` one NAT gateway for all
 * zones (a third of the cost; cross-zone traffic and a single point of failure, for dev).
 */
export type NatStrategy = "perAz" | "single";
export const NAT_STRATEGIES: readonly NatStrategy[] = ["perAz", "single"];

/** The default flow log retention, in days. */
export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 30;

/**
 * The arguments of the network that do not say where it is deployed (what config sets), with
 * natStrategy as any text, so that config checks it here too, with the same message.
 */
export type NetworkOptions = Omit<NetworkArgs, "owner" | "providers" | "clusterName" | "natStrategy"> & {
    readonly natStrategy?: string;
};

/** NetworkOptions with every default applied, before any check. */
export type ResolvedNetworkOptions = { readonly [K in keyof NetworkOptions]-?: Exclude<NetworkOptions[K], undefined> };

/**
 * The defaults of the optional NetworkArgs, each written here only (the TSDoc `@default` of each
 * field in NetworkArgs says the same). `privateZoneName`'s depends on the environment: see
 * `defaultPrivateZoneName`.
 */
export const NETWORK_DEFAULTS = {
    availabilityZones: [],
    availabilityZoneCount: DEFAULT_ZONE_COUNT,
    publicSubnetCidrs: [],
    privateSubnetCidrs: [],
    natStrategy: "perAz",
    flowLogRetentionDays: DEFAULT_FLOW_LOG_RETENTION_DAYS,
    interfaceEndpointServices: [],
    publicZoneName: "",
} as const satisfies Partial<ResolvedNetworkOptions>;

/** `args` with every default applied (`undefined` means the default; any other value is kept as given, to be checked). Pure. */
export function withNetworkDefaults(args: NetworkOptions, env: string): ResolvedNetworkOptions {
    return {
        vpcCidr: args.vpcCidr,
        availabilityZones: args.availabilityZones ?? NETWORK_DEFAULTS.availabilityZones,
        availabilityZoneCount: args.availabilityZoneCount ?? NETWORK_DEFAULTS.availabilityZoneCount,
        publicSubnetCidrs: args.publicSubnetCidrs ?? NETWORK_DEFAULTS.publicSubnetCidrs,
        privateSubnetCidrs: args.privateSubnetCidrs ?? NETWORK_DEFAULTS.privateSubnetCidrs,
        natStrategy: args.natStrategy ?? NETWORK_DEFAULTS.natStrategy,
        flowLogRetentionDays: args.flowLogRetentionDays ?? NETWORK_DEFAULTS.flowLogRetentionDays,
        // Required; an untyped caller that leaves it out gets the "at least one" problem, not a crash.
        kmsKeyAdminArns: args.kmsKeyAdminArns ?? [],
        interfaceEndpointServices: args.interfaceEndpointServices ?? NETWORK_DEFAULTS.interfaceEndpointServices,
        privateZoneName: args.privateZoneName ?? defaultPrivateZoneName(env),
        publicZoneName: args.publicZoneName ?? NETWORK_DEFAULTS.publicZoneName,
    };
}

/** NetworkArgs with every default applied and checked: what the component builds. */
export interface NetworkSettings {
    readonly vpcCidr: string;
    /** The zones given, in subnet order; empty: the region's first `zoneCount` zones. */
    readonly availabilityZones: readonly string[];
    readonly zoneCount: number;
    readonly subnets: SubnetPlan;
    readonly natStrategy: NatStrategy;
    readonly flowLogRetentionDays: number;
    readonly kmsKeyAdminArns: readonly string[];
    readonly interfaceEndpointServices: readonly string[];
    readonly privateZoneName: string;
    /** Empty: no public zone. */
    readonly publicZoneName: string;
}

/** The property a subnet plan problem is about: `zoneCount` is `availabilityZoneCount` (or the zone list). */
function subnetProblem(p: Problem, availabilityZones: readonly string[]): Problem {
    if (p.path !== "zoneCount") {
        return p;
    }
    return availabilityZones.length > 0
        ? { ...p, path: "availabilityZones", value: [...availabilityZones] }
        : { ...p, path: "availabilityZoneCount" };
}

/** Kubernetes tags of a subnet: its load balancer role and the environment's cluster. */
export function subnetKubernetesTags(tier: "public" | "private", clusterName: string): Record<string, string> {
    return {
        [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
        [`kubernetes.io/cluster/${clusterName}`]: "shared",
    };
}

/** How many NAT gateways a strategy runs over `zoneCount` zones, and which one serves zone `i`. */
export function natLayout(
    strategy: NatStrategy,
    zoneCount: number,
): { count: number; natForZone: (i: number) => number } {
    return strategy === "single" ? { count: 1, natForZone: () => 0 } : { count: zoneCount, natForZone: (i) => i };
}

/**
 * Applies the defaults and checks every argument; pure. Returns the settings, or every problem
 * (the config parser reports the same problems against the config keys of the same names).
 */
export function validateNetworkArgs(
    args: NetworkOptions,
    env: string,
    region: string,
): { settings?: NetworkSettings; problems: Problem[] } {
    const problems = new Problems();
    const add = problems.add.bind(problems);
    const resolved = withNetworkDefaults(args, env);
    const {
        availabilityZones,
        flowLogRetentionDays,
        kmsKeyAdminArns,
        interfaceEndpointServices,
        privateZoneName,
        publicZoneName,
    } = resolved;
    availabilityZones.forEach((zone, i) => add(`availabilityZones[${i}]`, zone, checkAvailabilityZone(zone, region)));
    availabilityZones.forEach((zone, i) => {
        if (availabilityZones.indexOf(zone) < i) {
            add(`availabilityZones[${i}]`, zone, "listed twice; each zone once");
        }
    });
    // The zone list, when given, decides the zone count.
    const zoneCount = availabilityZones.length > 0 ? availabilityZones.length : resolved.availabilityZoneCount;
    const planned = planSubnets({
        vpcCidr: resolved.vpcCidr,
        zoneCount,
        publicSubnetCidrs: resolved.publicSubnetCidrs,
        privateSubnetCidrs: resolved.privateSubnetCidrs,
    });
    problems.addAll(
        "",
        planned.problems.map((p) => subnetProblem(p, availabilityZones)),
    );
    const natStrategy = NAT_STRATEGIES.find((s) => s === resolved.natStrategy);
    add(
        "natStrategy",
        resolved.natStrategy,
        natStrategy === undefined ? `allowed: ${NAT_STRATEGIES.join(", ")}` : undefined,
    );
    add("flowLogRetentionDays", flowLogRetentionDays, checkRetentionDays(flowLogRetentionDays));
    problems.addAll("kmsKeyAdminArns", keyAdminArnsProblems(kmsKeyAdminArns));
    interfaceEndpointServices.forEach((service, i) => {
        add(`interfaceEndpointServices[${i}]`, service, checkInterfaceEndpoint(service));
        if (interfaceEndpointServices.indexOf(service) < i) {
            add(`interfaceEndpointServices[${i}]`, service, "listed twice; each service once");
        }
    });
    add("privateZoneName", privateZoneName, checkZoneName(privateZoneName));
    if (publicZoneName !== "") {
        add("publicZoneName", publicZoneName, checkZoneName(publicZoneName));
        const sameName =
            "the same as privateZoneName; a public and a private zone of one name split DNS; choose another name";
        add("publicZoneName", publicZoneName, publicZoneName === privateZoneName ? sameName : undefined);
    }
    if (!problems.empty || !planned.plan || natStrategy === undefined) {
        return { problems: [...problems.all] };
    }
    return {
        problems: [],
        settings: {
            vpcCidr: resolved.vpcCidr,
            availabilityZones,
            zoneCount,
            subnets: planned.plan,
            natStrategy,
            flowLogRetentionDays,
            kmsKeyAdminArns,
            interfaceEndpointServices,
            privateZoneName,
            publicZoneName,
        },
    };
}

/**
 * The settings the Network component `name` builds from: its providers checked, then its
 * arguments (defaults applied once, every argument checked against the owner's environment and
 * region). Pure; throws one ProblemError (ComponentArgsError) listing every problem.
 */
export function networkSettings(name: string, args: NetworkArgs): NetworkSettings {
    const { env, region } = args.owner.environment;
    const { settings, problems } = validateNetworkArgs(args, env, region);
    assertValidArgs("Network", name, [...providerProblems(args.providers, ["aws"]), ...problems]);
    if (settings === undefined) {
        // A bug: validateNetworkArgs returns settings whenever it finds no problem.
        throw new Error("validateNetworkArgs returned neither settings nor a problem");
    }
    return settings;
}
