import * as assert from "assert";
import { ProblemError } from "../../../components/problems";
import * as aws from "@pulumi/aws";
import { Network, natLayout, subnetKubernetesTags, validateNetworkArgs } from "../../../components/network";
import { logGroupKeyPolicy } from "../../../components/kms";
import { DEV_GLOBAL_CONFIG, KMS_KEY_ADMIN_ARNS, platformConfig } from "../../helpers/config";
import { Evaluation, evaluate, useMocks } from "../../../plan/evaluate";
import { RecordedResource } from "../../../plan/recorder";

const ofType = (result: Evaluation, type: string): RecordedResource[] =>
    result.resources.filter((r) => r.type === type);
const names = (list: RecordedResource[]) => list.map((r) => r.name);

/** Which route table each subnet is associated with, by subnet name. */
function associations(result: Evaluation): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of ofType(result, "aws:ec2/routeTableAssociation:RouteTableAssociation")) {
        out[String(a.inputs.subnetId).replace(/-id$/, "")] = String(a.inputs.routeTableId).replace(/-id$/, "");
    }
    return out;
}

describe("components/network/network: Network", () => {
    // Two evaluations of the dev global stack shared by the tests: the defaults (perAz, no
    // interface endpoints, no public zone) and a dev-like variant of every optional choice.
    let defaults: Evaluation;
    let custom: Evaluation;
    before(async () => {
        defaults = await evaluate({ stack: "dev", config: platformConfig(DEV_GLOBAL_CONFIG) });
        custom = await evaluate({
            stack: "dev",
            config: platformConfig({
                ...DEV_GLOBAL_CONFIG,
                natStrategy: "single",
                interfaceEndpointServices: ["ecr.api", "sts"],
                flowLogRetentionDays: 14,
                publicZoneName: "dev.example.com",
            }),
        });
    });

    describe("NAT strategies", () => {
        it("single: one EIP and NAT gateway in the first public subnet, one private route table for every zone", () => {
            const result = custom;
            assert.deepStrictEqual(names(ofType(result, "aws:ec2/eip:Eip")), ["dev-global-nat-eip-0"]);
            const nats = ofType(result, "aws:ec2/natGateway:NatGateway");
            assert.deepStrictEqual(
                nats.map((n) => [n.name, n.inputs.subnetId, n.inputs.allocationId]),
                [["dev-global-nat-gateway-0", "dev-global-public-subnet-0-id", "dev-global-nat-eip-0-id"]],
            );
            const routes = ofType(result, "aws:ec2/route:Route").map((r) => [
                r.name,
                r.inputs.routeTableId,
                r.inputs.destinationCidrBlock,
                r.inputs.gatewayId ?? r.inputs.natGatewayId,
            ]);
            assert.deepStrictEqual(routes, [
                [
                    "dev-global-private-nat-route-0",
                    "dev-global-private-route-table-0-id",
                    "0.0.0.0/0",
                    "dev-global-nat-gateway-0-id",
                ],
                [
                    "dev-global-public-internet-route",
                    "dev-global-public-route-table-id",
                    "0.0.0.0/0",
                    "dev-global-internet-gateway-id",
                ],
            ]);
            assert.deepStrictEqual(associations(result), {
                "dev-global-public-subnet-0": "dev-global-public-route-table",
                "dev-global-public-subnet-1": "dev-global-public-route-table",
                "dev-global-public-subnet-2": "dev-global-public-route-table",
                "dev-global-private-subnet-0": "dev-global-private-route-table-0",
                "dev-global-private-subnet-1": "dev-global-private-route-table-0",
                "dev-global-private-subnet-2": "dev-global-private-route-table-0",
            });
            assert.deepStrictEqual(result.outputs.natGatewayIds, ["dev-global-nat-gateway-0-id"]);
        });

        it("perAz (the default): one EIP, NAT gateway and private route table per zone, each zone through its own gateway", () => {
            const result = defaults;
            assert.deepStrictEqual(
                names(ofType(result, "aws:ec2/eip:Eip")),
                [0, 1, 2].map((i) => `dev-global-nat-eip-${i}`),
            );
            assert.deepStrictEqual(
                ofType(result, "aws:ec2/natGateway:NatGateway").map((n) => [
                    n.name,
                    n.inputs.subnetId,
                    n.inputs.allocationId,
                ]),
                [0, 1, 2].map((i) => [
                    `dev-global-nat-gateway-${i}`,
                    `dev-global-public-subnet-${i}-id`,
                    `dev-global-nat-eip-${i}-id`,
                ]),
            );
            const privateRoutes = ofType(result, "aws:ec2/route:Route")
                .filter((r) => r.name.startsWith("dev-global-private"))
                .map((r) => [r.inputs.routeTableId, r.inputs.natGatewayId]);
            assert.deepStrictEqual(
                privateRoutes,
                [0, 1, 2].map((i) => [`dev-global-private-route-table-${i}-id`, `dev-global-nat-gateway-${i}-id`]),
            );
            const assoc = associations(result);
            for (const i of [0, 1, 2]) {
                assert.strictEqual(assoc[`dev-global-private-subnet-${i}`], `dev-global-private-route-table-${i}`);
                assert.strictEqual(assoc[`dev-global-public-subnet-${i}`], "dev-global-public-route-table");
            }
            assert.deepStrictEqual(
                result.outputs.natGatewayIds,
                [0, 1, 2].map((i) => `dev-global-nat-gateway-${i}-id`),
            );
            // NAT gateways and their addresses wait for the internet gateway.
            for (const r of [
                ...ofType(result, "aws:ec2/natGateway:NatGateway"),
                ...ofType(result, "aws:ec2/eip:Eip"),
            ]) {
                assert.ok(r.dependsOn.includes("dev-global-internet-gateway"), r.name);
            }
        });

        it("natLayout: which gateway serves which zone", () => {
            const single = natLayout("single", 4);
            const perAz = natLayout("perAz", 4);
            assert.deepStrictEqual([single.count, [0, 1, 2, 3].map(single.natForZone)], [1, [0, 0, 0, 0]]);
            assert.deepStrictEqual([perAz.count, [0, 1, 2, 3].map(perAz.natForZone)], [4, [0, 1, 2, 3]]);
        });
    });

    describe("subnets", () => {
        it("public subnets carry the elb role, private ones internal-elb, both the environment's cluster tag", () => {
            const result = defaults;
            const subnets = ofType(result, "aws:ec2/subnet:Subnet");
            assert.strictEqual(subnets.length, 6);
            for (const s of subnets) {
                const tier = s.name.includes("public") ? "elb" : "internal-elb";
                assert.deepStrictEqual(s.inputs.tags, {
                    Name: s.name,
                    [`kubernetes.io/role/${tier}`]: "1",
                    "kubernetes.io/cluster/dev-common-eks-cluster": "shared",
                });
                assert.strictEqual(s.inputs.mapPublicIpOnLaunch, false);
                assert.strictEqual(s.inputs.vpcId, "dev-global-vpc-id");
            }
            assert.deepStrictEqual(subnetKubernetesTags("public", "x"), {
                "kubernetes.io/role/elb": "1",
                "kubernetes.io/cluster/x": "shared",
            });
        });

        it("zones come from aws.getAvailabilityZones through the stack's provider (the fake answers with its region), zones needing no opt-in", () => {
            const result = defaults;
            const invoke = result.invokes.find(
                (i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones",
            );
            assert.deepStrictEqual(invoke?.inputs, {
                state: "available",
                filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            });
            const zones = ofType(result, "aws:ec2/subnet:Subnet").map((s) => [s.name, s.inputs.availabilityZone]);
            assert.deepStrictEqual(zones, [
                ["dev-global-private-subnet-0", "eu-central-1a"],
                ["dev-global-private-subnet-1", "eu-central-1b"],
                ["dev-global-private-subnet-2", "eu-central-1c"],
                ["dev-global-public-subnet-0", "eu-central-1a"],
                ["dev-global-public-subnet-1", "eu-central-1b"],
                ["dev-global-public-subnet-2", "eu-central-1c"],
            ]);
        });

        it("asking for more zones than the region offers fails naming both counts", async () => {
            await assert.rejects(
                evaluate({ stack: "dev", config: platformConfig({ ...DEV_GLOBAL_CONFIG, availabilityZoneCount: 4 }) }),
                (err: Error) =>
                    err.message.includes(
                        "the region has 3 availability zones (eu-central-1a, eu-central-1b, eu-central-1c), fewer than the 4 asked for; set platform:availabilityZoneCount to at most 3",
                    ),
            );
        });

        it("explicit zones and subnets are used as given, without asking AWS for zones", async () => {
            const result = await evaluate({
                stack: "dev",
                config: platformConfig({
                    ...DEV_GLOBAL_CONFIG,
                    availabilityZones: ["eu-central-1c", "eu-central-1a"],
                    publicSubnetCidrs: ["10.20.200.0/24", "10.20.201.0/24"],
                    privateSubnetCidrs: ["10.20.0.0/18", "10.20.64.0/18"],
                }),
            });
            assert.ok(!result.invokes.some((i) => i.token.includes("getAvailabilityZones")));
            assert.deepStrictEqual(
                ofType(result, "aws:ec2/subnet:Subnet").map((s) => [
                    s.name,
                    s.inputs.availabilityZone,
                    s.inputs.cidrBlock,
                ]),
                [
                    ["dev-global-private-subnet-0", "eu-central-1c", "10.20.0.0/18"],
                    ["dev-global-private-subnet-1", "eu-central-1a", "10.20.64.0/18"],
                    ["dev-global-public-subnet-0", "eu-central-1c", "10.20.200.0/24"],
                    ["dev-global-public-subnet-1", "eu-central-1a", "10.20.201.0/24"],
                ],
            );
            assert.deepStrictEqual(result.outputs.availabilityZones, ["eu-central-1c", "eu-central-1a"]);
        });
    });

    describe("endpoints and zones", () => {
        it("S3 gateway endpoint on every route table; interface endpoints in the private subnets behind an HTTPS-from-VPC group", () => {
            const result = custom;
            const endpoints = ofType(result, "aws:ec2/vpcEndpoint:VpcEndpoint");
            assert.deepStrictEqual(
                endpoints.map((e) => [e.name, e.inputs.serviceName, e.inputs.vpcEndpointType]),
                [
                    ["dev-global-ecr-api-endpoint", "com.amazonaws.eu-central-1.ecr.api", "Interface"],
                    ["dev-global-s3-endpoint", "com.amazonaws.eu-central-1.s3", "Gateway"],
                    ["dev-global-sts-endpoint", "com.amazonaws.eu-central-1.sts", "Interface"],
                ],
            );
            const s3 = endpoints.find((e) => e.name === "dev-global-s3-endpoint")!;
            assert.deepStrictEqual(s3.inputs.routeTableIds, [
                "dev-global-public-route-table-id",
                "dev-global-private-route-table-0-id",
            ]);
            const sts = endpoints.find((e) => e.name === "dev-global-sts-endpoint")!;
            assert.strictEqual(sts.inputs.privateDnsEnabled, true);
            assert.deepStrictEqual(
                sts.inputs.subnetIds,
                [0, 1, 2].map((i) => `dev-global-private-subnet-${i}-id`),
            );
            assert.deepStrictEqual(sts.inputs.securityGroupIds, ["dev-global-endpoint-sg-id"]);
            const [sg] = ofType(result, "aws:ec2/securityGroup:SecurityGroup");
            assert.strictEqual(sg.inputs.name, "dev-global-endpoint-sg");
            assert.deepStrictEqual(sg.inputs.ingress, [
                {
                    description: "HTTPS from the VPC",
                    protocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrBlocks: ["10.20.0.0/16"],
                },
            ]);
            assert.deepStrictEqual(sg.inputs.egress, []);
        });

        it("no interface endpoints, no endpoint security group", () => {
            const result = defaults;
            assert.deepStrictEqual(names(ofType(result, "aws:ec2/vpcEndpoint:VpcEndpoint")), [
                "dev-global-s3-endpoint",
            ]);
            assert.deepStrictEqual(ofType(result, "aws:ec2/securityGroup:SecurityGroup"), []);
        });

        it("the private zone is associated with the VPC (default <env>.internal); a public zone only when configured", () => {
            const plain = defaults;
            assert.deepStrictEqual(
                ofType(plain, "aws:route53/zone:Zone").map((z) => [z.name, z.inputs.name, z.inputs.vpcs]),
                [
                    [
                        "dev-global-private-zone",
                        "dev.internal",
                        [{ vpcId: "dev-global-vpc-id", vpcRegion: "eu-central-1" }],
                    ],
                ],
            );
            assert.strictEqual(plain.outputs.privateZoneName, "dev.internal");
            const withPublic = custom;
            const publicZone = ofType(withPublic, "aws:route53/zone:Zone").find(
                (z) => z.name === "dev-global-public-zone",
            );
            assert.strictEqual(publicZone?.inputs.name, "dev.example.com");
            assert.strictEqual(publicZone?.inputs.vpcs, undefined);
        });
    });

    describe("flow log", () => {
        it("logs all traffic of the VPC into its log group through its role, after the role's policy exists", () => {
            const result = custom;
            const [group] = ofType(result, "aws:cloudwatch/logGroup:LogGroup");
            assert.deepStrictEqual(
                [group.inputs.name, group.inputs.retentionInDays, group.inputs.kmsKeyId],
                ["dev-global-flow-log-group", 14, "arn:aws:kms:eu-central-1:123456789012:key/dev-global-flow-log-key"],
            );
            const [flowLog] = ofType(result, "aws:ec2/flowLog:FlowLog");
            assert.deepStrictEqual(
                [
                    flowLog.inputs.vpcId,
                    flowLog.inputs.trafficType,
                    flowLog.inputs.logDestinationType,
                    flowLog.inputs.logDestination,
                    flowLog.inputs.iamRoleArn,
                ],
                [
                    "dev-global-vpc-id",
                    "ALL",
                    "cloud-watch-logs",
                    "arn:aws:logs:eu-central-1:123456789012:log-group:dev-global-flow-log-group",
                    "arn:aws:iam::123456789012:role/dev-global-flow-log-role",
                ],
            );
            assert.ok(flowLog.dependsOn.includes("dev-global-flow-log-policy"));
            const [policy] = ofType(result, "aws:iam/rolePolicy:RolePolicy");
            assert.strictEqual(policy.inputs.role, "dev-global-flow-log-role");
            assert.deepStrictEqual(JSON.parse(String(policy.inputs.policy)).Statement[0].Resource, [
                "arn:aws:logs:eu-central-1:123456789012:log-group:dev-global-flow-log-group",
                "arn:aws:logs:eu-central-1:123456789012:log-group:dev-global-flow-log-group:log-stream:*",
            ]);
            const [role] = ofType(result, "aws:iam/role:Role");
            assert.deepStrictEqual(
                JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals,
                {
                    "aws:SourceAccount": "123456789012",
                },
            );
        });
    });

    describe("flow log key", () => {
        it("encrypts the flow log with a rotated key that only CloudWatch Logs may use, for this log group only", () => {
            const [key] = ofType(custom, "aws:kms/key:Key");
            assert.deepStrictEqual(
                [
                    key.name,
                    key.inputs.enableKeyRotation,
                    key.inputs.deletionWindowInDays,
                    (key.inputs.tags as Record<string, string>).Name,
                ],
                ["dev-global-flow-log-key", true, 30, "dev-global-flow-log-key"],
            );
            assert.deepStrictEqual(
                JSON.parse(String(key.inputs.policy)),
                logGroupKeyPolicy(KMS_KEY_ADMIN_ARNS, {
                    partition: "aws",
                    region: "eu-central-1",
                    accountId: "123456789012",
                    logGroupName: "dev-global-flow-log-group",
                }),
            );
            assert.deepStrictEqual(JSON.parse(String(key.inputs.policy)).Statement[1].Condition, {
                ArnEquals: {
                    "kms:EncryptionContext:aws:logs:arn":
                        "arn:aws:logs:eu-central-1:123456789012:log-group:dev-global-flow-log-group",
                },
            });
            const [alias] = ofType(custom, "aws:kms/alias:Alias");
            assert.deepStrictEqual(
                [alias.inputs.name, alias.inputs.targetKeyId],
                ["alias/dev-global-flow-log-key", "dev-global-flow-log-key-key-id"],
            );
        });
    });

    describe("validation", () => {
        const good = { vpcCidr: "10.0.0.0/16", kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS };

        it("collects every bad argument with its property, value and fix", () => {
            const { settings, problems } = validateNetworkArgs(
                {
                    vpcCidr: "10.0.0.0/16",
                    kmsKeyAdminArns: [],
                    availabilityZones: ["eu-central-1a", "eu-west-1b", "eu-central-1a"],
                    natStrategy: "ha",
                    flowLogRetentionDays: 10,
                    interfaceEndpointServices: ["s3", "ecr", "sts", "sts"],
                    privateZoneName: "Internal",
                    publicZoneName: "dev.example.com.",
                },
                "dev",
                "eu-central-1",
            );
            assert.strictEqual(settings, undefined);
            assert.deepStrictEqual(
                problems.map((p) => `${p.path} = ${JSON.stringify(p.value)}: ${p.message}`),
                [
                    'availabilityZones[1] = "eu-west-1b": not in the environment\'s region eu-central-1; allowed: eu-central-1a, eu-central-1b, ...',
                    'availabilityZones[2] = "eu-central-1a": listed twice; each zone once',
                    'natStrategy = "ha": allowed: perAz, single',
                    "flowLogRetentionDays = 10: not a CloudWatch Logs retention period; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)",
                    "kmsKeyAdminArns = []: at least one key administrator is needed, and the role that runs pulumi up must be one of them (AWS refuses a key policy that locks its creator out); allowed: IAM role or user ARNs, e.g. arn:aws:iam::123456789012:role/platform-admins",
                    'interfaceEndpointServices[0] = "s3": s3 is always created as a gateway endpoint; remove it from the list',
                    'interfaceEndpointServices[1] = "ecr": unknown endpoint service; allowed: ecr.api, ecr.dkr, sts, logs, ec2, elasticloadbalancing, autoscaling, eks, eks-auth, kms, ssm, ssmmessages, ec2messages, secretsmanager, monitoring, xray, aps-workspaces, sqs, sns',
                    'interfaceEndpointServices[3] = "sts": listed twice; each service once',
                    "privateZoneName = \"Internal\": not a domain name; allowed: lower-case DNS labels (a-z, 0-9, '-') joined by '.', at least two, no trailing dot, e.g. dev.internal.example.com",
                    "publicZoneName = \"dev.example.com.\": not a domain name; allowed: lower-case DNS labels (a-z, 0-9, '-') joined by '.', at least two, no trailing dot, e.g. dev.internal.example.com",
                ],
            );
        });

        it("applies the defaults", () => {
            const { settings, problems } = validateNetworkArgs(good, "prod", "eu-central-1");
            assert.deepStrictEqual(problems, []);
            assert.deepStrictEqual(settings, {
                vpcCidr: "10.0.0.0/16",
                availabilityZones: [],
                zoneCount: 3,
                subnets: {
                    publicSubnetCidrs: ["10.0.128.0/22", "10.0.132.0/22", "10.0.136.0/22"],
                    privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
                },
                natStrategy: "perAz",
                flowLogRetentionDays: 30,
                kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS,
                interfaceEndpointServices: [],
                privateZoneName: "prod.internal",
                publicZoneName: "",
            });
        });

        it("the zone list decides the zone count", () => {
            const { problems } = validateNetworkArgs(
                { ...good, availabilityZones: ["eu-central-1a"], availabilityZoneCount: 3 },
                "dev",
                "eu-central-1",
            );
            assert.deepStrictEqual(problems, [
                {
                    path: "availabilityZones",
                    value: ["eu-central-1a"],
                    message: "out of range; allowed: 2 to 6 availability zones",
                },
            ]);
        });

        it("the component throws one ProblemError (ComponentArgsError) before creating any child", () => {
            const recorder = useMocks("dev");
            const provider = new aws.Provider("aws", { region: "eu-central-1" });
            const owner = {
                service: "global",
                environment: {
                    env: "dev",
                    region: "eu-central-1",
                    team: "t",
                    contact: "t@example.com",
                    timeZone: "UTC",
                    startTime: "08:00",
                    stopTime: "20:00",
                },
            };
            assert.throws(
                () =>
                    new Network("dev-global-network", {
                        owner,
                        providers: { aws: provider },
                        clusterName: "c",
                        vpcCidr: "10.0.0.0/16",
                        kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS,
                        availabilityZoneCount: 9,
                    }),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.name === "ComponentArgsError" &&
                    err.message ===
                        'invalid Network "dev-global-network" arguments:\n  - availabilityZoneCount = 9: out of range; allowed: 2 to 6 availability zones',
            );
            assert.ok(!recorder.resources.some((r) => r.type.startsWith("aws:ec2")));
        });
    });
});
