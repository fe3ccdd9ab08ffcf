import * as assert from "assert";
import { describeProblem } from "../../../components/problems";
import { ClusterArgs, clusterArgsProblems } from "../../../components/cluster";
import { environmentOf } from "../../../stacks/global";
import { DEV_GLOBAL_OUTPUTS } from "../../helpers/fixtures";

const ARGS: ClusterArgs = {
    owner: { environment: environmentOf(DEV_GLOBAL_OUTPUTS), service: "common" },
    clusterName: "dev-common-eks-cluster",
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    kmsKeyAdminArns: ["arn:aws:iam::123456789012:role/platform-admins"],
    nodeGroups: [
        {
            name: "general",
            instanceTypes: ["t3.large"],
            minSize: 1,
            maxSize: 3,
            desiredSize: 2,
            capacityType: "ON_DEMAND",
            labels: {},
            taints: [],
        },
    ],
    awsProvider: {} as never,
    eksProvider: {} as never,
};

describe("Cluster arguments (components/cluster/cluster.ts)", () => {
    it("accepts valid arguments", () => {
        assert.deepStrictEqual(clusterArgsProblems(ARGS), []);
    });

    it("names every bad property with its value and the fix", () => {
        assert.deepStrictEqual(
            clusterArgsProblems({
                ...ARGS,
                privateSubnetIds: ["subnet-a"],
                endpointPublicAccess: true,
                access: { adminRoleArns: ["arn:aws:iam::123456789012:group/admins"] },
                kmsKeyAdminArns: ["arn:aws:iam::123456789012:root"],
                logRetentionDays: 10,
                nodeGroups: [ARGS.nodeGroups[0], { ...ARGS.nodeGroups[0], minSize: 5, capacityType: "SPOT" }],
            }).map(describeProblem),
            [
                'privateSubnetIds = ["subnet-a"]: EKS needs subnets in at least two availability zones',
                "endpointPublicAccess = true: a public API endpoint needs the CIDRs allowed to reach it; list them in endpointPublicAccessCidrs, or set endpointPublicAccess to false (the private endpoint is always on)",
                'access.adminRoleArns[0] = "arn:aws:iam::123456789012:group/admins": not an IAM role ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
                'kmsKeyAdminArns[0] = "arn:aws:iam::123456789012:root": the account root hands the key to every IAM policy of the account; allowed: named roles or users, arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
                "logRetentionDays = 10: not a CloudWatch Logs retention period; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)",
                "nodeGroups[1].minSize = 5: greater than maxSize (3); allowed: minSize <= desiredSize <= maxSize",
                'nodeGroups[1].name = "general": another node group has this name; names must be unique',
            ],
        );
    });
});
