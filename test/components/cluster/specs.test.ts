import * as assert from "assert";
import {
    CONTROL_PLANE_LOG_TYPES,
    KUBERNETES_VERSION,
    MANAGED_ADDONS,
    NodeGroupSpec,
    accessEntries,
    NODE_ROLE_POLICIES,
    VPC_CNI_ROLE_POLICIES,
    clusterArn,
    clusterRoleTrustPolicy,
    nodeRoleTrustPolicy,
    cronAt,
    endpointProblem,
    nodeGroupsProblems,
    nodeMetadataOptions,
    parseNodeGroup,
    partitionOfRegion,
    roleArnProblem,
    scheduledScaling,
} from "../../../components/cluster";

const GROUP: NodeGroupSpec = {
    name: "general",
    instanceTypes: ["t3.large"],
    minSize: 1,
    maxSize: 4,
    desiredSize: 2,
    capacityType: "ON_DEMAND",
    labels: {},
    taints: [],
};

describe("cluster specs (components/cluster/specs.ts)", () => {
    it("pins a supported EKS Kubernetes minor and the five control-plane log types", () => {
        assert.strictEqual(KUBERNETES_VERSION, "1.35");
        assert.deepStrictEqual(
            [...CONTROL_PLANE_LOG_TYPES],
            ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        );
        assert.deepStrictEqual([...MANAGED_ADDONS].sort(), [
            "aws-ebs-csi-driver",
            "coredns",
            "eks-pod-identity-agent",
            "kube-proxy",
            "vpc-cni",
        ]);
    });

    it("scales a node group to zero every day at stop-time and back on working days at start-time, in the time zone", () => {
        assert.deepStrictEqual(
            scheduledScaling(GROUP, { timeZone: "Europe/Berlin", startTime: "07:00", stopTime: "19:30" }),
            [
                {
                    action: "stop",
                    recurrence: "30 19 * * *",
                    timeZone: "Europe/Berlin",
                    minSize: 0,
                    maxSize: 0,
                    desiredCapacity: 0,
                },
                {
                    action: "start",
                    recurrence: "0 7 * * MON-FRI",
                    timeZone: "Europe/Berlin",
                    minSize: 1,
                    maxSize: 4,
                    desiredCapacity: 2,
                },
            ],
        );
        assert.strictEqual(cronAt("08:05", "*"), "5 8 * * *");
    });

    it("maps admin and viewer roles to access entries with cluster-scoped EKS access policies", () => {
        assert.deepStrictEqual(
            accessEntries({
                adminRoleArns: ["arn:aws:iam::123456789012:role/admins"],
                viewerRoleArns: ["arn:aws-cn:iam::123456789012:role/readers"],
            }),
            {
                "admin-0": {
                    principalArn: "arn:aws:iam::123456789012:role/admins",
                    type: "STANDARD",
                    accessPolicies: {
                        "cluster-admin": {
                            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                            accessScope: { type: "cluster" },
                        },
                    },
                },
                "viewer-0": {
                    principalArn: "arn:aws-cn:iam::123456789012:role/readers",
                    type: "STANDARD",
                    accessPolicies: {
                        view: {
                            policyArn: "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                            accessScope: { type: "cluster" },
                        },
                    },
                },
            },
        );
        assert.deepStrictEqual(accessEntries({ adminRoleArns: [], viewerRoleArns: [] }), {});
    });

    it("requires IMDSv2 with a hop limit of 1 on every node: pods on the pod network cannot reach the node's role", () => {
        assert.deepStrictEqual(nodeMetadataOptions(), {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
        });
    });

    it("writes trust policies: the cluster role's with source conditions, the nodes' for EC2 alone", () => {
        const scope = {
            accountId: "123456789012",
            partition: "aws",
            region: "eu-central-1",
            clusterName: "dev-common-eks-cluster",
        };
        assert.strictEqual(clusterArn(scope), "arn:aws:eks:eu-central-1:123456789012:cluster/dev-common-eks-cluster");
        assert.deepStrictEqual(clusterRoleTrustPolicy(scope), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "eks.amazonaws.com" },
                    Action: ["sts:AssumeRole"],
                    Condition: {
                        StringEquals: { "aws:SourceAccount": "123456789012" },
                        ArnEquals: {
                            "aws:SourceArn": "arn:aws:eks:eu-central-1:123456789012:cluster/dev-common-eks-cluster",
                        },
                    },
                },
            ],
        });
        assert.deepStrictEqual(nodeRoleTrustPolicy(), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
        });
        assert.deepStrictEqual(NODE_ROLE_POLICIES, ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"]);
        assert.deepStrictEqual(VPC_CNI_ROLE_POLICIES, ["AmazonEKS_CNI_Policy"]);
        assert.deepStrictEqual(["eu-central-1", "cn-north-1", "us-gov-west-1"].map(partitionOfRegion), [
            "aws",
            "aws-cn",
            "aws-us-gov",
        ]);
    });

    it("accepts role ARNs with paths and rejects users, short accounts and other services", () => {
        assert.strictEqual(roleArnProblem("arn:aws:iam::123456789012:role/path/to/admins"), undefined);
        for (const bad of [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345:role/x",
            "arn:aws:sts::123456789012:role/x",
            "admins",
        ]) {
            assert.match(roleArnProblem(bad) ?? "", /^not an IAM role ARN; allowed: /, bad);
        }
    });

    it("checks the endpoint settings", () => {
        assert.strictEqual(endpointProblem(false, []), undefined);
        assert.strictEqual(endpointProblem(true, ["203.0.113.0/24"]), undefined);
        assert.strictEqual(endpointProblem(true, [])?.path, "endpointPublicAccess");
        assert.strictEqual(endpointProblem(false, ["203.0.113.0/24"])?.path, "endpointPublicAccessCidrs");
    });

    it("reads a node group, defaulting the capacity type, labels and taints", () => {
        const { group, problems } = parseNodeGroup({
            name: "general",
            instanceTypes: ["m6i.large", "m5.large"],
            minSize: 0,
            maxSize: 2,
            desiredSize: 0,
        });
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(group, {
            name: "general",
            instanceTypes: ["m6i.large", "m5.large"],
            minSize: 0,
            maxSize: 2,
            desiredSize: 0,
            capacityType: "ON_DEMAND",
            labels: {},
            taints: [],
        });
    });

    it("checks each instance type against EC2's pattern (family, generation, size), naming it and what is allowed", () => {
        const rule =
            "not an EC2 instance type; allowed: an EC2 instance type <family><generation>[attributes].<size>, size one of nano, micro, small, medium, large, xlarge, <n>xlarge, metal or metal-<n>xl, e.g. t3.large, m6i.2xlarge or c7gn.metal";
        const good = ["t3.large", "m6i.2xlarge", "c7gn.16xlarge", "m7i-flex.large", "u-6tb1.metal", "r6i.metal-32xl"];
        assert.deepStrictEqual(parseNodeGroup({ ...GROUP, instanceTypes: good }).problems, []);
        assert.deepStrictEqual(
            parseNodeGroup({ ...GROUP, instanceTypes: ["m5.huge", "t3.large", "large", "m.large", "M5.large"] })
                .problems,
            [
                { path: "instanceTypes[0]", value: "m5.huge", message: rule },
                { path: "instanceTypes[2]", value: "large", message: rule },
                { path: "instanceTypes[3]", value: "m.large", message: rule },
                { path: "instanceTypes[4]", value: "M5.large", message: rule },
            ],
        );
    });

    it("names each bad node group field with its value and what is allowed", () => {
        const { problems } = parseNodeGroup({
            name: "-x",
            instanceTypes: [],
            minSize: 1.5,
            maxSize: 0,
            desiredSize: 0,
            labels: { "bad key!": "v" },
        });
        assert.deepStrictEqual(problems, [
            {
                path: "name",
                value: "-x",
                message:
                    "not a node group name; allowed: lower-case letters, digits and single '-', starting with a letter, at most 20 characters, e.g. general",
            },
            {
                path: "instanceTypes",
                value: [],
                message:
                    'not a list of EC2 instance types; allowed: at least one, e.g. ["t3.large"] or ["m6i.large", "m5.large"]',
            },
            { path: "minSize", value: 1.5, message: "not a node count; allowed: a whole number from 0 to 450" },
            {
                path: "labels.bad key!",
                value: "v",
                message:
                    "not a Kubernetes label; allowed: a label key and a value of at most 63 letters, digits, '-', '_' and '.'",
            },
        ]);
        assert.deepStrictEqual(parseNodeGroup({ ...GROUP, minSize: 0, maxSize: 0, desiredSize: 0 }).problems, [
            { path: "maxSize", value: 0, message: "a node group needs room for at least one node; allowed: 1 or more" },
        ]);
    });
});

describe("node group lists (components/cluster/specs.ts nodeGroupsProblems), shared by config and Cluster", () => {
    const GROUP = { name: "general", instanceTypes: ["t3.large"], minSize: 1, maxSize: 2, desiredSize: 1 };

    it("needs one group, checks each group's fields under [i] and refuses a name used twice", () => {
        assert.deepStrictEqual(nodeGroupsProblems([]), [
            { path: "", value: [], message: "at least one node group is needed" },
        ]);
        assert.deepStrictEqual(nodeGroupsProblems([GROUP, { ...GROUP, minSize: 3 }]), [
            {
                path: "[1].minSize",
                value: 3,
                message: "greater than maxSize (2); allowed: minSize <= desiredSize <= maxSize",
            },
            { path: "[1].name", value: "general", message: "another node group has this name; names must be unique" },
        ]);
        assert.deepStrictEqual(nodeGroupsProblems([GROUP, { ...GROUP, name: "batch" }]), []);
    });
});
