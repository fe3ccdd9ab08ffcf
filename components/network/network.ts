import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders } from "../args";
import { NameKind, Owner, namer } from "../conventions";
import { logGroupKeyPolicy, managedKey } from "../kms";
import { SubnetPlan } from "./cidr";
import { GATEWAY_ENDPOINT_SERVICE, endpointServiceName, endpointType } from "./endpoints";
import { flowLogPermissionsPolicy, flowLogTrustPolicy } from "./flow-logs";
import { ANYWHERE, HTTPS_PORT, NaclRule, privateNaclRules, publicNaclRules } from "./nacl";
import { NatStrategy, NetworkSettings, natLayout, networkSettings, subnetKubernetesTags } from "./settings";

/** The environment's network: what the global stack builds. */
export interface NetworkArgs {
    /** The owner of every resource (environment and owner-service `global`); names come from it. */
    readonly owner: Owner;
    /** The stack's providers: aws (region and the owner's default tags), used by every resource and invoke. */
    readonly providers: ComponentProviders<"aws">;
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

/** What every builder of the network uses: the settings, where it is, and how its children are named and created. */
interface Build {
    readonly settings: NetworkSettings;
    readonly env: string;
    readonly region: string;
    readonly clusterName: string;
    /** How many NAT gateways there are and which one serves each zone. */
    readonly nat: ReturnType<typeof natLayout>;
    /** The options of every child and invoke: parented to the network, with the stack's aws provider. */
    readonly child: { readonly parent: pulumi.Resource; readonly provider: aws.Provider };
    /** A child's physical name, from its type and index. */
    readonly nameOf: (type: string, index?: number, kind?: NameKind) => string;
    /** A child's physical name and its tags: `Name` plus any extra. */
    readonly named: (type: string, index?: number, kind?: NameKind, extraTags?: Record<string, string>) => Named;
}

/** A resource's physical name and its tags. */
interface Named {
    readonly name: string;
    readonly tags: Record<string, string>;
}

/** The subnets of both tiers, each in zone order. */
interface Subnets {
    readonly public: aws.ec2.Subnet[];
    readonly private: aws.ec2.Subnet[];
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
        // Every default applied and every argument checked before anything is registered.
        const settings = networkSettings(name, args);
        super("platform:network:Network", name, {}, opts);
        const { env, region } = args.owner.environment;
        const nameOf = namer(args.owner);
        const build: Build = {
            settings,
            env,
            region,
            clusterName: args.clusterName,
            nat: natLayout(settings.natStrategy, settings.zoneCount),
            child: { parent: this, provider: args.providers.aws },
            nameOf,
            named: (type, index, kind, extraTags = {}) => {
                const n = nameOf(type, index, kind);
                return { name: n, tags: { Name: n, ...extraTags } };
            },
        };

        const vpc = this.vpc(build);
        this.availabilityZones = this.zones(build);
        const subnets = this.subnetsOf(build, vpc);
        const { internetGateway, natGateways } = this.gateways(build, vpc, subnets);
        const routeTables = this.routes(build, vpc, subnets, internetGateway, natGateways);
        this.nacls(build, vpc, subnets);
        this.flowLog(build, vpc);
        this.endpoints(build, vpc, subnets, routeTables);
        const privateZone = this.dns(build, vpc);

        this.vpcId = vpc.id;
        this.vpcCidr = settings.vpcCidr;
        this.subnets = settings.subnets;
        this.publicSubnetIds = pulumi.all(subnets.public.map((s) => s.id));
        this.privateSubnetIds = pulumi.all(subnets.private.map((s) => s.id));
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

    /** The VPC, and its default security group adopted and emptied. */
    private vpc(build: Build): aws.ec2.Vpc {
        const { name, tags } = build.named("vpc");
        const vpc = new aws.ec2.Vpc(
            name,
            { cidrBlock: build.settings.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags },
            // Protected: everything of the environment lives in it (the cluster's and the load
            // balancers' network interfaces, the endpoints, the zone's association); a new vpcCidr
            // replaces it, which can only fail half-way while the cluster runs.
            { ...build.child, protect: true },
        );
        // The VPC's default security group, adopted and emptied: nothing may fall back on a group
        // that lets every member talk to every other (CIS AWS Foundations 5.4). Every resource here
        // and in the cluster gets its own group.
        const defaultSg = build.named("default-sg");
        new aws.ec2.DefaultSecurityGroup(
            defaultSg.name,
            { vpcId: vpc.id, ingress: [], egress: [], tags: defaultSg.tags },
            build.child,
        );
        return vpc;
    }

    /** The zones from the arguments, or the region's first N zones that need no opt-in. */
    private zones(build: Build): pulumi.Output<string[]> {
        const { availabilityZones, zoneCount } = build.settings;
        if (availabilityZones.length > 0) {
            return pulumi.output([...availabilityZones]);
        }
        const optInFree = { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] };
        return aws.getAvailabilityZonesOutput(optInFree, build.child).names.apply((names) => {
            if (names.length < zoneCount) {
                throw new Error(
                    `the region has ${names.length} availability zones (${names.join(", ")}), fewer than the ${zoneCount} asked for; set platform:availabilityZoneCount to at most ${names.length}`,
                );
            }
            return names.slice(0, zoneCount);
        });
    }

