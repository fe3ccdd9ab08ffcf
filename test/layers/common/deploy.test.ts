import * as assert from "assert";
import { isConfigError } from "../../../layers/config";
import { COMMON_OUTPUTS } from "../../../layers/common/outputs";
import {
    KUBERNETES_VERSION,
    clusterRoleTrustPolicy,
    nodeRoleTrustPolicy,
    podIdentityTrustPolicy,
} from "../../../components/cluster";
import { ISTIO_VERSION } from "../../../components/mesh";
import { CHARTS } from "../../../components/charts";
import { prometheusStackCrds } from "../../../components/observability";
import { eksSecretsKeyPolicy, keyAdminStatement, logGroupKeyPolicy } from "../../../components/kms";
import { KMS_KEY_ADMIN_ARNS, MINIMAL_COMMON_CONFIG, platformConfig } from "../../helpers/config";
import { conventionViolations } from "../../../plan/conventions-check";
import { Evaluation, evaluate } from "../../../plan/evaluate";
import { DEV_COMMON_OUTPUTS, DEV_GLOBAL_OUTPUTS, devStackOutputs } from "../../helpers/fixtures";
import { RecordedResource } from "../../../plan/recorder";
import { readStackConfig } from "../../../plan/stack-config";
import { FIXTURE_STACKS } from "../../helpers/stacks";
import { ISTIOD_WEBHOOK_CA } from "../../helpers/istiod-webhook";

/** The dev common stack as the fixture Pulumi.dev-common.yaml configures it (schedule on, 100 % sampling). */
function evaluateDev(): Promise<Evaluation> {
    const c = readStackConfig("dev-common", FIXTURE_STACKS);
    return evaluate({
        stack: "dev-common",
        config: c.config,
        secretKeys: c.secretKeys,
        stackOutputs: devStackOutputs(),
    });
}

/** A common stack with only the layer set: every key at its default. */
/** The Prometheus operator's CRDs, as every kube-prometheus-stack version the package carries ships them. */
const PROMETHEUS_STACK_CRD_NAMES = [
    "alertmanagerconfigs.monitoring.coreos.com",
    "alertmanagers.monitoring.coreos.com",
    "podmonitors.monitoring.coreos.com",
    "probes.monitoring.coreos.com",
    "prometheusagents.monitoring.coreos.com",
    "prometheuses.monitoring.coreos.com",
    "prometheusrules.monitoring.coreos.com",
    "scrapeconfigs.monitoring.coreos.com",
    "servicemonitors.monitoring.coreos.com",
    "thanosrulers.monitoring.coreos.com",
];

function evaluateDefaults(extra: Record<string, unknown> = {}, secretKeys: string[] = []): Promise<Evaluation> {
    return evaluate({
        stack: "dev-common",
        config: platformConfig({ ...MINIMAL_COMMON_CONFIG, ...extra }),
        secretKeys,
        stackOutputs: devStackOutputs(),
    });
}

function one(result: Evaluation, type: string, name?: string): RecordedResource {
    const found = result.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.strictEqual(
        found.length,
        1,
        `expected one ${type} ${name ?? ""}, found ${found.map((r) => r.name).join(", ") || "none"}`,
    );
    return found[0];
}

