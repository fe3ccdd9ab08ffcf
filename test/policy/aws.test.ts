import * as assert from "assert";
import { ResourceValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { kmsKeyExplicitPolicy, logGroupKmsEncryption, requiredTags } from "../../policy/aws";
import { awsProvider, commonStack, edit, globalStack, res, violations } from "./fixtures";

describe("policy pack: AWS", () => {
    describe("aws-required-tags", () => {
        it("reports each missing tag and a Name that breaks the naming convention", async () => {
            const stack = edit(
                edit(globalStack(), "vpc", (i) => (i.tags.Name = "MyVpc")),
                "private-0",
                (i) => delete i.tags.Name,
            );
            assert.deepStrictEqual(await violations(stack), [
                "[aws-required-tags] aws:ec2/vpc:Vpc vpc: Name \"MyVpc\" does not follow dev-global-<type>[-<index>] (lower-case letters, digits and '-')",
                "[aws-required-tags] aws:ec2/subnet:Subnet private-0: missing tags: Name (all nine are required: Name, environment, owner-service, infra-region, team-name, time-zone, start-time, stop-time, contact)",
            ]);
        });

        it("reads the owner tags from the provider's defaultTags offline and from tagsAll under the engine", async () => {
            const withoutDefaults = res("pulumi:providers:aws", "aws", { region: "eu-central-1" });
            const vpc = res("aws:ec2/vpc:Vpc", "vpc", { tags: { Name: "dev-global-vpc" } });
            assert.deepStrictEqual(await violations([withoutDefaults, vpc]), [
                "[aws-required-tags] aws:ec2/vpc:Vpc vpc: missing tags: environment, owner-service, infra-region, team-name, time-zone, start-time, stop-time, contact (all nine are required: Name, environment, owner-service, infra-region, team-name, time-zone, start-time, stop-time, contact)",
                "[vpc-flow-logs] aws:ec2/vpc:Vpc vpc: VPC vpc has no flow log: add an aws.ec2.FlowLog with its vpcId",
            ]);
            // Under the engine the provider's Check has merged defaultTags into tagsAll.
            const tagsAll = (awsProvider("global").inputs.defaultTags as { tags: Record<string, string> }).tags;
            const reported: string[] = [];
            const validate = requiredTags.validateResource as (a: any, r: (m: string) => void) => void;
            validate(
                {
                    type: "aws:ec2/vpc:Vpc",
                    props: { tags: { Name: "dev-global-vpc" }, tagsAll: { ...tagsAll, Name: "dev-global-vpc" } },
                },
                (m) => reported.push(m),
            );
            assert.deepStrictEqual([...reported], []);
            // The engine passes provider inputs JSON-encoded.
            validate(
                {
                    type: "aws:ec2/vpc:Vpc",
                    props: { tags: { Name: "dev-global-vpc" } },
                    provider: { props: { defaultTags: JSON.stringify({ tags: tagsAll }) } },
                },
                (m) => reported.push(m),
            );
            assert.deepStrictEqual([...reported], []);
        });

        it("ignores AWS types that take no tags", async () => {
            const stack = [
                ...globalStack(),
                res("aws:ec2/route:Route", "default-route", { destinationCidrBlock: "0.0.0.0/0" }),
            ];
            assert.deepStrictEqual(await violations(stack), []);
        });
    });

    describe("EKS", () => {
        it("requires secrets encryption, all five control-plane logs and no open public endpoint (component and cluster)", async () => {
            let stack = edit(commonStack(), "cluster", (i) => {
                delete i.encryptionConfigKeyArn;
                i.enabledClusterLogTypes = ["api", "audit"];
                delete i.endpointPublicAccess;
            });
            stack = edit(stack, "cluster-eksCluster", (i) => {
                i.encryptionConfig.resources = [];
                i.vpcConfig.publicAccessCidrs = ["10.0.0.0/8", "0.0.0.0/0"];
            });
            assert.deepStrictEqual(await violations(stack), [
                "[eks-secrets-encryption] eks:index:Cluster cluster: Kubernetes secrets are not encrypted with a KMS key: set the cluster's secrets encryption key (encryptionConfigKeyArn)",
                "[eks-secrets-encryption] aws:eks/cluster:Cluster cluster-eksCluster: Kubernetes secrets are not encrypted with a KMS key: set the cluster's secrets encryption key (encryptionConfigKeyArn)",
                "[eks-control-plane-logs] eks:index:Cluster cluster: control-plane logs not enabled: authenticator, controllerManager, scheduler (enabledClusterLogTypes must list api, audit, authenticator, controllerManager, scheduler)",
                "[eks-no-open-public-endpoint] eks:index:Cluster cluster: the public API endpoint is open to 0.0.0.0/0 (the default): set endpointPublicAccess: false or list publicAccessCidrs",
                "[eks-no-open-public-endpoint] aws:eks/cluster:Cluster cluster-eksCluster: the public API endpoint is open to 0.0.0.0/0: list only the CIDRs that need it in publicAccessCidrs, or set endpointPublicAccess: false",
            ]);
        });

        it("refuses a public endpoint whose CIDRs together cover every address (0.0.0.0/0 split in two)", async () => {
            let stack = edit(commonStack(), "cluster", (i) => {
                i.endpointPublicAccess = true;
                i.publicAccessCidrs = ["0.0.0.0/1", "128.0.0.0/1"];
            });
            stack = edit(stack, "cluster-eksCluster", (i) => {
                i.vpcConfig.endpointPublicAccess = true;
                i.vpcConfig.publicAccessCidrs = ["128.0.0.0/1", "0.0.0.0/1"];
            });
            assert.deepStrictEqual(await violations(stack), [
                "[eks-no-open-public-endpoint] eks:index:Cluster cluster: the public API endpoint is open to every address: its publicAccessCidrs (0.0.0.0/1, 128.0.0.0/1) together cover 0.0.0.0/0; list only the CIDRs that need it, or set endpointPublicAccess: false",
                "[eks-no-open-public-endpoint] aws:eks/cluster:Cluster cluster-eksCluster: the public API endpoint is open to every address: its publicAccessCidrs (128.0.0.0/1, 0.0.0.0/1) together cover 0.0.0.0/0; list only the CIDRs that need it, or set endpointPublicAccess: false",
            ]);
            stack = edit(stack, "cluster-eksCluster", (i) => (i.vpcConfig.publicAccessCidrs = ["203.0.113.0/24"]));
            stack = edit(stack, "cluster", (i) => (i.publicAccessCidrs = ["203.0.113.0/24"]));
            assert.deepStrictEqual(await violations(stack), []);
        });

        it("requires IMDSv2: launch templates, node groups without a launch template, the default node group", async () => {
            let stack = edit(commonStack(), "nodes", (i) => (i.metadataOptions.httpTokens = "optional"));
            stack = edit(stack, "system", (i) => delete i.launchTemplate);
            stack = edit(stack, "cluster", (i) => delete i.skipDefaultNodeGroup);
            assert.deepStrictEqual(await violations(stack), [
                "[eks-nodes-imdsv2] eks:index:Cluster cluster: the cluster's default node group does not require IMDSv2: set skipDefaultNodeGroup: true and add node groups with a launch template that requires it",
                '[eks-nodes-imdsv2] aws:ec2/launchTemplate:LaunchTemplate nodes: IMDSv2 is not required: set metadataOptions.httpTokens to "required" (got "optional")',
                '[eks-nodes-imdsv2] aws:eks/nodeGroup:NodeGroup system: the node group has no launch template, so IMDSv2 is not enforced: give it a launchTemplate whose metadataOptions.httpTokens is "required"',
            ]);
        });

        it("requires IMDSv2 on instances and on eks managed node groups without a launch template", async () => {
            const stack = [
                ...commonStack(),
                res("aws:ec2/instance:Instance", "bastion", {
                    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
                    tags: { Name: "dev-common-bastion" },
                }),
                res("aws:ec2/instance:Instance", "legacy", { tags: { Name: "dev-common-legacy" } }),
                res("eks:index:ManagedNodeGroup", "workers", { enableIMDSv2: true }),
                res("eks:index:ManagedNodeGroup", "spot", {}),
            ];
            assert.deepStrictEqual(await violations(stack), [
                '[eks-nodes-imdsv2] aws:ec2/instance:Instance legacy: IMDSv2 is not required: set metadataOptions.httpTokens to "required" (got null)',
                "[eks-nodes-imdsv2] eks:index:ManagedNodeGroup spot: the node group does not require IMDSv2: set enableIMDSv2: true or give it a launchTemplate that requires it",
                "[eks-nodes-imds-hop-limit] aws:ec2/instance:Instance legacy: the IMDS hop limit is not set, so the AMI's default applies (2 on EKS-optimized AMIs): set metadataOptions.httpPutResponseHopLimit to 1",
            ]);
        });
    });

    describe("hop limit, log group encryption, key policies", () => {
        it("eks-nodes-imds-hop-limit: refuses a launch template or instance with a hop limit above 1, or none", async () => {
            let stack = edit(commonStack(), "nodes", (i) => (i.metadataOptions.httpPutResponseHopLimit = 2));
            stack = [
                ...stack,
                res("aws:ec2/instance:Instance", "bastion", {
                    metadataOptions: { httpTokens: "required" },
                    tags: { Name: "dev-common-bastion" },
                }),
            ];
            assert.deepStrictEqual(await violations(stack), [
                "[eks-nodes-imds-hop-limit] aws:ec2/launchTemplate:LaunchTemplate nodes: the IMDS hop limit is 2: pods can reach the instance metadata service and take the node role's credentials; set metadataOptions.httpPutResponseHopLimit to 1 and give workloads AWS access through EKS Pod Identity",
                "[eks-nodes-imds-hop-limit] aws:ec2/instance:Instance bastion: the IMDS hop limit is not set, so the AMI's default applies (2 on EKS-optimized AMIs): set metadataOptions.httpPutResponseHopLimit to 1",
            ]);
        });

        it("cloudwatch-log-group-kms: refuses a log group without kmsKeyId", async () => {
            const stack = edit(globalStack(), "flow-log-group", (i) => delete i.kmsKeyId);
            assert.deepStrictEqual(await violations(stack), [
                '[cloudwatch-log-group-kms] aws:cloudwatch/logGroup:LogGroup flow-log-group: log group "dev-global-flow-log-group" is not encrypted with a customer-managed key: set kmsKeyId to a KMS key whose policy lets logs.<region>.amazonaws.com use it for this log group',
            ]);
        });

        it("kms-key-explicit-policy: refuses a key without a policy, and a statement allowing kms:* or *", async () => {
            let stack = edit(globalStack(), "flow-log-key", (i) => delete i.policy);
            stack = [
                ...stack,
                res("aws:kms/key:Key", "default-like", {
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "Enable IAM User Permissions",
                                Effect: "Allow",
                                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                                Action: "kms:*",
                                Resource: "*",
                            },
                        ],
                    }),
                    tags: { Name: "dev-global-default-like" },
                }),
            ];
            assert.deepStrictEqual(await violations(stack), [
                "[kms-key-explicit-policy] aws:kms/key:Key flow-log-key: the key has no explicit key policy, so AWS gives it the default one (every IAM policy of the account may use and manage it): set policy, with named key administrators and the one user of the key",
                "[kms-key-explicit-policy] aws:kms/key:Key default-like: key policy Statement[0] (Enable IAM User Permissions) allows kms:*: list the actions its principal needs",
            ]);
        });

        it("in a preview, takes a kmsKeyId or key policy that cannot be known yet as given, and still refuses one left out", () => {
            // The engine's own proxy over a value it cannot know in a preview (the SDK's sentinel,
            // exported by its proxy module without typings).
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module has no typings to import
            const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: unknown };
            const unknown = (known: Record<string, unknown>, key: string) =>
                unknownCheckingProxy({ ...known, [key]: unknownStringValue });
            const run = (policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>) => {
                const reported: string[] = [];
                (policy.validateResource as (a: any, r: (m: string) => void) => void)({ type, name: "r", props }, (m) =>
                    reported.push(m),
                );
                return reported;
            };
            assert.deepStrictEqual(
                run(logGroupKmsEncryption, "aws:cloudwatch/logGroup:LogGroup", unknown({ name: "g" }, "kmsKeyId")),
                [],
            );
            assert.deepStrictEqual(run(kmsKeyExplicitPolicy, "aws:kms/key:Key", unknown({}, "policy")), []);
            assert.deepStrictEqual(run(logGroupKmsEncryption, "aws:cloudwatch/logGroup:LogGroup", { name: "g" }), [
                'log group "g" is not encrypted with a customer-managed key: set kmsKeyId to a KMS key whose policy lets logs.<region>.amazonaws.com use it for this log group',
            ]);
        });

        it("passes the good stacks, whose key has an explicit policy and whose log group and nodes comply", async () => {
            assert.deepStrictEqual(await violations(globalStack()), []);
            assert.deepStrictEqual(await violations(commonStack()), []);
        });
    });

    describe("vpc-flow-logs (stack policy)", () => {
        it("reports a VPC without a flow log", async () => {
            const stack = globalStack().filter((r) => r.name !== "flow-log");
            assert.deepStrictEqual(await violations(stack), [
                "[vpc-flow-logs] aws:ec2/vpc:Vpc vpc: VPC vpc has no flow log: add an aws.ec2.FlowLog with its vpcId",
            ]);
        });
    });
});
