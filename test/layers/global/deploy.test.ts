import * as assert from "assert";
import { TAG_KEYS, followsNaming } from "../../../components/conventions";
import { GLOBAL_OUTPUTS } from "../../../layers/global/outputs";
import { conventionViolations, effectiveTags, isTaggableAwsType } from "../../../plan/conventions-check";
import { Evaluation, evaluate } from "../../../plan/evaluate";
import { readStackConfig } from "../../../plan/stack-config";
import { FIXTURE_STACKS } from "../../helpers/stacks";

/**
 * Resource types whose `name` input is not a name from the naming function but a value AWS
 * gives meaning to: a hosted zone's `name` is its DNS domain. Their `Name` tag still follows it.
 */
const NAME_IS_NOT_A_LABEL = new Set(["aws:route53/zone:Zone"]);

describe("layers/global/deploy: the dev global stack (the fixture Pulumi.dev.yaml)", () => {
    let dev: Evaluation;
    before(async () => {
        const { config, secretKeys } = readStackConfig("dev", FIXTURE_STACKS);
        dev = await evaluate({ stack: "dev", config, secretKeys });
    });

    it("creates the network of a dev environment: one NAT, three zones, four interface endpoints", () => {
        const counts: Record<string, number> = {};
        for (const r of dev.resources) {
            counts[r.type] = (counts[r.type] ?? 0) + 1;
        }
        assert.deepStrictEqual(counts, {
            "aws:cloudwatch/logGroup:LogGroup": 1,
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
            "aws:ec2/eip:Eip": 1,
            "aws:ec2/flowLog:FlowLog": 1,
            "aws:ec2/internetGateway:InternetGateway": 1,
            "aws:ec2/natGateway:NatGateway": 1,
            "aws:ec2/networkAcl:NetworkAcl": 2,
            "aws:ec2/networkAclAssociation:NetworkAclAssociation": 6,
            "aws:ec2/route:Route": 2,
            "aws:ec2/routeTable:RouteTable": 2,
            "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
            "aws:ec2/securityGroup:SecurityGroup": 1,
            "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/vpc:Vpc": 1,
            "aws:ec2/vpcEndpoint:VpcEndpoint": 5,
            "aws:iam/role:Role": 1,
            "aws:iam/rolePolicy:RolePolicy": 1,
            "aws:kms/alias:Alias": 1,
            "aws:kms/key:Key": 1,
            "aws:route53/zone:Zone": 1,
            "platform:network:Network": 1,
            "pulumi:providers:aws": 1,
        });
        const vpc = dev.resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
        assert.deepStrictEqual(
            [vpc.name, vpc.inputs.cidrBlock, vpc.inputs.enableDnsSupport, vpc.inputs.enableDnsHostnames],
            ["dev-global-vpc", "10.20.0.0/16", true, true],
        );
    });

    it("exports exactly the GlobalOutputs, with the real network's ids", () => {
        assert.deepStrictEqual(Object.keys(dev.outputs).sort(), Object.keys(GLOBAL_OUTPUTS).sort());
        assert.deepStrictEqual(dev.outputs, {
            availabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
            clusterName: "dev-common-eks-cluster",
            contact: "platform-team@example.com",
            env: "dev",
            natGatewayIds: ["dev-global-nat-gateway-0-id"],
            privateSubnetIds: [0, 1, 2].map((i) => `dev-global-private-subnet-${i}-id`),
            privateZoneId: "ZDEVGLOBALPRIVATEZONE",
            privateZoneName: "dev.internal.example.com",
            // The fixture does not set platform:production: an environment is production by default.
            production: true,
            publicSubnetIds: [0, 1, 2].map((i) => `dev-global-public-subnet-${i}-id`),
            region: "eu-central-1",
            startTime: "07:00",
            stopTime: "19:00",
            team: "platform-team",
            timeZone: "Europe/Berlin",
            vpcCidr: "10.20.0.0/16",
            vpcId: "dev-global-vpc-id",
        });
    });

    it("no resource escapes the naming and tagging rules", () => {
        assert.deepStrictEqual(conventionViolations(dev.resources), []);
        let taggable = 0;
        for (const r of dev.resources) {
            if (r.type === "pulumi:providers:aws") {
                continue;
            }
            // Every resource is the Network component or one of its children, and every AWS one uses the stack's provider.
            assert.strictEqual(r.parent, r.type === "platform:network:Network" ? null : "dev-global-network", r.name);
            assert.ok(followsNaming(r.name, { env: "dev", service: "global" }), `logical name ${r.name}`);
            if (!r.type.startsWith("aws:")) {
                continue;
            }
            assert.strictEqual(r.provider, "aws", r.name);
            if (!isTaggableAwsType(r.type)) {
                continue;
            }
            taggable++;
            const tags = effectiveTags(r, dev.resources);
            for (const key of TAG_KEYS) {
                assert.ok(typeof tags[key] === "string" && tags[key] !== "", `${r.name} lacks tag ${key}`);
            }
            assert.strictEqual(tags.Name, r.name, `${r.name}: the Name tag is the logical name`);
            if (typeof r.inputs.name === "string" && !NAME_IS_NOT_A_LABEL.has(r.type)) {
                assert.strictEqual(tags.Name, r.inputs.name, `${r.name}: the Name tag is the physical name`);
            }
            assert.strictEqual(tags["owner-service"], "global");
            assert.strictEqual(tags.environment, "dev");
        }
        // VPC, default SG, 6 subnets, IGW, EIP, NAT, 2 route tables, 2 NACLs, log key, log group, role, flow log, SG, 5 endpoints, zone.
        assert.strictEqual(taggable, 26);
    });

    it("the VPC's default security group is adopted with no rules", () => {
        const sg = dev.resources.find((r) => r.type === "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")!;
        assert.deepStrictEqual(
            [sg.name, sg.inputs.vpcId, sg.inputs.ingress, sg.inputs.egress],
            ["dev-global-default-sg", "dev-global-vpc-id", [], []],
        );
    });

    it("the NACLs are associated with their tier's subnets and carry the documented rules", () => {
        const acls = dev.resources.filter((r) => r.type === "aws:ec2/networkAcl:NetworkAcl");
        assert.deepStrictEqual(
            acls.map((a) => [a.name, (a.inputs.ingress as unknown[]).length, (a.inputs.egress as unknown[]).length]),
            [
                ["dev-global-private-nacl", 4, 3],
                ["dev-global-public-nacl", 5, 3],
            ],
        );
        const assoc = dev.resources
            .filter((r) => r.type === "aws:ec2/networkAclAssociation:NetworkAclAssociation")
            .map((r) => `${String(r.inputs.subnetId)} -> ${String(r.inputs.networkAclId)}`);
        assert.deepStrictEqual(assoc, [
            ...[0, 1, 2].map((i) => `dev-global-private-subnet-${i}-id -> dev-global-private-nacl-id`),
            ...[0, 1, 2].map((i) => `dev-global-public-subnet-${i}-id -> dev-global-public-nacl-id`),
        ]);
        const privateAcl = acls.find((a) => a.name === "dev-global-private-nacl")!;
        assert.deepStrictEqual((privateAcl.inputs.egress as unknown[])[1], {
            ruleNo: 110,
            action: "allow",
            protocol: "6",
            fromPort: 443,
            toPort: 443,
            cidrBlock: "0.0.0.0/0",
        });
    });
});