    /** One public and one private subnet per zone, with the tags the cluster's load balancers look for. */
    private subnetsOf(build: Build, vpc: aws.ec2.Vpc): Subnets {
        const { subnets, zoneCount } = build.settings;
        const subnet = (tier: "public" | "private", cidrs: readonly string[], i: number) => {
            const { name, tags } = build.named(
                `${tier}-subnet`,
                i,
                undefined,
                subnetKubernetesTags(tier, build.clusterName),
            );
            return new aws.ec2.Subnet(
                name,
                {
                    vpcId: vpc.id,
                    cidrBlock: cidrs[i],
                    availabilityZone: this.availabilityZones.apply((zones) => zones[i]),
                    // Nothing gets a public address by accident; load balancers and NAT gateways bring their own.
                    mapPublicIpOnLaunch: false,
                    tags,
                },
                // Protected: the nodes, the pods (VPC CNI) and the load balancers have their addresses
                // here; a new CIDR or zone replaces the subnet, which cannot succeed while they use it.
                { ...build.child, protect: true },
            );
        };
        const zoneIndexes = Array.from({ length: zoneCount }, (_, i) => i);
        return {
            public: zoneIndexes.map((i) => subnet("public", subnets.publicSubnetCidrs, i)),
            private: zoneIndexes.map((i) => subnet("private", subnets.privateSubnetCidrs, i)),
        };
    }

    /** The internet gateway, and the NAT gateways (each with its Elastic IP) in the first public subnets. */
    private gateways(
        build: Build,
        vpc: aws.ec2.Vpc,
        subnets: Subnets,
    ): { internetGateway: aws.ec2.InternetGateway; natGateways: aws.ec2.NatGateway[] } {
        const igw = build.named("internet-gateway");
        const internetGateway = new aws.ec2.InternetGateway(igw.name, { vpcId: vpc.id, tags: igw.tags }, build.child);
        const afterIgw = { ...build.child, dependsOn: [internetGateway] };
        // NAT gateways are always indexed from 0, so switching `single` -> `perAz` keeps gateway 0 and adds the others.
        const natGateways = Array.from({ length: build.nat.count }, (_, i) => {
            const eip = build.named("nat-eip", i);
            // Protected: the environment's egress address, which partners allow-list; a released
            // Elastic IP cannot be had back.
            const address = new aws.ec2.Eip(
                eip.name,
                { domain: "vpc", tags: eip.tags },
                { ...afterIgw, protect: true },
            );
            const gw = build.named("nat-gateway", i);
            return new aws.ec2.NatGateway(
                gw.name,
                { allocationId: address.id, subnetId: subnets.public[i].id, connectivityType: "public", tags: gw.tags },
                afterIgw,
            );
        });
        return { internetGateway, natGateways };
    }

    /**
     * The public route table (to the internet gateway) and one private route table per NAT
     * gateway, each subnet associated with its tier's table. Returns every table, public first.
     */
    private routes(
        build: Build,
        vpc: aws.ec2.Vpc,
        subnets: Subnets,
        internetGateway: aws.ec2.InternetGateway,
        natGateways: aws.ec2.NatGateway[],
    ): aws.ec2.RouteTable[] {
        const { nameOf, child } = build;
        const publicTable = build.named("public-route-table");
        const publicRouteTable = new aws.ec2.RouteTable(
            publicTable.name,
            { vpcId: vpc.id, tags: publicTable.tags },
            child,
        );
        new aws.ec2.Route(
            nameOf("public-internet-route"),
            { routeTableId: publicRouteTable.id, destinationCidrBlock: ANYWHERE, gatewayId: internetGateway.id },
            child,
        );
        // One private route table per NAT gateway: with `perAz` each zone's table routes through its own zone's gateway.
        const privateRouteTables = natGateways.map((gateway, i) => {
            const table = build.named("private-route-table", i);
            const routeTable = new aws.ec2.RouteTable(table.name, { vpcId: vpc.id, tags: table.tags }, child);
            new aws.ec2.Route(
                nameOf("private-nat-route", i),
                { routeTableId: routeTable.id, destinationCidrBlock: ANYWHERE, natGatewayId: gateway.id },
                child,
            );
            return routeTable;
        });
        subnets.public.forEach((publicSubnet, i) => {
            new aws.ec2.RouteTableAssociation(
                nameOf("public-route-table-association", i),
                { subnetId: publicSubnet.id, routeTableId: publicRouteTable.id },
                child,
            );
            new aws.ec2.RouteTableAssociation(
                nameOf("private-route-table-association", i),
                { subnetId: subnets.private[i].id, routeTableId: privateRouteTables[build.nat.natForZone(i)].id },
                child,
            );
        });
        return [publicRouteTable, ...privateRouteTables];
    }

