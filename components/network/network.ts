import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NameKind, Owner, namer } from "../conventions";
import { Problem, ProblemError, Problems } from "../problems";
import { DEFAULT_ZONE_COUNT, SubnetPlan, planSubnets } from "./cidr";
import { defaultPrivateZoneName, checkZoneName } from "./dns";
import {
    GATEWAY_ENDPOINT_SERVICE,
    checkInterfaceEndpoint,
    endpointServiceName,
    endpointType,
} from "./endpoints";
import { keyAdminArnsProblems, logGroupKeyPolicy, managedKey } from "../kms";
import { checkRetentionDays, flowLogPermissionsPolicy, flowLogTrustPolicy } from "./flow-logs";
import { ANYWHERE, HTTPS_PORT, NaclRule, privateNaclRules, publicNaclRules } from "./nacl";
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

/** The environment's network: what the global stack builds. */
export interface NetworkArgs {
    /** The owner of every resource (environment and owner-service `global`); names come from it. */
    readonly owner: Owner;
    /** The stack's aws provider (region and the owner's default tags); every resource uses it. */
    readonly provider: aws.Provider;
    /** IPv4 CIDR of the VPC, e.g. `10.20.0.0/16`. */
    readonly vpcCidr: string;
    /**
     * The availability zones, in subnet order. When empty, the first `availabilityZoneCount` zones
     * of the region (`aws.getAvailabilityZones`, zones that need no opt-in) are used.
     * @default []
     */
    readonly availabilityZones?: readonly string[];
    /**
     * How many availability zones the subnets span, 2 to 6; ignored when `availabilityZones` is given.
     * @default 3
     */
    readonly availabilityZoneCount?: number;
    /** Public subnet CIDRs, one per zone; empty to derive them from `vpcCidr` (see cidr.ts). @default [] */
    readonly publicSubnetCidrs?: readonly string[];
    /** Private subnet CIDRs, one per zone, each /24 or larger; empty to derive them. @default [] */
    readonly privateSubnetCidrs?: readonly string[];
    /** NAT gateway strategy. @default "perAz" */
    readonly natStrategy?: NatStrategy;
    /** Retention of the VPC flow log's CloudWatch log group, in days (a CloudWatch retention period). @default 30 */
    readonly flowLogRetentionDays?: number;
    /**
     * IAM roles or users that administer the flow log's KMS key (manage, rotate, re-policy, delete;
     * never encrypt or decrypt). The role that runs `pulumi up` must be one of them. At least one.
     */
    readonly kmsKeyAdminArns: readonly string[];
    /** Interface endpoints to create (`ecr.api`, `sts`, ...); the S3 gateway endpoint always exists. @default [] */
    readonly interfaceEndpointServices?: readonly string[];
    /** Name of the private hosted zone. @default `<env>.internal` */
    readonly privateZoneName?: string;
    /** Name of a public hosted zone to create; none when empty. @default "" */
    readonly publicZoneName?: string;
    /** The environment's EKS cluster name, for the `kubernetes.io/cluster/<name>` subnet tags. */
    readonly clusterName: string;
}

/** NetworkArgs with every default applied. */
export interface NetworkSettings {
    readonly vpcCidr: string;
    readonly availabilityZones: readonly string[];
    readonly zoneCount: number;
    readonly subnets: SubnetPlan;
    readonly natStrategy: NatStrategy;
    readonly flowLogRetentionDays: number;
    readonly kmsKeyAdminArns: readonly string[];
    readonly interfaceEndpointServices: readonly string[];
    readonly privateZoneName: string;
    readonly publicZoneName: string;
}

/** The property a subnet plan problem is about: `zoneCount` is `availabilityZoneCount` (or the zone list). */
function subnetProblem(p: Problem, availabilityZones: readonly string[]): Problem {
    if (p.path !== "zoneCount") {
        return p;
    }
    return availabilityZones.length > 0 ? { ...p, path: "availabilityZones", value: [...availabilityZones] } : { ...p, path: "availabilityZoneCount" };
}

