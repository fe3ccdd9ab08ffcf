import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import { describeProblem, ProblemError } from "../../../components/problems";
import {
    CLUSTER_DEFAULTS,
    Cluster,
    ClusterArgs,
    ClusterOptions,
    KUBERNETES_VERSION,
    clusterSettings,
    validateClusterArgs,
    withClusterDefaults,
} from "../../../components/cluster";
import { environmentOf } from "../../../layers/global/outputs";
import { useMocks } from "../../../plan/evaluate";
import { DEV_GLOBAL_OUTPUTS } from "../../helpers/fixtures";

const OPTIONS: ClusterOptions = {
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
};

describe("Cluster arguments (components/cluster/settings.ts)", () => {
    it("applies each default once: private endpoint only, no access roles, 30 days of logs, no schedule", () => {
        assert.deepStrictEqual(withClusterDefaults(OPTIONS), {
            ...OPTIONS,
            endpointPublicAccess: false,
            endpointPublicAccessCidrs: [],
            access: { adminRoleArns: [], viewerRoleArns: [] },
            logRetentionDays: 30,
            scheduledScaling: false,
            kubernetesVersion: "",
        });
        assert.strictEqual(CLUSTER_DEFAULTS.logRetentionDays, 30);
    });

    it("keeps what is given, and completes a partial access", () => {
        const admins = ["arn:aws:iam::123456789012:role/admins"];
        const settings = withClusterDefaults({
            ...OPTIONS,
            access: { adminRoleArns: admins },
            logRetentionDays: 90,
            scheduledScaling: true,
        });
        assert.deepStrictEqual(settings.access, { adminRoleArns: admins, viewerRoleArns: [] });
        assert.strictEqual(settings.logRetentionDays, 90);
        assert.strictEqual(settings.scheduledScaling, true);
    });

    it("accepts valid arguments and returns the settings", () => {
        assert.deepStrictEqual(validateClusterArgs(OPTIONS), { problems: [], settings: withClusterDefaults(OPTIONS) });
    });

    it("names every bad property with its value and the fix, and returns no settings", () => {
        const result = validateClusterArgs({
            ...OPTIONS,
            privateSubnetIds: ["subnet-a"],
            endpointPublicAccess: true,
            access: { adminRoleArns: ["arn:aws:iam::123456789012:group/admins"] },
            kmsKeyAdminArns: ["arn:aws:iam::123456789012:root"],
            logRetentionDays: 10,
            nodeGroups: [OPTIONS.nodeGroups[0], { ...OPTIONS.nodeGroups[0], minSize: 5, capacityType: "SPOT" }],
            kubernetesVersion: "1.29",
        });
        assert.strictEqual(result.settings, undefined);
        assert.deepStrictEqual(result.problems.map(describeProblem), [
            'privateSubnetIds = ["subnet-a"]: EKS needs subnets in at least two availability zones',
            "endpointPublicAccess = true: a public API endpoint needs the CIDRs allowed to reach it; list them in endpointPublicAccessCidrs, or set endpointPublicAccess to false (the private endpoint is always on)",
            'access.adminRoleArns[0] = "arn:aws:iam::123456789012:group/admins": not an IAM role ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
            'kmsKeyAdminArns[0] = "arn:aws:iam::123456789012:root": the account root hands the key to every IAM policy of the account; allowed: named roles or users, arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
            `kubernetesVersion = "1.29": more than 3 minors below the pinned ${KUBERNETES_VERSION}; allowed: empty (the pinned ${KUBERNETES_VERSION}) or one of 1.32, 1.33, 1.34, 1.35`,
            "logRetentionDays = 10: not a CloudWatch Logs retention period; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)",
            "nodeGroups[1].minSize = 5: greater than maxSize (3); allowed: minSize <= desiredSize <= maxSize",
            'nodeGroups[1].name = "general": another node group has this name; names must be unique',
        ]);
    });

    describe("clusterSettings", () => {
        let awsProvider: aws.Provider;
        let eksProvider: eks.Provider;
        let k8sProvider: k8s.Provider;
        before(() => {
            useMocks("dev");
            awsProvider = new aws.Provider("aws", { region: "eu-central-1" });
            eksProvider = new eks.Provider("eks", {});
            k8sProvider = new k8s.Provider("kubernetes", {});
        });
        const owner = { environment: environmentOf(DEV_GLOBAL_OUTPUTS), service: "common" };
        const args = (extra: Partial<ClusterArgs> = {}): ClusterArgs => ({
            owner,
            providers: { aws: awsProvider, eks: eksProvider },
            ...OPTIONS,
            ...extra,
        });
        const allowed = (pkg: string) =>
            `allowed: the stack's ${pkg} provider (default providers are disabled: every component is given its providers)`;

        it("the settings, when the providers and the arguments are right", () => {
            assert.deepStrictEqual(clusterSettings("cluster", args()), withClusterDefaults(OPTIONS));
        });

        it("a missing or wrong provider is a problem like any other, listed first", () => {
            assert.throws(
                () =>
                    clusterSettings(
                        "cluster",
                        args({ providers: { aws: awsProvider } as ClusterArgs["providers"], logRetentionDays: 10 }),
                    ),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.name === "ComponentArgsError" &&
                    err.message.startsWith(
                        `invalid Cluster "cluster" arguments:\n  - providers.eks = (not set): missing; ${allowed("eks")}\n  - logRetentionDays = 10: not a CloudWatch Logs retention period;`,
                    ),
            );
            assert.throws(
                () => clusterSettings("cluster", args({ providers: { aws: k8sProvider as never, eks: eksProvider } })),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.message ===
                        `invalid Cluster "cluster" arguments:\n  - providers.aws = "kubernetes provider": not a provider of the aws package; ${allowed("aws")}`,
            );
        });

        it("the component refuses a cluster without its providers before registering anything", () => {
            const recorder = useMocks("dev");
            assert.throws(
                () => new Cluster("cluster", args({ providers: {} as ClusterArgs["providers"] })),
                ProblemError,
            );
            assert.deepStrictEqual(recorder.resources, []);
        });
    });
});