describe("common layer (layers/common/deploy.ts)", () => {
    let dev: Evaluation;
    let defaults: Evaluation;
    before(async () => {
        dev = await evaluateDev();
        defaults = await evaluateDefaults();
    });

    it("exports exactly the CommonOutputs, the kubeconfig as a secret", () => {
        assert.deepStrictEqual(Object.keys(dev.outputs).sort(), Object.keys(COMMON_OUTPUTS).sort());
        assert.deepStrictEqual(dev.secretOutputNames, ["kubeconfig"]);
        // Everything but the cluster's generated identifiers is what the canned fixture of the service layer assumes.
        const { oidcProviderArn, oidcProviderUrl, clusterSecurityGroupId, kubeconfig, ...rest } = dev.outputs;
        const {
            oidcProviderArn: _a,
            oidcProviderUrl: _u,
            clusterSecurityGroupId: _s,
            kubeconfig: _k,
            ...expected
        } = DEV_COMMON_OUTPUTS;
        assert.deepStrictEqual(rest, expected);
        assert.strictEqual(kubeconfig, "[secret]");
        assert.match(String(oidcProviderUrl), /^https:\/\/oidc\.eks\./);
        assert.match(String(dev.outputs.oidcProviderArn), /^arn:aws:iam::123456789012:oidc-provider\/oidc\.eks\./);
        assert.strictEqual(dev.outputs.clusterSecurityGroupId, "sg-dev-common-eks-cluster-cluster");
    });

    it("creates the EKS cluster under the reserved name in the private subnets, with API access, OIDC, encryption and logs", () => {
        const cluster = one(dev, "eks:index:Cluster");
        assert.strictEqual(cluster.name, DEV_GLOBAL_OUTPUTS.clusterName);
        assert.strictEqual(cluster.remote, true);
        assert.strictEqual(cluster.provider, "eks");
        const i = cluster.inputs;
        assert.strictEqual(i.name, "dev-common-eks-cluster");
        assert.strictEqual(i.version, KUBERNETES_VERSION);
        assert.strictEqual(i.vpcId, DEV_GLOBAL_OUTPUTS.vpcId);
        assert.deepStrictEqual(i.privateSubnetIds, DEV_GLOBAL_OUTPUTS.privateSubnetIds);
        // Only the private subnets: pulumi-eks would put the control plane's ENIs in public ones too.
        assert.strictEqual(i.publicSubnetIds, undefined);
        assert.strictEqual(i.endpointPrivateAccess, true);
        assert.strictEqual(i.endpointPublicAccess, false);
        assert.strictEqual(i.publicAccessCidrs, undefined);
        assert.strictEqual(i.authenticationMode, "API");
        assert.strictEqual(i.accessEntries, undefined);
        assert.deepStrictEqual(
            dev.resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry"),
            [],
        );
        assert.strictEqual(i.createOidcProvider, true);
        assert.strictEqual(
            i.encryptionConfigKeyArn,
            "arn:aws:kms:eu-central-1:123456789012:key/dev-common-eks-secrets-key",
        );
        assert.deepStrictEqual(i.enabledClusterLogTypes, [
            "api",
            "audit",
            "authenticator",
            "controllerManager",
            "scheduler",
        ]);
        assert.strictEqual(i.skipDefaultNodeGroup, true);
        assert.deepStrictEqual(cluster.dependsOn, [
            "dev-common-eks-cluster-role-AmazonEKSClusterPolicy",
            "dev-common-eks-log-group",
            "dev-common-eks-secrets-key",
        ]);
        const logs = one(dev, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepStrictEqual(
            { name: logs.inputs.name, retentionInDays: logs.inputs.retentionInDays, kmsKeyId: logs.inputs.kmsKeyId },
            {
                name: "/aws/eks/dev-common-eks-cluster/cluster",
                retentionInDays: 30,
                kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/dev-common-eks-log-key",
            },
        );
    });

    it("encrypts secrets and control-plane logs with two keys of explicit policies: named admins, one user each", () => {
        const keys = dev.resources
            .filter((r) => r.type === "aws:kms/key:Key")
            .sort((a, b) => a.name.localeCompare(b.name));
        assert.deepStrictEqual(
            keys.map((k) => [
                k.name,
                k.inputs.enableKeyRotation,
                k.inputs.deletionWindowInDays,
                (k.inputs.tags as Record<string, string>).Name,
            ]),
            [
                ["dev-common-eks-log-key", true, 30, "dev-common-eks-log-key"],
                ["dev-common-eks-secrets-key", true, 30, "dev-common-eks-secrets-key"],
            ],
        );
        const policy = (name: string) => JSON.parse(String(one(dev, "aws:kms/key:Key", name).inputs.policy));
        const admins = keyAdminStatement(KMS_KEY_ADMIN_ARNS);
        assert.deepStrictEqual(
            policy("dev-common-eks-secrets-key"),
            eksSecretsKeyPolicy(KMS_KEY_ADMIN_ARNS, "arn:aws:iam::123456789012:role/dev-common-eks-cluster-role"),
        );
        assert.deepStrictEqual(policy("dev-common-eks-secrets-key").Statement[0], admins);
        // The exact statements are in test/components/kms: here, the scope the stack gives them.
        assert.deepStrictEqual(
            policy("dev-common-eks-log-key"),
            logGroupKeyPolicy(KMS_KEY_ADMIN_ARNS, {
                partition: "aws",
                region: "eu-central-1",
                accountId: "123456789012",
                logGroupName: "/aws/eks/dev-common-eks-cluster/cluster",
            }),
        );
        const aliases = dev.resources
            .filter((r) => r.type === "aws:kms/alias:Alias")
            .map((a) => [a.inputs.name, a.inputs.targetKeyId]);
        assert.deepStrictEqual(aliases.sort(), [
            ["alias/dev-common-eks-log-key", "dev-common-eks-log-key-key-id"],
            ["alias/dev-common-eks-secrets-key", "dev-common-eks-secrets-key-key-id"],
        ]);
    });

    it("opens the public endpoint only for the listed CIDRs and maps roles to access entries", async () => {
        const result = await evaluateDefaults({
            endpointPublicAccess: true,
            endpointPublicAccessCidrs: ["203.0.113.0/24"],
            clusterAdminRoleArns: ["arn:aws:iam::123456789012:role/platform-admins"],
            clusterViewerRoleArns: ["arn:aws:iam::123456789012:role/readers"],
        });
        const i = one(result, "eks:index:Cluster").inputs;
        assert.strictEqual(i.endpointPublicAccess, true);
        assert.deepStrictEqual(i.publicAccessCidrs, ["203.0.113.0/24"]);
        assert.strictEqual(i.accessEntries, undefined);
        const entries = result.resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry");
        assert.deepStrictEqual(
            entries.map((r) => [
                r.name,
                r.inputs.principalArn,
                r.inputs.type,
                (r.inputs.tags as Record<string, string>).Name,
                r.dependsOn,
            ]),
            [
                [
                    "dev-common-eks-access-entry-admin-0",
                    "arn:aws:iam::123456789012:role/platform-admins",
                    "STANDARD",
                    "dev-common-eks-access-entry-admin-0",
                    ["dev-common-eks-cluster"],
                ],
                [
                    "dev-common-eks-access-entry-viewer-0",
                    "arn:aws:iam::123456789012:role/readers",
                    "STANDARD",
                    "dev-common-eks-access-entry-viewer-0",
                    ["dev-common-eks-cluster"],
                ],
            ],
        );
        const associations = result.resources.filter(
            (r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        );
        assert.deepStrictEqual(
            associations.map((r) => [
                r.name,
                r.inputs.clusterName,
                r.inputs.policyArn,
                r.inputs.accessScope,
                r.dependsOn,
            ]),
            [
                [
                    "dev-common-eks-access-entry-admin-0-cluster-admin",
                    "dev-common-eks-cluster",
                    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    { type: "cluster" },
                    ["dev-common-eks-access-entry-admin-0"],
                ],
                [
                    "dev-common-eks-access-entry-viewer-0-view",
                    "dev-common-eks-cluster",
                    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                    { type: "cluster" },
                    ["dev-common-eks-access-entry-viewer-0"],
                ],
            ],
        );
    });

    it("creates each node group over the private subnets with an IMDSv2 launch template", () => {
        const group = one(dev, "aws:eks/nodeGroup:NodeGroup");
        assert.strictEqual(group.name, "dev-common-general-node-group");
        const i = group.inputs;
        assert.strictEqual(i.nodeGroupName, "dev-common-general-node-group");
        assert.deepStrictEqual(i.subnetIds, DEV_GLOBAL_OUTPUTS.privateSubnetIds);
        assert.deepStrictEqual(i.scalingConfig, { minSize: 2, maxSize: 4, desiredSize: 2 });
        assert.strictEqual(i.capacityType, "ON_DEMAND");
        assert.deepStrictEqual(i.instanceTypes, ["t3.large"]);
        assert.deepStrictEqual(i.launchTemplate, { id: "dev-common-general-launch-template-id", version: "1" });
        // Rolling node updates replace one node at a time, so the pods' disruption budgets can hold.
        assert.deepStrictEqual(i.updateConfig, { maxUnavailable: 1 });
        // The schedule changes the desired size outside Pulumi: an update must not scale it back.
        assert.deepStrictEqual(group.options.ignoreChanges, ["scalingConfig.desiredSize"]);
        assert.deepStrictEqual(one(defaults, "aws:eks/nodeGroup:NodeGroup").options.ignoreChanges, []);
        const template = one(dev, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.deepStrictEqual(template.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
        });
        assert.deepStrictEqual(template.inputs.vpcSecurityGroupIds, ["sg-dev-common-eks-cluster-node"]);
        // Networking add-ons come before the nodes, which need a CNI to become Ready.
        for (const dep of [
            "dev-common-vpc-cni-addon",
            "dev-common-kube-proxy-addon",
            "dev-common-eks-node-role-AmazonEKSWorkerNodePolicy",
        ]) {
            assert.ok(group.dependsOn.includes(dep), dep);
        }
    });

    describe("Kubernetes minor upgrades: one minor at a time, control plane, add-ons, node groups", () => {
        /** The common stack with `extra` config, its last deployment at `deployed` (undefined: never deployed). */
        const withDeployed = (deployed: string | undefined, extra: Record<string, unknown> = {}) => {
            const outputs = devStackOutputs();
            const own = outputs["organization/platform/dev-common"].outputs;
            if (deployed === undefined) {
                delete own.kubernetesVersion;
            } else {
                own.kubernetesVersion = deployed;
            }
            return evaluate({
                stack: "dev-common",
                config: platformConfig({ ...MINIMAL_COMMON_CONFIG, ...extra }),
                stackOutputs: outputs,
            });
        };
        const versions = (e: Evaluation) => ({
            cluster: one(e, "eks:index:Cluster").inputs.version,
            nodeGroups: e.resources
                .filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")
                .map((r) => r.inputs.version),
            addons: e.resources
                .filter((r) => r.type === "aws:eks/addon:Addon")
                .map((r) => r.inputs.addonVersion as string)
                .sort(),
            output: e.outputs.kubernetesVersion,
        });

        it("the control plane, every node group and every managed add-on (EKS's default version for it) at the cluster's minor; its output says it", async () => {
            const addonsAt = (minor: string) =>
                ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"].map(
                    (a) => `v${minor}.0-${a}-eksbuild.1`,
                );
            assert.deepStrictEqual(versions(dev), {
                cluster: KUBERNETES_VERSION,
                nodeGroups: [KUBERNETES_VERSION],
                addons: addonsAt(KUBERNETES_VERSION),
                output: KUBERNETES_VERSION,
            });
            // Held one minor back, as during an upgrade of two minors.
            assert.deepStrictEqual(versions(await withDeployed("1.34", { kubernetesVersion: "1.34" })), {
                cluster: "1.34",
                nodeGroups: ["1.34"],
                addons: addonsAt("1.34"),
                output: "1.34",
            });
        });

        it("in an upgrade the node groups come after the add-ons nodes need, CoreDNS and the EBS CSI driver after the node groups", () => {
            const group = one(dev, "aws:eks/nodeGroup:NodeGroup");
            const addonsFirst = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"].map((a) => `dev-common-${a}-addon`);
            assert.deepStrictEqual(
                addonsFirst.filter((a) => !group.dependsOn.includes(a)),
                [],
            );
            for (const addon of addonsFirst) {
                assert.ok(one(dev, "aws:eks/addon:Addon", addon).dependsOn.includes("dev-common-eks-cluster"), addon);
            }
            for (const addon of ["coredns", "aws-ebs-csi-driver"]) {
                assert.ok(
                    one(dev, "aws:eks/addon:Addon", `dev-common-${addon}-addon`).dependsOn.includes(group.name),
                    addon,
                );
            }
        });

        it("moves one minor per update from what the stack last deployed: a first deployment, the same minor and the next are taken", async () => {
            for (const [deployed, extra] of [
                [undefined, {}],
                ["1.33", { kubernetesVersion: "1.33" }],
                ["1.33", { kubernetesVersion: "1.34" }],
                ["1.34", {}],
            ] as const) {
                const e = await withDeployed(deployed, extra);
                assert.strictEqual(
                    e.outputs.kubernetesVersion,
                    (extra as { kubernetesVersion?: string }).kubernetesVersion ?? KUBERNETES_VERSION,
                );
            }
        });

        it("refuses, before anything is created, a jump of two minors (naming the steps), a downgrade and a version this release does not support", async () => {
            const refused = async (deployed: string | undefined, extra: Record<string, unknown>, line: string) =>
                assert.rejects(withDeployed(deployed, extra), (err: Error) => {
                    assert.strictEqual(
                        err.message,
                        'Configuration of stack "dev-common" (Pulumi.dev-common.yaml) is invalid; nothing was created:\n' +
                            `  - ${line}`,
                    );
                    return true;
                });
            await refused(
                "1.33",
                {},
                `platform:kubernetesVersion = "": unset: the pinned ${KUBERNETES_VERSION}, but the cluster runs 1.33, and EKS upgrades a control plane one minor at a time; allowed: 1.33 or 1.34. Set kubernetesVersion to each of 1.34, 1.35 in turn, one pulumi up each (docs/common.md, "Kubernetes upgrades")`,
            );
            await refused(
                "1.32",
                { kubernetesVersion: "1.35" },
                'platform:kubernetesVersion = "1.35": the cluster runs 1.32, and EKS upgrades a control plane one minor at a time; allowed: 1.32 or 1.33. Set kubernetesVersion to each of 1.33, 1.34, 1.35 in turn, one pulumi up each (docs/common.md, "Kubernetes upgrades")',
            );
            await refused(
                "1.35",
                { kubernetesVersion: "1.34" },
                'platform:kubernetesVersion = "1.34": the cluster runs 1.35, and EKS cannot downgrade a control plane; allowed: 1.35, or a newer minor one at a time',
            );
            await refused(
                undefined,
                { kubernetesVersion: "1.36" },
                `platform:kubernetesVersion = "1.36": newer than this release of the platform supports (${KUBERNETES_VERSION}: its charts and add-ons are checked against it); allowed: empty (the pinned ${KUBERNETES_VERSION}) or one of 1.32, 1.33, 1.34, 1.35`,
            );
            await refused(
                undefined,
                { kubernetesVersion: "1.31" },
                `platform:kubernetesVersion = "1.31": more than 3 minors below the pinned ${KUBERNETES_VERSION}; allowed: empty (the pinned ${KUBERNETES_VERSION}) or one of 1.32, 1.33, 1.34, 1.35`,
            );
            await refused(
                undefined,
                { kubernetesVersion: "1.35.2" },
                `platform:kubernetesVersion = "1.35.2": not a Kubernetes minor version; allowed: empty (the pinned ${KUBERNETES_VERSION}) or one of 1.32, 1.33, 1.34, 1.35`,
            );
        });

        it("an existing cluster's version is not the stack's: its output is empty and nothing is checked", async () => {
            const e = await evaluateDefaults(
                { clusterMode: "existing", kubeconfig: "apiVersion: v1\nkind: Config\n" },
                ["platform:kubeconfig"],
            );
            assert.strictEqual(e.outputs.kubernetesVersion, "");
            assert.deepStrictEqual(
                e.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name),
                ["organization/platform/dev"],
            );
        });
    });

    it("installs the managed add-ons, coredns and the EBS CSI driver after the nodes", () => {
        const addons = dev.resources.filter((r) => r.type === "aws:eks/addon:Addon");
        assert.deepStrictEqual(addons.map((a) => a.inputs.addonName).sort(), [
            "aws-ebs-csi-driver",
            "coredns",
            "eks-pod-identity-agent",
            "kube-proxy",
            "vpc-cni",
        ]);
        for (const addon of addons) {
            assert.strictEqual(addon.inputs.clusterName, "dev-common-eks-cluster");
            // EKS takes over fields an earlier install set by hand, on create and on update alike.
            assert.deepStrictEqual(
                [addon.inputs.resolveConflictsOnCreate, addon.inputs.resolveConflictsOnUpdate],
                ["OVERWRITE", "OVERWRITE"],
                addon.name,
            );
        }
        assert.ok(
            one(dev, "aws:eks/addon:Addon", "dev-common-coredns-addon").dependsOn.includes(
                "dev-common-general-node-group",
            ),
        );
        // The VPC CNI enforces NetworkPolicies (the service namespaces' default deny); the others keep EKS' defaults.
        assert.strictEqual(
            one(dev, "aws:eks/addon:Addon", "dev-common-vpc-cni-addon").inputs.configurationValues,
            '{"enableNetworkPolicy":"true"}',
        );
        assert.deepStrictEqual(
            addons.filter((a) => a.inputs.configurationValues !== undefined).map((a) => a.inputs.addonName),
            ["vpc-cni"],
        );
        const ebs = one(dev, "aws:eks/addon:Addon", "dev-common-aws-ebs-csi-driver-addon");
        // Its credentials come from the Pod Identity agent, picked by name (not by its place in a list).
        assert.deepStrictEqual(
            ebs.dependsOn.filter((d) => d.endsWith("-addon")),
            ["dev-common-eks-pod-identity-agent-addon"],
        );
        assert.deepStrictEqual(ebs.inputs.podIdentityAssociations, [
            {
                roleArn: "arn:aws:iam::123456789012:role/dev-common-ebs-csi-role",
                serviceAccount: "ebs-csi-controller-sa",
            },
        ]);
    });

    it("gives every role a trust policy with source conditions (the nodes' EC2 role excepted), exactly", () => {
        const trust = (name: string) => JSON.parse(String(one(dev, "aws:iam/role:Role", name).inputs.assumeRolePolicy));
        // The documents themselves are pinned by the unit tests (test/components/cluster): here, each
        // role gets the one of its kind, for the dev cluster of the mocks' account.
        const scope = {
            accountId: "123456789012",
            partition: "aws",
            region: "eu-central-1",
            clusterName: "dev-common-eks-cluster",
        };
        const podIdentity = (serviceAccount: string) =>
            podIdentityTrustPolicy(scope, { namespace: "kube-system", serviceAccount });
        assert.deepStrictEqual(
            dev.resources
                .filter((r) => r.type === "aws:iam/role:Role")
                .map((r) => r.name)
                .sort(),
            [
                "dev-common-ebs-csi-role",
                "dev-common-eks-cluster-role",
                "dev-common-eks-node-role",
                "dev-common-external-dns-role",
                "dev-common-lb-controller-role",
                "dev-common-vpc-cni-role",
            ],
        );
        assert.deepStrictEqual(trust("dev-common-eks-cluster-role"), clusterRoleTrustPolicy(scope));
        assert.strictEqual(
            trust("dev-common-eks-cluster-role").Statement[0].Condition.ArnEquals["aws:SourceArn"],
            "arn:aws:eks:eu-central-1:123456789012:cluster/dev-common-eks-cluster",
        );
        assert.deepStrictEqual(trust("dev-common-eks-node-role"), nodeRoleTrustPolicy());
        assert.deepStrictEqual(trust("dev-common-vpc-cni-role"), podIdentity("aws-node"));
        assert.deepStrictEqual(trust("dev-common-ebs-csi-role"), podIdentity("ebs-csi-controller-sa"));
        assert.deepStrictEqual(trust("dev-common-lb-controller-role"), podIdentity("aws-load-balancer-controller"));
        assert.deepStrictEqual(trust("dev-common-external-dns-role"), podIdentity("external-dns"));
    });

    it("gives the VPC CNI its permissions through Pod Identity, not the node role, before any node joins", () => {
        const attached = (role: string) =>
            dev.resources
                .filter(
                    (r) =>
                        r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith(`${role}-`),
                )
                .map((r) => r.inputs.policyArn)
                .sort();
        assert.deepStrictEqual(attached("dev-common-eks-node-role"), [
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        ]);
        assert.deepStrictEqual(attached("dev-common-vpc-cni-role"), ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
        const cni = one(dev, "aws:eks/addon:Addon", "dev-common-vpc-cni-addon");
        assert.deepStrictEqual(cni.inputs.podIdentityAssociations, [
            { roleArn: "arn:aws:iam::123456789012:role/dev-common-vpc-cni-role", serviceAccount: "aws-node" },
        ]);
        // Its role's policy and the agent exist before the add-on (and its association)...
        for (const dep of ["dev-common-vpc-cni-role-AmazonEKS_CNI_Policy", "dev-common-eks-pod-identity-agent-addon"]) {
            assert.ok(cni.dependsOn.includes(dep), dep);
        }
        // ...and every node group waits for the add-on and the agent.
        for (const group of dev.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")) {
            for (const dep of ["dev-common-vpc-cni-addon", "dev-common-eks-pod-identity-agent-addon"]) {
                assert.ok(group.dependsOn.includes(dep), `${group.name} -> ${dep}`);
            }
        }
        // The controller may add its backend rules to the nodes' security group: it carries the cluster tag.
        const control = one(dev, "eks:index:Cluster");
        assert.deepStrictEqual(control.inputs.nodeSecurityGroupTags, {
            Name: "dev-common-eks-node-security-group",
            "elbv2.k8s.aws/cluster": "dev-common-eks-cluster",
        });
    });

    it("lets the control plane reach istiod's webhook on the nodes on 15017", () => {
        const rule = one(
            dev,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "dev-common-istio-webhook-rule",
        );
        assert.deepStrictEqual(
            {
                securityGroupId: rule.inputs.securityGroupId,
                referencedSecurityGroupId: rule.inputs.referencedSecurityGroupId,
                ipProtocol: rule.inputs.ipProtocol,
                fromPort: rule.inputs.fromPort,
                toPort: rule.inputs.toPort,
            },
            {
                securityGroupId: "sg-dev-common-eks-cluster-node",
                referencedSecurityGroupId: "sg-dev-common-eks-cluster-cluster",
                ipProtocol: "tcp",
                fromPort: 15017,
                toPort: 15017,
            },
        );
    });

    it("scales the node groups to zero at stop-time and back at start-time where the environment asks for it", () => {
        const schedules = dev.resources.filter((r) => r.type === "aws:autoscaling/schedule:Schedule");
        assert.deepStrictEqual(
            schedules.map((s) => ({ name: s.name, ...s.inputs })),
            [
                {
                    name: "dev-common-general-start-schedule",
                    scheduledActionName: "dev-common-general-start-schedule",
                    autoscalingGroupName: "eks-dev-common-general-node-group-asg",
                    recurrence: "0 7 * * MON-FRI",
                    timeZone: "Europe/Berlin",
                    minSize: 2,
                    maxSize: 4,
                    desiredCapacity: 2,
                },
                {
                    name: "dev-common-general-stop-schedule",
                    scheduledActionName: "dev-common-general-stop-schedule",
                    autoscalingGroupName: "eks-dev-common-general-node-group-asg",
                    recurrence: "0 19 * * *",
                    timeZone: "Europe/Berlin",
                    minSize: 0,
                    maxSize: 0,
                    desiredCapacity: 0,
                },
            ],
        );
        assert.deepStrictEqual(
            defaults.resources.filter((r) => r.type === "aws:autoscaling/schedule:Schedule"),
            [],
        );
    });

    it("builds the kubernetes provider from the cluster's kubeconfig as a secret, and every Kubernetes object uses it", () => {
        const provider = one(dev, "pulumi:providers:kubernetes");
        assert.strictEqual(provider.inputs.kubeconfig, "[secret]");
        // Server-side apply: fields another manager owns (a webhook, an operator) are not overwritten.
        assert.strictEqual(provider.inputs.enableServerSideApply, "true"); // provider inputs reach the engine as strings
        assert.deepStrictEqual(provider.dependsOn, ["dev-common-eks-cluster"]);
        const objects = dev.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(objects.length >= 12);
        for (const r of objects) {
            assert.strictEqual(r.provider, "kubernetes", `${r.type} ${r.name}`);
        }
        for (const r of dev.resources.filter((x) => x.type.startsWith("aws:"))) {
            assert.strictEqual(r.provider, "aws", `${r.type} ${r.name}`);
        }
    });

    it("installs Istio base -> istiod -> gateway in that order, pinned, after the cluster is ready", () => {
        const releases = dev.resources.filter(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.parent === "istio",
        );
        assert.deepStrictEqual(
            releases
                .map((r) => [r.name, r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts, r.inputs.namespace])
                .sort(),
            [
                ["istio-base", "oci://ghcr.io/istio/release/charts/base", ISTIO_VERSION, undefined, "istio-system"],
                [
                    "istio-ingressgateway",
                    "oci://ghcr.io/istio/release/charts/gateway",
                    ISTIO_VERSION,
                    undefined,
                    "istio-ingress",
                ],
                ["istiod", "oci://ghcr.io/istio/release/charts/istiod", ISTIO_VERSION, undefined, "istio-system"],
            ],
        );
        assert.deepStrictEqual(one(dev, "kubernetes:helm.sh/v3:Release", "istio-base").dependsOn, ["istio-system"]);
        const istiod = one(dev, "kubernetes:helm.sh/v3:Release", "istiod");
        assert.deepStrictEqual(istiod.dependsOn, ["istio-base"]);
        assert.strictEqual(istiod.inputs.skipAwait, false);
        assert.deepStrictEqual(one(dev, "kubernetes:helm.sh/v3:Release", "istio-ingressgateway").dependsOn, [
            "istio-ingress",
            "istiod",
        ]);
        const ns = one(dev, "kubernetes:core/v1:Namespace", "istio-system");
        assert.ok(
            ns.dependsOn.includes("dev-common-general-node-group") && ns.dependsOn.includes("dev-common-coredns-addon"),
        );
    });

    it("runs istiod and the gateway highly available: two replicas at least, autoscaled, PodDisruptionBudgets, spread over zones", () => {
        const istiod = one(dev, "kubernetes:helm.sh/v3:Release", "istiod").inputs.values as any;
        assert.deepStrictEqual(
            [
                istiod.replicaCount,
                istiod.autoscaleEnabled,
                istiod.autoscaleMin,
                istiod.autoscaleMax,
                istiod.pdb,
                istiod.global.defaultPodDisruptionBudget,
            ],
            [2, true, 2, 5, { minAvailable: 1 }, { enabled: true }],
        );
        assert.strictEqual(istiod.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        const gateway = one(dev, "kubernetes:helm.sh/v3:Release", "istio-ingressgateway").inputs.values as any;
        assert.deepStrictEqual(
            [
                gateway.replicaCount,
                gateway.autoscaling,
                gateway.podDisruptionBudget,
                gateway.topologySpreadConstraints[0].labelSelector,
            ],
            [
                2,
                { enabled: true, minReplicas: 2, maxReplicas: 5 },
                { minAvailable: 1 },
                { matchLabels: { istio: "istio-ingressgateway" } },
            ],
        );
    });

    it("publishes only ports 80 and 443 of the gateway, on an internal NLB of the AWS Load Balancer Controller reachable from the VPC", async () => {
        const service = (e: Evaluation) =>
            (one(e, "kubernetes:helm.sh/v3:Release", "istio-ingressgateway").inputs.values as any).service;
        const s = service(dev);
        assert.deepStrictEqual(
            s.ports.map((p: any) => p.port),
            [80, 443],
        );
        assert.deepStrictEqual(s.loadBalancerSourceRanges, [DEV_GLOBAL_OUTPUTS.vpcCidr]);
        assert.strictEqual(s.annotations["service.beta.kubernetes.io/aws-load-balancer-type"], "external");
        assert.strictEqual(s.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internal");
        assert.strictEqual(s.annotations["service.beta.kubernetes.io/aws-load-balancer-healthcheck-port"], "15021");
        const open = service(
            await evaluateDefaults({
                gatewayScheme: "internet-facing",
                gatewaySourceRanges: ["203.0.113.0/24"],
                gatewayReplicas: 3,
                istiodReplicas: 4,
            }),
        );
        assert.deepStrictEqual(
            [open.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], open.loadBalancerSourceRanges],
            ["internet-facing", ["203.0.113.0/24"]],
        );
    });

    it("publishes each exposed host in the environment's private zone with ExternalDNS, allowed to change that zone only", () => {
        const role = one(dev, "aws:iam/role:Role", "dev-common-external-dns-role");
        assert.match(String(role.inputs.assumeRolePolicy), /"Service":"pods\.eks\.amazonaws\.com"/);
        const policy = JSON.parse(
            String(one(dev, "aws:iam/rolePolicy:RolePolicy", "dev-common-external-dns-policy").inputs.policy),
        );
        assert.deepStrictEqual(policy.Statement[0].Resource, [
            `arn:aws:route53:::hostedzone/${DEV_GLOBAL_OUTPUTS.privateZoneId}`,
        ]);
        const association = one(
            dev,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "dev-common-external-dns-pod-identity",
        );
        assert.deepStrictEqual(
            [association.inputs.namespace, association.inputs.serviceAccount],
            ["kube-system", "external-dns"],
        );
        const release = one(dev, "kubernetes:helm.sh/v3:Release", "external-dns");
        assert.deepStrictEqual(
            [release.inputs.chart, release.inputs.version, release.inputs.namespace],
            ["external-dns", "1.21.1", "kube-system"],
        );
        assert.deepStrictEqual(release.inputs.values, {
            provider: { name: "aws" },
            sources: ["istio-gateway"],
            domainFilters: ["dev.internal.example.com"],
            policy: "sync",
            registry: "txt",
            txtOwnerId: "dev-common-eks-cluster",
            extraArgs: { "aws-zone-type": "private", "zone-id-filter": DEV_GLOBAL_OUTPUTS.privateZoneId },
            env: [{ name: "AWS_DEFAULT_REGION", value: "eu-central-1" }],
            serviceAccount: { create: true, name: "external-dns" },
        });
        assert.ok(release.dependsOn.includes("dev-common-external-dns-pod-identity"));
    });

    it("installs the AWS Load Balancer Controller with its permissions through EKS Pod Identity, before the mesh", () => {
        const policy = one(dev, "aws:iam/rolePolicy:RolePolicy", "dev-common-lb-controller-policy");
        const actions = JSON.parse(String(policy.inputs.policy)).Statement.flatMap((st: any) => [st.Action].flat());
        assert.ok(
            actions.includes("elasticloadbalancing:CreateLoadBalancer") &&
                actions.includes("ec2:AuthorizeSecurityGroupIngress"),
        );
        const association = one(
            dev,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "dev-common-lb-controller-pod-identity",
        );
        assert.deepStrictEqual(
            [
                association.name,
                association.inputs.clusterName,
                association.inputs.namespace,
                association.inputs.serviceAccount,
                association.inputs.roleArn,
            ],
            [
                "dev-common-lb-controller-pod-identity",
                "dev-common-eks-cluster",
                "kube-system",
                "aws-load-balancer-controller",
                "arn:aws:iam::123456789012:role/dev-common-lb-controller-role",
            ],
        );
        // The agent serves its credentials: the association waits for it, picked by name.
        assert.ok(association.dependsOn.includes("dev-common-eks-pod-identity-agent-addon"));
        const webhook = one(
            dev,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "dev-common-lb-controller-webhook-rule",
        );
        assert.deepStrictEqual([webhook.inputs.fromPort, webhook.inputs.toPort], [9443, 9443]);
        const release = one(dev, "kubernetes:helm.sh/v3:Release", "aws-load-balancer-controller");
        assert.deepStrictEqual(
            [
                release.inputs.chart,
                release.inputs.version,
                (release.inputs.repositoryOpts as any).repo,
                release.inputs.namespace,
            ],
            ["aws-load-balancer-controller", "3.5.0", "https://aws.github.io/eks-charts", "kube-system"],
        );
        const values = release.inputs.values as any;
        assert.deepStrictEqual(
            [values.clusterName, values.region, values.vpcId, values.replicaCount, values.serviceAccount],
            [
                "dev-common-eks-cluster",
                "eu-central-1",
                DEV_GLOBAL_OUTPUTS.vpcId,
                2,
                { create: true, name: "aws-load-balancer-controller" },
            ],
        );
        assert.ok(release.dependsOn.includes("dev-common-lb-controller-pod-identity"));
        assert.ok(
            one(dev, "kubernetes:core/v1:Namespace", "istio-ingress").dependsOn.includes(
                "aws-load-balancer-controller",
            ),
        );
    });

    it("installs every chart through the one Helm add-on: pinned chart, its namespace, a timeout, waited on only where others need it running", () => {
        const releases = dev.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.deepStrictEqual(
            releases
                .map((r) => [
                    r.name,
                    r.parent,
                    r.inputs.version,
                    r.inputs.namespace,
                    r.inputs.timeout,
                    r.inputs.skipAwait,
                ])
                .sort(),
            [
                [
                    "aws-load-balancer-controller",
                    "load-balancer-controller",
                    CHARTS["aws-load-balancer-controller"].version,
                    "kube-system",
                    600,
                    false,
                ],
                ["cert-manager", "cert-manager", CHARTS["cert-manager"].version, "cert-manager", 600, undefined],
                ["external-dns", "external-dns", CHARTS["external-dns"].version, "kube-system", 600, undefined],
                ["istio-base", "istio", ISTIO_VERSION, "istio-system", 600, undefined],
                ["istio-ingressgateway", "istio", ISTIO_VERSION, "istio-ingress", 600, undefined],
                ["istiod", "istio", ISTIO_VERSION, "istio-system", 600, false],
                ["jaeger", "observability", CHARTS.jaeger.version, "observability", 900, undefined],
                [
                    "kube-prometheus-stack",
                    "observability",
                    CHARTS["kube-prometheus-stack"].version,
                    "observability",
                    900,
                    undefined,
                ],
                ["metrics-server", "observability", CHARTS["metrics-server"].version, "kube-system", 900, undefined],
            ],
        );
    });

    it("installs the add-ons in the order the layer's composition declares: each after what it names", () => {
        // Each add-on's first objects wait for what its declaration names (layers/common/addons.ts).
        const waitsFor = (type: string, name: string, dependency: string) =>
            assert.ok(one(dev, type, name).dependsOn.includes(dependency), `${name} waits for ${dependency}`);
        const nodes = "dev-common-general-node-group";
        waitsFor("kubernetes:helm.sh/v3:Release", "aws-load-balancer-controller", nodes);
        waitsFor(
            "kubernetes:helm.sh/v3:Release",
            "aws-load-balancer-controller",
            "dev-common-lb-controller-pod-identity",
        );
        waitsFor("kubernetes:core/v1:Namespace", "observability", nodes);
        waitsFor("kubernetes:core/v1:Namespace", "istio-system", "aws-load-balancer-controller");
        waitsFor("kubernetes:core/v1:Namespace", "cert-manager", "observability");
        // Istio reads observability's collector without waiting for it.
        assert.ok(!one(dev, "kubernetes:core/v1:Namespace", "istio-system").dependsOn.includes("observability"));
    });

    it("names the istiod release after a canary revision", async () => {
        const result = await evaluateDefaults({ meshRevision: "1-30" });
        const istiod = one(result, "kubernetes:helm.sh/v3:Release", "istiod-1-30");
        assert.strictEqual((istiod.inputs.values as any).revision, "1-30");
        // Istio's validation at that revision's istiod: there is no service `istiod` to call.
        assert.strictEqual(
            (one(result, "kubernetes:helm.sh/v3:Release", "istio-base").inputs.values as any).defaultRevision,
            "1-30",
        );
        assert.strictEqual(
            (one(dev, "kubernetes:helm.sh/v3:Release", "istio-base").inputs.values as any).defaultRevision,
            undefined,
        );
        assert.strictEqual(result.outputs.meshRevision, "1-30");
    });

    it("installs a canary control plane beside the main one; the gateway stays on the main one", async () => {
        const result = await evaluateDefaults({ meshRevision: "1-30", meshCanaryRevision: "1-31" });
        const releases = result.resources.filter(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.startsWith("istiod"),
        );
        assert.deepStrictEqual(
            releases.map((r) => [r.name, (r.inputs.values as any).revision, r.dependsOn.includes("istio-base")]),
            [
                ["istiod-1-30", "1-30", true],
                ["istiod-1-31", "1-31", true],
            ],
        );
        // Both at the pinned release unless a version is given.
        assert.deepStrictEqual(
            releases.map((r) => r.inputs.version),
            [ISTIO_VERSION, ISTIO_VERSION],
        );
        assert.strictEqual(one(result, "kubernetes:helm.sh/v3:Release", "istio-base").inputs.version, ISTIO_VERSION);
        const gateway = one(result, "kubernetes:helm.sh/v3:Release", "istio-ingressgateway");
        assert.strictEqual((gateway.inputs.values as any).revision, "1-30");
        assert.ok(gateway.dependsOn.includes("istiod-1-30") && !gateway.dependsOn.includes("istiod-1-31"));
        assert.deepStrictEqual([result.outputs.meshRevision, result.outputs.meshCanaryRevision], ["1-30", "1-31"]);
        assert.strictEqual(dev.outputs.meshCanaryRevision, "");
    });

    describe("upgrading Istio by canary revision: a release per control plane, revision tags", () => {
        const CANARY = { meshRevision: "1-30", meshCanaryRevision: "1-31", meshCanaryVersion: "1.31.0-rc.0" };
        const release = (result: Evaluation, name: string) => one(result, "kubernetes:helm.sh/v3:Release", name);
        const tagWebhook = (result: Evaluation, tag: string) =>
            one(
                result,
                "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
                `mesh-revision-tag-${tag}`,
            );

        it("each control plane at its own Istio release, base at the newer of the two, the gateway at the main one's", async () => {
            const result = await evaluateDefaults(CANARY);
            assert.deepStrictEqual(
                ["istiod-1-30", "istiod-1-31", "istio-base", "istio-ingressgateway"].map(
                    (name) => release(result, name).inputs.version,
                ),
                [ISTIO_VERSION, "1.31.0-rc.0", "1.31.0-rc.0", ISTIO_VERSION],
            );
            // Promoted: the main control plane at 1.31, the gateway's chart with it, base stays at the newer.
            const promoted = await evaluateDefaults({ meshRevision: "1-31", meshVersion: "1.31.0-rc.0" });
            assert.deepStrictEqual(
                ["istiod-1-31", "istio-base", "istio-ingressgateway"].map(
                    (name) => release(promoted, name).inputs.version,
                ),
                ["1.31.0-rc.0", "1.31.0-rc.0", "1.31.0-rc.0"],
            );
        });

        it("a canary that becomes the main control plane keeps its release exactly (named by its revision only)", async () => {
            const webhooks = {
                istiodWebhookUrl: "https://127.0.0.1:15017",
                istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA,
                istiodRevisionWebhookUrls: { "1-31": "https://127.0.0.1:25017" },
            };
            const canary = release(await evaluateDefaults({ ...CANARY, ...webhooks }), "istiod-1-31");
            const promoted = release(
                await evaluateDefaults({ meshRevision: "1-31", meshVersion: "1.31.0-rc.0", ...webhooks }),
                "istiod-1-31",
            );
            assert.deepStrictEqual(promoted.inputs, canary.inputs);
        });

        it("one MutatingWebhookConfiguration per tag, named by the tag, calling its revision's injector after its istiod; moving the tag changes that object only", async () => {
            const tags = { stable: "1-30", canary: "1-31" };
            const result = await evaluateDefaults({ ...CANARY, meshRevisionTags: tags });
            assert.deepStrictEqual(result.outputs.meshRevisionTags, tags);
            assert.deepStrictEqual(dev.outputs.meshRevisionTags, {});
            const stable = tagWebhook(result, "stable");
            const metadata = stable.inputs.metadata as any;
            assert.strictEqual(metadata.name, "istio-revision-tag-stable");
            assert.deepStrictEqual(
                [metadata.labels["istio.io/tag"], metadata.labels["istio.io/rev"], metadata.labels.app],
                ["stable", "1-30", "sidecar-injector"],
            );
            assert.deepStrictEqual(stable.dependsOn, ["istiod-1-30"]);
            assert.deepStrictEqual(tagWebhook(result, "canary").dependsOn, ["istiod-1-31"]);
            const webhooks = stable.inputs.webhooks as any[];
            assert.deepStrictEqual(
                webhooks.map((w) => [w.name, w.clientConfig, w.failurePolicy, w.rules]),
                ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"].map((name) => [
                    name,
                    { service: { name: "istiod-1-30", namespace: "istio-system", path: "/inject", port: 443 } },
                    "Fail",
                    [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
                ]),
            );
            // Namespaces labelled with the tag (not with istio-injection); pods labelled with it elsewhere.
            assert.deepStrictEqual(webhooks[0].namespaceSelector.matchExpressions, [
                { key: "istio.io/rev", operator: "In", values: ["stable"] },
                { key: "istio-injection", operator: "DoesNotExist" },
            ]);
            assert.deepStrictEqual(webhooks[1].objectSelector.matchExpressions, [
                { key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] },
                { key: "istio.io/rev", operator: "In", values: ["stable"] },
            ]);
            // Moving `stable` to the canary: the same object, now at istiod-1-31.
            const moved = tagWebhook(
                await evaluateDefaults({ ...CANARY, meshRevisionTags: { ...tags, stable: "1-31" } }),
                "stable",
            );
            assert.strictEqual((moved.inputs.metadata as any).name, "istio-revision-tag-stable");
            assert.strictEqual((moved.inputs.metadata as any).labels["istio.io/rev"], "1-31");
            assert.deepStrictEqual(
                (moved.inputs.webhooks as any[]).map((w) => w.clientConfig.service.name),
                ["istiod-1-31", "istiod-1-31"],
            );
            assert.deepStrictEqual(moved.dependsOn, ["istiod-1-31"]);
        });

        it("with webhooks at URLs: each revision's injector at its own URL, the tags too, Istio's validation at the main one's", async () => {
            const result = await evaluateDefaults({
                ...CANARY,
                meshRevisionTags: { stable: "1-30", canary: "1-31" },
                istiodWebhookUrl: "https://127.0.0.1:15017",
                istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA,
                istiodRevisionWebhookUrls: { "1-31": "https://127.0.0.1:25017/" },
            });
            const ca = Buffer.from(ISTIOD_WEBHOOK_CA.trim() + "\n").toString("base64");
            assert.deepStrictEqual(
                ["istiod-1-30", "istiod-1-31"].map((name) => (release(result, name).inputs.values as any).istiodRemote),
                [
                    { injectionURL: "https://127.0.0.1:15017/inject", injectionCABundle: ca },
                    { injectionURL: "https://127.0.0.1:25017/inject", injectionCABundle: ca },
                ],
            );
            assert.deepStrictEqual(
                ["stable", "canary"].map((tag) => (tagWebhook(result, tag).inputs.webhooks as any[])[0].clientConfig),
                [
                    { url: "https://127.0.0.1:15017/inject", caBundle: ca },
                    { url: "https://127.0.0.1:25017/inject", caBundle: ca },
                ],
            );
            assert.strictEqual(
                (release(result, "istio-base").inputs.values as any).base.validationURL,
                "https://127.0.0.1:15017/validate",
            );
        });

        it("refuses, naming the key, what cannot run: a release two minors away, a canary release without a canary, bad tags, a revision URL of no revision", async () => {
            const cases: [Record<string, unknown>, string][] = [
                [
                    { meshVersion: "1.32.0" },
                    `platform:meshVersion = "1.32.0": more than one minor from the pinned ${ISTIO_VERSION} (Istio upgrades a control plane one minor at a time); allowed: empty (the pinned ${ISTIO_VERSION}) or an Istio release 1.<minor>.<patch> (optionally -alpha.N, -beta.N, -rc.N) of minor 29, 30 or 31, e.g. 1.31.0`,
                ],
                [{ meshCanaryVersion: "1.31" }, 'platform:meshCanaryVersion = "1.31": not an Istio release; allowed:'],
                [
                    { meshCanaryVersion: "1.31.0" },
                    'platform:meshCanaryVersion = "1.31.0": a release of a canary control plane that is not there; allowed: empty, or set meshCanaryRevision too',
                ],
                [
                    { ...CANARY, meshRevisionTags: { default: "1-30" } },
                    "platform:meshRevisionTags.default = \"1-30\": the tag 'default' also takes over namespaces labelled istio-injection=enabled",
                ],
                [
                    { ...CANARY, meshRevisionTags: { "1-31": "1-30" } },
                    'platform:meshRevisionTags.1-31 = "1-30": the name of a revision of the mesh; a tag and a revision share the label istio.io/rev',
                ],
                [
                    { ...CANARY, meshRevisionTags: { stable: "1-29" } },
                    'platform:meshRevisionTags.stable = "1-29": points at a revision the mesh does not run; allowed: 1-30, 1-31',
                ],
                [
                    { meshRevisionTags: { stable: "" } },
                    'platform:meshRevisionTags.stable = "": points at a revision the mesh does not run; allowed: none: set meshRevision first',
                ],
                [
                    { ...CANARY, istiodRevisionWebhookUrls: { "1-29": "https://127.0.0.1:1" } },
                    'platform:istiodRevisionWebhookUrls.1-29 = "https://127.0.0.1:1": not a revision of the mesh; allowed: 1-30, 1-31',
                ],
                [
                    { ...CANARY, istiodRevisionWebhookUrls: { "1-31": "https://127.0.0.1:1" } },
                    'platform:istiodRevisionWebhookUrls.1-31 = "https://127.0.0.1:1": needs istiodWebhookUrl and istiodWebhookCaBundle',
                ],
            ];
            for (const [extra, message] of cases) {
                await assert.rejects(evaluateDefaults(extra), (err: Error) => {
                    assert.ok(err.message.includes(message), `${JSON.stringify(extra)}:\n${err.message}`);
                    assert.ok(!/\n\s+at /.test(err.message), err.message);
                    return true;
                });
            }
        });
    });

    it("refuses a canary revision equal to the main one, or not a revision", async () => {
        for (const [extra, message] of [
            [
                { meshRevision: "1-30", meshCanaryRevision: "1-30" },
                'platform:meshCanaryRevision = "1-30": the same revision as the main control plane; a canary needs another one',
            ],
            [{ meshCanaryRevision: "1.31" }, 'platform:meshCanaryRevision = "1.31": '],
        ] as const) {
            await assert.rejects(evaluateDefaults(extra), (err: Error) => err.message.includes(message));
        }
    });

    it("makes mTLS STRICT and configures tracing at the configured sampling, mesh-wide", () => {
        const pa = one(dev, "kubernetes:security.istio.io/v1:PeerAuthentication");
        assert.deepStrictEqual(
            [
                pa.inputs.apiVersion,
                pa.inputs.kind,
                (pa.inputs.metadata as any).name,
                (pa.inputs.metadata as any).namespace,
            ],
            ["security.istio.io/v1", "PeerAuthentication", "default", "istio-system"],
        );
        assert.deepStrictEqual(pa.inputs.spec, { mtls: { mode: "STRICT" } });
        assert.deepStrictEqual(pa.dependsOn, ["istiod"]);
        const telemetry = one(dev, "kubernetes:telemetry.istio.io/v1:Telemetry");
        assert.strictEqual(telemetry.inputs.apiVersion, "telemetry.istio.io/v1");
        assert.strictEqual((telemetry.inputs.spec as any).tracing[0].randomSamplingPercentage, 100);
        assert.strictEqual(
            (one(defaults, "kubernetes:telemetry.istio.io/v1:Telemetry").inputs.spec as any).tracing[0]
                .randomSamplingPercentage,
            1,
        );
    });

    it("installs Prometheus, Grafana, Jaeger v2 and metrics-server from their pinned sources, with monitors after the CRDs", () => {
        const releases = dev.resources.filter(
            (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.parent === "observability",
        );
        assert.deepStrictEqual(
            releases
                .map((r) => [
                    r.name,
                    r.inputs.namespace,
                    r.inputs.chart,
                    r.inputs.version,
                    (r.inputs.repositoryOpts as any)?.repo,
                ])
                .sort(),
            [
                ["jaeger", "observability", "jaeger", "4.11.1", "https://jaegertracing.github.io/helm-charts"],
                [
                    "kube-prometheus-stack",
                    "observability",
                    "kube-prometheus-stack",
                    "81.6.2",
                    "https://prometheus-community.github.io/helm-charts",
                ],
                [
                    "metrics-server",
                    "kube-system",
                    "metrics-server",
                    "3.13.1",
                    "https://kubernetes-sigs.github.io/metrics-server/",
                ],
            ],
        );
        assert.ok(
            one(dev, "kubernetes:helm.sh/v3:Release", "metrics-server").dependsOn.includes(
                "dev-common-general-node-group",
            ),
        );
        for (const [type, name] of [
            ["kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "istiod"],
            ["kubernetes:monitoring.coreos.com/v1:PodMonitor", "envoy-stats"],
        ]) {
            const monitor = one(dev, type);
            assert.strictEqual((monitor.inputs.metadata as any).name, name);
            assert.deepStrictEqual(monitor.dependsOn, ["kube-prometheus-stack"]);
        }
        const stack = one(dev, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        assert.strictEqual((stack.inputs.values as any).prometheus.prometheusSpec.retention, "3d");
        // The Prometheus operator's CRDs first (the platform's, not Helm's: skipCrds), then the release.
        const crds = PROMETHEUS_STACK_CRD_NAMES.map((n) => `prometheus-operator-${n}`);
        assert.deepStrictEqual(stack.dependsOn, ["gp3", "grafana-admin", "observability", ...crds]);
        assert.strictEqual(stack.inputs.skipCrds, true);
        const vendored = prometheusStackCrds("81.6.2");
        for (const name of PROMETHEUS_STACK_CRD_NAMES) {
            const crd = one(
                dev,
                "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                `prometheus-operator-${name}`,
            );
            const metadata = crd.inputs.metadata as any;
            assert.strictEqual(metadata.name, name);
            assert.strictEqual(metadata.annotations["operator.prometheus.io/version"], "0.88.1");
            assert.strictEqual(metadata.annotations["pulumi.com/patchForce"], "true");
            assert.strictEqual(metadata.labels.environment, "dev");
            assert.deepStrictEqual(crd.inputs.spec, vendored.find((c) => c.name === name)?.spec);
            assert.strictEqual(crd.parent, "observability");
            // Kept when the stack goes: deleting a CRD deletes every object of its kind in the cluster.
            assert.deepStrictEqual([crd.options.retainOnDelete, crd.options.protect], [true, false]);
            assert.ok(crd.dependsOn.includes("dev-common-general-node-group"), crd.dependsOn.join(", "));
        }
    });

    it("installs another kube-prometheus-stack version with its own CRDs (prometheusStackVersion)", async () => {
        const result = await evaluateDefaults({ prometheusStackVersion: "88.5.3" });
        const stack = one(result, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        assert.strictEqual(stack.inputs.version, "88.5.3");
        const crds = result.resources.filter(
            (r) =>
                r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" &&
                r.parent === "observability",
        );
        assert.deepStrictEqual(
            crds.map((r) => [
                (r.inputs.metadata as any).name,
                (r.inputs.metadata as any).annotations["operator.prometheus.io/version"],
            ]),
            PROMETHEUS_STACK_CRD_NAMES.map((n) => [n, "0.93.1"]),
        );
        assert.deepStrictEqual(
            crds.map((r) => r.inputs.spec),
            prometheusStackCrds("88.5.3").map((c) => c.spec),
        );
    });

    it("installs cert-manager outside the mesh after observability, then the environment's CA chain, and exports its issuer", () => {
        const ns = one(dev, "kubernetes:core/v1:Namespace", "cert-manager");
        assert.strictEqual((ns.inputs.metadata as any).labels["istio-injection"], "disabled");
        const release = one(dev, "kubernetes:helm.sh/v3:Release", "cert-manager");
        assert.deepStrictEqual(
            [release.parent, release.inputs.chart, release.inputs.version, (release.inputs.repositoryOpts as any).repo],
            ["cert-manager", "cert-manager", "v1.21.1", "https://charts.jetstack.io"],
        );
        assert.strictEqual(release.inputs.namespace, "cert-manager");
        assert.ok(release.dependsOn.includes("cert-manager") && release.dependsOn.includes("observability"));
        assert.ok(release.dependsOn.includes("dev-common-general-node-group"), release.dependsOn.join(", "));
        const objects = dev.resources
            .filter((r) => r.type.startsWith("kubernetes:cert-manager.io/v1:"))
            .map((r) => [r.name, r.type.split(":").pop(), (r.inputs.metadata as any).namespace, r.dependsOn])
            .sort();
        // The chain: chart -> self-signed bootstrap -> root certificate -> the CA's issuer.
        assert.deepStrictEqual(objects, [
            ["dev-common-ca", "Certificate", "cert-manager", ["dev-common-selfsigned"]],
            ["dev-common-ca-issuer", "ClusterIssuer", undefined, ["dev-common-ca"]],
            ["dev-common-selfsigned", "ClusterIssuer", undefined, ["cert-manager"]],
        ]);
        assert.strictEqual(dev.outputs.certificateIssuer, "dev-common-ca-issuer");
    });

    it("uses a team's ClusterIssuer and a cluster's own cert-manager when configured: no chart, no CA of its own", async () => {
        const result = await evaluateDefaults(
            {
                clusterMode: "existing",
                kubeconfig: "apiVersion: v1\nkind: Config\n",
                certManager: "existing",
                certificateIssuer: "letsencrypt-dns01",
            },
            ["platform:kubeconfig"],
        );
        assert.deepStrictEqual(
            result.resources
                .filter((r) => r.type.startsWith("kubernetes:cert-manager.io/") || r.name === "cert-manager")
                .map((r) => r.type),
            ["platform:certificates:CertManager"],
        );
        assert.strictEqual(result.outputs.certificateIssuer, "letsencrypt-dns01");
        const own = await evaluateDefaults({ certManagerWebhookHost: "localhost:10250" });
        assert.deepStrictEqual(
            (one(own, "kubernetes:helm.sh/v3:Release", "cert-manager").inputs.values as any).webhook.url,
            {
                host: "localhost:10250",
            },
        );
    });

    it("keeps Grafana's password secret: generated when not configured, never in clear in the plan", () => {
        const secret = one(dev, "kubernetes:core/v1:Secret", "grafana-admin");
        // Each value is masked, not the map, so the masked manifest is still a valid Secret.
        assert.deepStrictEqual(secret.inputs.stringData, { "admin-user": "[secret]", "admin-password": "[secret]" });
        assert.ok(secret.dependsOn.includes("grafana-admin-password"));
        const password = one(dev, "random:index/randomPassword:RandomPassword");
        assert.strictEqual(password.provider, "random");
        assert.doesNotMatch(JSON.stringify(dev.resources), /fake-generated-password/);
    });

    it("uses a configured Grafana password as a secret and generates none", async () => {
        const result = await evaluateDefaults({ grafanaAdminPassword: "configured-s3cret" }, [
            "platform:grafanaAdminPassword",
        ]);
        assert.deepStrictEqual(
            result.resources.filter((r) => r.type.startsWith("random:") || r.type === "pulumi:providers:random"),
            [],
        );
        assert.deepStrictEqual(one(result, "kubernetes:core/v1:Secret", "grafana-admin").inputs.stringData, {
            "admin-user": "[secret]",
            "admin-password": "[secret]",
        });
        assert.doesNotMatch(JSON.stringify(result.resources), /configured-s3cret/);
    });

    it("treats the empty default of the Grafana password as unset and generates one", async () => {
        const result = await evaluateDefaults({ grafanaAdminPassword: "" });
        assert.strictEqual(one(result, "random:index/randomPassword:RandomPassword").name, "grafana-admin-password");
    });

    it("refuses a Grafana password set in plain text, without showing it", async () => {
        await assert.rejects(evaluateDefaults({ grafanaAdminPassword: "plain-s3cret" }), (err: Error) => {
            assert.match(
                err.message,
                /platform:grafanaAdminPassword = "\[hidden\]": a secret set in plain text in the stack file; set it with pulumi config set --secret grafanaAdminPassword <value>/,
            );
            assert.doesNotMatch(err.message, /plain-s3cret/);
            return true;
        });
    });

    it("registers every resource under a unique URN, following the naming and tagging conventions", () => {
        for (const result of [dev, defaults]) {
            const urns = result.resources.map((r) => r.urn);
            assert.deepStrictEqual(
                urns.filter((u, i) => urns.indexOf(u) !== i),
                [],
            );
            assert.deepStrictEqual(conventionViolations(result.resources), []);
        }
    });

    it("fails on a public endpoint without CIDRs before creating anything", async () => {
        await assert.rejects(evaluateDefaults({ endpointPublicAccess: true }), (err: unknown) => {
            assert.ok(isConfigError(err));
            assert.deepStrictEqual(
                err.problems.map((p) => p.path),
                ["platform:endpointPublicAccess"],
            );
            return true;
        });
    });

    it("ships Istio's four dashboards as ConfigMaps for Grafana's sidecar; no URL in the plan points at grafana.com", () => {
        const maps = dev.resources.filter(
            (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.parent === "observability",
        );
        assert.deepStrictEqual(maps.map((r) => [r.name, Object.keys(r.inputs.data as object)]).sort(), [
            ["istio-control-plane-dashboard", ["istio-control-plane.json"]],
            ["istio-mesh-dashboard", ["istio-mesh.json"]],
            ["istio-service-dashboard", ["istio-service.json"]],
            ["istio-workload-dashboard", ["istio-workload.json"]],
        ]);
        for (const map of maps) {
            const metadata = map.inputs.metadata as any;
            assert.strictEqual(metadata.labels.grafana_dashboard, "1");
            assert.strictEqual(metadata.annotations.grafana_folder, "Istio");
            assert.strictEqual(metadata.namespace, "observability");
            assert.ok(
                JSON.parse(Object.values(map.inputs.data as Record<string, string>)[0]).panels.length > 0,
                map.name,
            );
        }
        assert.doesNotMatch(
            JSON.stringify(dev.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")),
            /grafana\.com/,
        );
    });

    it("installs every chart from an OCI mirror, an HTTPS mirror or local chart folders", async () => {
        const chartsOf = (result: Evaluation) =>
            result.resources
                .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
                .map((r) => [
                    r.name,
                    r.inputs.chart,
                    r.inputs.version ?? null,
                    (r.inputs.repositoryOpts as any)?.repo ?? null,
                ])
                .sort();
        assert.deepStrictEqual(
            chartsOf(
                await evaluateDefaults({ chartMirror: "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts" }),
            ),
            [
                [
                    "aws-load-balancer-controller",
                    "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/aws-load-balancer-controller",
                    "3.5.0",
                    null,
                ],
                [
                    "cert-manager",
                    "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/cert-manager",
                    "v1.21.1",
                    null,
                ],
                [
                    "external-dns",
                    "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/external-dns",
                    "1.21.1",
                    null,
                ],
                ["istio-base", "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/base", ISTIO_VERSION, null],
                [
                    "istio-ingressgateway",
                    "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/gateway",
                    ISTIO_VERSION,
                    null,
                ],
                ["istiod", "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/istiod", ISTIO_VERSION, null],
                ["jaeger", "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/jaeger", "4.11.1", null],
                [
                    "kube-prometheus-stack",
                    "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/kube-prometheus-stack",
                    "81.6.2",
                    null,
                ],
                [
                    "metrics-server",
                    "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/metrics-server",
                    "3.13.1",
                    null,
                ],
            ],
        );
        const https = chartsOf(await evaluateDefaults({ chartMirror: "https://charts.example.com/platform/" }));
        assert.deepStrictEqual(new Set(https.map((r) => r[3])), new Set(["https://charts.example.com/platform"]));
        assert.deepStrictEqual(
            https.map((r) => r[1]),
            [
                "aws-load-balancer-controller",
                "cert-manager",
                "external-dns",
                "base",
                "gateway",
                "istiod",
                "jaeger",
                "kube-prometheus-stack",
                "metrics-server",
            ],
        );
        assert.deepStrictEqual(chartsOf(await evaluateDefaults({ chartMirror: "/srv/charts" })), [
            [
                "aws-load-balancer-controller",
                `/srv/charts/aws-load-balancer-controller-${CHARTS["aws-load-balancer-controller"].version}`,
                null,
                null,
            ],
            ["cert-manager", `/srv/charts/cert-manager-${CHARTS["cert-manager"].version}`, null, null],
            ["external-dns", `/srv/charts/external-dns-${CHARTS["external-dns"].version}`, null, null],
            ["istio-base", `/srv/charts/base-${ISTIO_VERSION}`, null, null],
            ["istio-ingressgateway", `/srv/charts/gateway-${ISTIO_VERSION}`, null, null],
            ["istiod", `/srv/charts/istiod-${ISTIO_VERSION}`, null, null],
            ["jaeger", `/srv/charts/jaeger-${CHARTS.jaeger.version}`, null, null],
            [
                "kube-prometheus-stack",
                `/srv/charts/kube-prometheus-stack-${CHARTS["kube-prometheus-stack"].version}`,
                null,
                null,
            ],
            ["metrics-server", `/srv/charts/metrics-server-${CHARTS["metrics-server"].version}`, null, null],
        ]);
    });

    it("installs the mesh and observability on an existing cluster from its kubeconfig: nothing of AWS, the same outputs", async () => {
        const result = await evaluateDefaults(
            { clusterMode: "existing", kubeconfig: "apiVersion: v1\nkind: Config\n" },
            ["platform:kubeconfig"],
        );
        assert.deepStrictEqual(
            result.resources.filter((r) => /^(aws|eks):|^pulumi:providers:(aws|eks)$/.test(r.type)).map((r) => r.type),
            [],
        );
        assert.deepStrictEqual(Object.keys(result.outputs).sort(), Object.keys(COMMON_OUTPUTS).sort());
        assert.deepStrictEqual(result.secretOutputNames, ["kubeconfig"]);
        assert.deepStrictEqual(
            [
                result.outputs.clusterName,
                result.outputs.oidcProviderArn,
                result.outputs.oidcProviderUrl,
                result.outputs.clusterSecurityGroupId,
                result.outputs.kubernetesVersion,
            ],
            ["", "", "", "", ""],
        );
        const {
            clusterName,
            oidcProviderArn,
            oidcProviderUrl,
            clusterSecurityGroupId,
            kubeconfig,
            kubernetesVersion,
            ...mesh
        } = result.outputs;
        const {
            clusterName: _n,
            oidcProviderArn: _a,
            oidcProviderUrl: _u,
            clusterSecurityGroupId: _s,
            kubeconfig: _k,
            kubernetesVersion: _v,
            ...expected
        } = defaults.outputs;
        assert.deepStrictEqual(mesh, expected);
        assert.strictEqual(one(result, "pulumi:providers:kubernetes").inputs.kubeconfig, "[secret]");
        assert.doesNotMatch(JSON.stringify(result.resources), /kind: Config/);
        // No EBS: Prometheus' volume takes the cluster's default StorageClass.
        assert.deepStrictEqual(
            result.resources.filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass"),
            [],
        );
        // No AWS Load Balancer Controller (it needs this stack's IAM role): the gateway's Service keeps its annotations.
        assert.deepStrictEqual(
            result.resources.filter((r) => r.name === "aws-load-balancer-controller" || r.name === "external-dns"),
            [],
        );
        const stack = one(result, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        assert.strictEqual(
            (stack.inputs.values as any).prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec
                .storageClassName,
            undefined,
        );
        assert.deepStrictEqual(one(result, "kubernetes:core/v1:Namespace", "istio-system").dependsOn, []);
    });

    it("points the sidecar injector and Istio's validation at istiodWebhookUrl, with the CA bundle, when it is set", async () => {
        const result = await evaluateDefaults({
            istiodWebhookUrl: "https://istiod.example.com:15017",
            istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA,
        });
        const ca = Buffer.from(ISTIOD_WEBHOOK_CA.trim() + "\n").toString("base64");
        const base = one(result, "kubernetes:helm.sh/v3:Release", "istio-base").inputs.values as any;
        assert.deepStrictEqual(base.base, {
            validationURL: "https://istiod.example.com:15017/validate",
            validationCABundle: ca,
        });
        const istiod = one(result, "kubernetes:helm.sh/v3:Release", "istiod").inputs.values as any;
        assert.deepStrictEqual(istiod.istiodRemote, {
            injectionURL: "https://istiod.example.com:15017/inject",
            injectionCABundle: ca,
        });
        // The per-revision validator would call istiod's Service: left out; the rest of global is kept.
        const plain = one(defaults, "kubernetes:helm.sh/v3:Release", "istiod").inputs.values as any;
        assert.deepStrictEqual(istiod.global, { ...plain.global, configValidation: false });
        assert.deepStrictEqual(
            (one(defaults, "kubernetes:helm.sh/v3:Release", "istio-base").inputs.values as any).base,
            undefined,
        );
        assert.strictEqual(plain.istiodRemote, undefined);
    });

    it("refuses an existing-cluster stack without a kubeconfig, and a bad chart mirror, before creating anything", async () => {
        await assert.rejects(
            evaluateDefaults({ clusterMode: "existing", chartMirror: "http://charts.example.com" }),
            (err: unknown) => {
                assert.ok(isConfigError(err));
                assert.strictEqual(
                    err.message,
                    'Configuration of stack "dev-common" (Pulumi.dev-common.yaml) is invalid; nothing was created:\n' +
                        '  - platform:chartMirror = "http://charts.example.com": scheme http is not supported; allowed: empty (each chart from its upstream source), oci://<registry>/<path> (an OCI registry such as ECR), https://<host>/<path> (an HTTPS Helm repository) or an absolute path of a directory holding one <chart>-<version> folder per chart\n' +
                        '  - platform:kubeconfig = (not set): required in stack "dev-common" with clusterMode existing; allowed: the existing cluster\'s kubeconfig, set with pulumi config set --secret kubeconfig < <file>',
                );
                return true;
            },
        );
    });
});