/** Kubernetes tags of a subnet: its load balancer role and the environment's cluster. */
export function subnetKubernetesTags(tier: "public" | "private", clusterName: string): Record<string, string> {
    return {
        [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
        [`kubernetes.io/cluster/${clusterName}`]: "shared",
    };
}

/** How many NAT gateways a strategy runs over `zoneCount` zones, and which one serves zone `i`. */
export function natLayout(strategy: NatStrategy, zoneCount: number): { count: number; natForZone: (i: number) => number } {
    return strategy === "single" ? { count: 1, natForZone: () => 0 } : { count: zoneCount, natForZone: (i) => i };
}

/**
 * Applies the defaults and checks every argument; pure. Returns the settings, or every problem
 * (the config parser reports the same problems against the config keys of the same names).
 */
export function validateNetworkArgs(
    // natStrategy as any text, so that config checks it here too, with the same message.
    args: Omit<NetworkArgs, "owner" | "provider" | "clusterName" | "natStrategy"> & { readonly natStrategy?: string },
    env: string,
    region: string,
): { settings?: NetworkSettings; problems: Problem[] } {
    const problems = new Problems();
    const add = problems.add.bind(problems);
    const availabilityZones = args.availabilityZones ?? [];
    const zonesGiven = availabilityZones.length > 0;
    availabilityZones.forEach((zone, i) => add(`availabilityZones[${i}]`, zone, checkAvailabilityZone(zone, region)));
    availabilityZones.forEach((zone, i) => {
        if (availabilityZones.indexOf(zone) < i) {
            add(`availabilityZones[${i}]`, zone, "listed twice; each zone once");
        }
    });
    const zoneCount = zonesGiven ? availabilityZones.length : args.availabilityZoneCount ?? DEFAULT_ZONE_COUNT;
    const planned = planSubnets({
        vpcCidr: args.vpcCidr,
        zoneCount,
        publicSubnetCidrs: args.publicSubnetCidrs,
        privateSubnetCidrs: args.privateSubnetCidrs,
    });
    problems.addAll("", planned.problems.map((p) => subnetProblem(p, availabilityZones)));
    const natStrategy = NAT_STRATEGIES.find((s) => s === (args.natStrategy ?? "perAz"));
    add("natStrategy", args.natStrategy, natStrategy === undefined ? `allowed: ${NAT_STRATEGIES.join(", ")}` : undefined);
    const flowLogRetentionDays = args.flowLogRetentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS;
    add("flowLogRetentionDays", flowLogRetentionDays, checkRetentionDays(flowLogRetentionDays));
    const kmsKeyAdminArns = args.kmsKeyAdminArns ?? [];
    problems.addAll("kmsKeyAdminArns", keyAdminArnsProblems(kmsKeyAdminArns));
    const interfaceEndpointServices = args.interfaceEndpointServices ?? [];
    interfaceEndpointServices.forEach((service, i) => {
        add(`interfaceEndpointServices[${i}]`, service, checkInterfaceEndpoint(service));
        if (interfaceEndpointServices.indexOf(service) < i) {
            add(`interfaceEndpointServices[${i}]`, service, "listed twice; each service once");
        }
    });
    const privateZoneName = args.privateZoneName ?? defaultPrivateZoneName(env);
    add("privateZoneName", privateZoneName, checkZoneName(privateZoneName));
    const publicZoneName = args.publicZoneName ?? "";
    if (publicZoneName !== "") {
        add("publicZoneName", publicZoneName, checkZoneName(publicZoneName));
        if (publicZoneName === privateZoneName) {
            add("publicZoneName", publicZoneName, "the same as privateZoneName; a public and a private zone of one name split DNS; choose another name");
        }
    }
    if (!problems.empty || !planned.plan || natStrategy === undefined) {
        return { problems: [...problems.all] };
    }
    return {
        problems: [],
        settings: {
            vpcCidr: args.vpcCidr,
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

/** A resource's physical name and its tags (`Name` plus any extra), from its type and index. */
type Named = (type: string, index?: number, kind?: NameKind) => { name: string; tags: Record<string, string> };

/** The aws `NetworkAcl` ingress/egress entries of a list of rules. */
function naclEntries(rules: readonly NaclRule[]): aws.types.input.ec2.NetworkAclIngress[] {
    return rules.map((r) => ({
        ruleNo: r.ruleNo,
        action: "allow",
        protocol: r.protocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        cidrBlock: r.cidrBlock,
    }));
}

/**
 * The environment's network: a VPC with public and private subnets over N availability zones,
 * an internet gateway, NAT gateways, route tables, network ACLs, a flow log, VPC endpoints and
 * the Route53 zones. Every child is an `@pulumi/aws` resource named `${env}-global-<type>[-<i>]`
 * with a `Name` tag (the provider adds the other eight tags).
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    /** The availability zones, in subnet order. */
    readonly availabilityZones: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly natGatewayIds: pulumi.Output<string[]>;
    readonly privateZoneId: pulumi.Output<string>;
    readonly privateZoneName: string;
    /** The planned subnet CIDRs. */
    readonly subnets: SubnetPlan;

    constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { owner, provider, clusterName } = args;
        const region = owner.environment.region;
        // Validate before registering anything.
        const { settings, problems } = validateNetworkArgs(args, owner.environment.env, region);
        if (!settings) {
            throw new ProblemError("ComponentArgsError", `invalid Network "${name}" arguments:`, problems);
        }
        super("platform:network:Network", name, {}, opts);
        const nameOf = namer(owner);
        const child = { parent: this, provider };
        const tags = (resourceName: string, extra: Record<string, string> = {}) => ({ Name: resourceName, ...extra });
        const named = (type: string, index?: number, kind?: NameKind) => {
            const n = nameOf(type, index, kind);
            return { name: n, tags: tags(n) };
        };
        const zoneIndexes = Array.from({ length: settings.zoneCount }, (_, i) => i);

        const vpcName = nameOf("vpc");
        const vpc = new aws.ec2.Vpc(
            vpcName,
            { cidrBlock: settings.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(vpcName) },
            child,
        );

        // The VPC's default security group, adopted and emptied: nothing may fall back on a group
        // that lets every member talk to every other (CIS AWS Foundations 5.4). Every resource here
        // and in the cluster gets its own group.
        const defaultSg = named("default-sg");
        new aws.ec2.DefaultSecurityGroup(defaultSg.name, { vpcId: vpc.id, ingress: [], egress: [], tags: defaultSg.tags }, child);

        this.availabilityZones = this.zones(settings, provider);

        const subnet = (tier: "public" | "private", i: number) => {
            const subnetName = nameOf(`${tier}-subnet`, i);
            const cidrs = tier === "public" ? settings.subnets.publicSubnetCidrs : settings.subnets.privateSubnetCidrs;
            return new aws.ec2.Subnet(
                subnetName,
                {
                    vpcId: vpc.id,
                    cidrBlock: cidrs[i],
                    availabilityZone: this.availabilityZones.apply((zones) => zones[i]),
                    // Nothing gets a public address by accident; load balancers and NAT gateways bring their own.
                    mapPublicIpOnLaunch: false,
                    tags: tags(subnetName, subnetKubernetesTags(tier, clusterName)),
                },
                child,
            );
        };
        const publicSubnets = zoneIndexes.map((i) => subnet("public", i));
        const privateSubnets = zoneIndexes.map((i) => subnet("private", i));

        const igw = named("internet-gateway");
        const internetGateway = new aws.ec2.InternetGateway(igw.name, { vpcId: vpc.id, tags: igw.tags }, child);

        // NAT gateways are always indexed from 0, so switching `single` -> `perAz` keeps gateway 0 and adds the others.
        const nat = natLayout(settings.natStrategy, settings.zoneCount);
        const natGateways = Array.from({ length: nat.count }, (_, i) => {
            const eip = named("nat-eip", i);
            const address = new aws.ec2.Eip(eip.name, { domain: "vpc", tags: eip.tags }, { ...child, dependsOn: [internetGateway] });
            const gw = named("nat-gateway", i);
            return new aws.ec2.NatGateway(
                gw.name,
                { allocationId: address.id, subnetId: publicSubnets[i].id, connectivityType: "public", tags: gw.tags },
                { ...child, dependsOn: [internetGateway] },
            );
        });

        const publicTable = named("public-route-table");
        const publicRouteTable = new aws.ec2.RouteTable(publicTable.name, { vpcId: vpc.id, tags: publicTable.tags }, child);
        new aws.ec2.Route(
            nameOf("public-internet-route"),
            { routeTableId: publicRouteTable.id, destinationCidrBlock: ANYWHERE, gatewayId: internetGateway.id },
            child,
        );
        // One private route table per NAT gateway: with `perAz` each zone's table routes through its own zone's gateway.
        const privateRouteTables = natGateways.map((gateway, i) => {
            const table = named("private-route-table", i);
            const routeTable = new aws.ec2.RouteTable(table.name, { vpcId: vpc.id, tags: table.tags }, child);
            new aws.ec2.Route(
                nameOf("private-nat-route", i),
                { routeTableId: routeTable.id, destinationCidrBlock: ANYWHERE, natGatewayId: gateway.id },
                child,
            );
            return routeTable;
        });
        zoneIndexes.forEach((i) => {
            new aws.ec2.RouteTableAssociation(
                nameOf("public-route-table-association", i),
                { subnetId: publicSubnets[i].id, routeTableId: publicRouteTable.id },
                child,
            );
            new aws.ec2.RouteTableAssociation(
                nameOf("private-route-table-association", i),
                { subnetId: privateSubnets[i].id, routeTableId: privateRouteTables[nat.natForZone(i)].id },
                child,
            );
        });

        const nacls = [
            { tier: "public", rules: publicNaclRules(settings.vpcCidr), subnets: publicSubnets },
            { tier: "private", rules: privateNaclRules(settings.vpcCidr), subnets: privateSubnets },
        ] as const;
        for (const { tier, rules, subnets } of nacls) {
            const acl = named(`${tier}-nacl`);
            const networkAcl = new aws.ec2.NetworkAcl(
                acl.name,
                { vpcId: vpc.id, ingress: naclEntries(rules.ingress), egress: naclEntries(rules.egress), tags: acl.tags },
                child,
            );
            subnets.forEach((s, i) => {
                new aws.ec2.NetworkAclAssociation(
                    nameOf(`${tier}-nacl-association`, i),
                    { networkAclId: networkAcl.id, subnetId: s.id },
                    child,
                );
            });
        }

        this.flowLog(vpc, settings, region, child, named);
        this.endpoints(vpc, settings, region, privateSubnets, [publicRouteTable, ...privateRouteTables], child, named);

        const privateZone = new aws.route53.Zone(
            nameOf("private-zone"),
            {
                name: settings.privateZoneName,
                comment: `Private zone of the ${owner.environment.env} environment`,
                vpcs: [{ vpcId: vpc.id, vpcRegion: region }],
                tags: tags(nameOf("private-zone")),
            },
            child,
        );
        if (settings.publicZoneName !== "") {
            new aws.route53.Zone(
                nameOf("public-zone"),
                {
                    name: settings.publicZoneName,
                    comment: `Public zone of the ${owner.environment.env} environment`,
                    tags: tags(nameOf("public-zone")),
                },
                child,
            );
        }

        this.vpcId = vpc.id;
        this.vpcCidr = settings.vpcCidr;
        this.subnets = settings.subnets;
        this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.natGatewayIds = pulumi.all(natGateways.map((g) => g.id));
        this.privateZoneId = privateZone.zoneId;
        this.privateZoneName = settings.privateZoneName;
        this.registerOutputs({
            vpcId: this.vpcId,
            availabilityZones: this.availabilityZones,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            natGatewayIds: this.natGatewayIds,
            privateZoneId: this.privateZoneId,
        });
    }

    /** The zones from the arguments, or the region's first N zones that need no opt-in. */
    private zones(settings: NetworkSettings, provider: aws.Provider): pulumi.Output<string[]> {
        if (settings.availabilityZones.length > 0) {
            return pulumi.output([...settings.availabilityZones]);
        }
        const count = settings.zoneCount;
        return aws
            .getAvailabilityZonesOutput(
                { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
                { parent: this, provider },
            )
            .names.apply((names) => {
                if (names.length < count) {
                    throw new Error(
                        `the region has ${names.length} availability zones (${names.join(", ")}), fewer than the ${count} asked for; set platform:availabilityZoneCount to at most ${names.length}`,
                    );
                }
                return names.slice(0, count);
            });
    }

    /** The VPC flow log: all traffic into a CloudWatch log group, delivered through a least-privilege role. */
    private flowLog(
        vpc: aws.ec2.Vpc,
        settings: NetworkSettings,
        region: string,
        child: pulumi.CustomResourceOptions,
        named: Named,
    ): void {
        const group = named("flow-log-group", undefined, "logGroup");
        const invoke = { parent: this, provider: child.provider };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        // A customer-managed key that only CloudWatch Logs may use, and only for this log group.
        const keyName = named("flow-log-key").name;
        const key = managedKey(
            keyName,
            {
                description: "Encryption of the VPC flow log's CloudWatch log group",
                policy: pulumi
                    .all([account, partition])
                    .apply(([accountId, p]) =>
                        JSON.stringify(logGroupKeyPolicy(settings.kmsKeyAdminArns, { partition: p, region, accountId, logGroupName: group.name })),
                    ),
            },
            child,
        ).key;
        const logGroup = new aws.cloudwatch.LogGroup(
            group.name,
            { name: group.name, retentionInDays: settings.flowLogRetentionDays, kmsKeyId: key.arn, tags: group.tags },
            child,
        );
        const role = named("flow-log-role", undefined, "iamRole");
        const flowLogRole = new aws.iam.Role(
            role.name,
            {
                name: role.name,
                description: "Delivers the VPC flow log to its CloudWatch log group",
                assumeRolePolicy: pulumi
                    .all([account, partition])
                    .apply(([id, p]) => JSON.stringify(flowLogTrustPolicy(id, region, p))),
                tags: role.tags,
            },
            child,
        );
        const policy = named("flow-log-policy", undefined, "iamPolicy");
        const rolePolicy = new aws.iam.RolePolicy(
            policy.name,
            {
                name: policy.name,
                role: flowLogRole.name,
                policy: logGroup.arn.apply((arn) => JSON.stringify(flowLogPermissionsPolicy(arn))),
            },
            child,
        );
        const log = named("flow-log");
        new aws.ec2.FlowLog(
            log.name,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: flowLogRole.arn,
                tags: log.tags,
            },
            { ...child, dependsOn: [rolePolicy] },
        );
    }

    /** The S3 gateway endpoint on every route table, and the interface endpoints in the private subnets. */
    private endpoints(
        vpc: aws.ec2.Vpc,
        settings: NetworkSettings,
        region: string,
        privateSubnets: aws.ec2.Subnet[],
        routeTables: aws.ec2.RouteTable[],
        child: pulumi.CustomResourceOptions,
        named: Named,
    ): void {
        const s3 = named(endpointType(GATEWAY_ENDPOINT_SERVICE));
        new aws.ec2.VpcEndpoint(
            s3.name,
            {
                vpcId: vpc.id,
                serviceName: endpointServiceName(region, GATEWAY_ENDPOINT_SERVICE),
                vpcEndpointType: "Gateway",
                routeTableIds: routeTables.map((t) => t.id),
                tags: s3.tags,
            },
            child,
        );
        if (settings.interfaceEndpointServices.length === 0) {
            return;
        }
        const sg = named("endpoint-sg", undefined, "securityGroup");
        const securityGroup = new aws.ec2.SecurityGroup(
            sg.name,
            {
                name: sg.name,
                description: "HTTPS from the VPC to the interface endpoints",
                vpcId: vpc.id,
                ingress: [
                    {
                        description: "HTTPS from the VPC",
                        protocol: "tcp",
                        fromPort: HTTPS_PORT,
                        toPort: HTTPS_PORT,
                        cidrBlocks: [settings.vpcCidr],
                    },
                ],
                // Endpoints only answer; they open no connections.
                egress: [],
                tags: sg.tags,
            },
            child,
        );
        for (const service of settings.interfaceEndpointServices) {
            const endpoint = named(endpointType(service));
            new aws.ec2.VpcEndpoint(
                endpoint.name,
                {
                    vpcId: vpc.id,
                    serviceName: endpointServiceName(region, service),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: privateSubnets.map((s) => s.id),
                    securityGroupIds: [securityGroup.id],
                    tags: endpoint.tags,
                },
                child,
            );
        }
    }
}