    /** One network ACL per tier (rules in nacl.ts), associated with each of the tier's subnets. */
    private nacls(build: Build, vpc: aws.ec2.Vpc, subnets: Subnets): void {
        const { vpcCidr } = build.settings;
        const tiers = [
            { tier: "public", rules: publicNaclRules(vpcCidr), subnets: subnets.public },
            { tier: "private", rules: privateNaclRules(vpcCidr), subnets: subnets.private },
        ] as const;
        for (const { tier, rules, subnets: tierSubnets } of tiers) {
            const acl = build.named(`${tier}-nacl`);
            const networkAcl = new aws.ec2.NetworkAcl(
                acl.name,
                {
                    vpcId: vpc.id,
                    ingress: naclEntries(rules.ingress),
                    egress: naclEntries(rules.egress),
                    tags: acl.tags,
                },
                build.child,
            );
            tierSubnets.forEach((s, i) => {
                new aws.ec2.NetworkAclAssociation(
                    build.nameOf(`${tier}-nacl-association`, i),
                    { networkAclId: networkAcl.id, subnetId: s.id },
                    build.child,
                );
            });
        }
    }

    /** The VPC flow log: all traffic into a CloudWatch log group, encrypted with its own key, delivered through a least-privilege role. */
    private flowLog(build: Build, vpc: aws.ec2.Vpc): void {
        const { settings, region, child } = build;
        const group = build.named("flow-log-group", undefined, "logGroup");
        const account = aws.getCallerIdentityOutput({}, child).accountId;
        const partition = aws.getPartitionOutput({}, child).partition;
        // A customer-managed key that only CloudWatch Logs may use, and only for this log group.
        const keyName = build.nameOf("flow-log-key");
        const key = managedKey(
            keyName,
            {
                description: "Encryption of the VPC flow log's CloudWatch log group",
                policy: pulumi.all([account, partition]).apply(([accountId, p]) => {
                    const logGroup = { partition: p, region, accountId, logGroupName: group.name };
                    return JSON.stringify(logGroupKeyPolicy(settings.kmsKeyAdminArns, logGroup));
                }),
            },
            child,
        ).key;
        const logGroup = new aws.cloudwatch.LogGroup(
            group.name,
            { name: group.name, retentionInDays: settings.flowLogRetentionDays, kmsKeyId: key.arn, tags: group.tags },
            // Protected: the record of the VPC's traffic goes with the group. Not retained on delete:
            // its name is fixed, so a group left behind would stop the environment from being
            // created again under the same name.
            { ...child, protect: true },
        );
        const role = build.named("flow-log-role", undefined, "iamRole");
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
        const policy = build.named("flow-log-policy", undefined, "iamPolicy");
        const rolePolicy = new aws.iam.RolePolicy(
            policy.name,
            {
                name: policy.name,
                role: flowLogRole.name,
                policy: logGroup.arn.apply((arn) => JSON.stringify(flowLogPermissionsPolicy(arn))),
            },
            child,
        );
        const log = build.named("flow-log");
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
    private endpoints(build: Build, vpc: aws.ec2.Vpc, subnets: Subnets, routeTables: aws.ec2.RouteTable[]): void {
        const { settings, region, child } = build;
        const s3 = build.named(endpointType(GATEWAY_ENDPOINT_SERVICE));
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
        const sg = build.named("endpoint-sg", undefined, "securityGroup");
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
            const endpoint = build.named(endpointType(service));
            new aws.ec2.VpcEndpoint(
                endpoint.name,
                {
                    vpcId: vpc.id,
                    serviceName: endpointServiceName(region, service),
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: subnets.private.map((s) => s.id),
                    securityGroupIds: [securityGroup.id],
                    tags: endpoint.tags,
                },
                child,
            );
        }
    }

    /** The private hosted zone, associated with the VPC, and the public one when it is named. Returns the private zone. */
    private dns(build: Build, vpc: aws.ec2.Vpc): aws.route53.Zone {
        const { settings, env, region, child } = build;
        const privateZone = build.named("private-zone");
        const zone = new aws.route53.Zone(
            privateZone.name,
            {
                name: settings.privateZoneName,
                comment: `Private zone of the ${env} environment`,
                vpcs: [{ vpcId: vpc.id, vpcRegion: region }],
                tags: privateZone.tags,
            },
            // Protected: it holds the records ExternalDNS writes for every exposed host; a new
            // privateZoneName replaces it, and Route53 deletes no zone that still has records.
            { ...child, protect: true },
        );
        if (settings.publicZoneName !== "") {
            const publicZone = build.named("public-zone");
            new aws.route53.Zone(
                publicZone.name,
                {
                    name: settings.publicZoneName,
                    comment: `Public zone of the ${env} environment`,
                    tags: publicZone.tags,
                },
                // Protected: a new zone gets new name servers, so the parent domain's delegation
                // (outside this project) would point at nothing.
                { ...child, protect: true },
            );
        }
        return zone;
    }
}
