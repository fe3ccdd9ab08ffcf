import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders } from "../args";
import { Owner, namer, ownerTags } from "../conventions";
import { eksSecretsKeyPolicy, logGroupKeyPolicy, managedKey } from "../kms";
import {
    CLUSTER_ROLE_POLICIES,
    ClusterAccess,
    EBS_CSI_ROLE_POLICIES,
    EBS_CSI_SERVICE_ACCOUNT,
    IamPolicyDocument,
    NODE_ROLE_POLICIES,
    NodeGroupSpec,
    ServiceAccountRef,
    TrustScope,
    VPC_CNI_ROLE_POLICIES,
    VPC_CNI_SERVICE_ACCOUNT,
    accessEntries,
    clusterRoleTrustPolicy,
    managedPolicyArn,
    nodeRoleTrustPolicy,
    podIdentityTrustPolicy,
    nodeMetadataOptions,
    partitionOfRegion,
    scheduledScaling,
} from "./specs";
import { podIdentityRole, trustPolicyJson } from "./pod-identity";
import {
    LOAD_BALANCER_CONTROLLER,
    LOAD_BALANCER_CONTROLLER_CLUSTER_TAG,
    LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT,
    loadBalancerControllerPolicy,
} from "./load-balancer-controller";
import { ClusterSettings, clusterSettings, kubernetesVersionOf } from "./settings";
import { CONTROL_PLANE_LOG_TYPES, ManagedAddon, VPC_CNI_CONFIGURATION } from "./versions";

/** Port of Istio's sidecar-injector webhook on istiod: the control plane must reach it on the nodes. */
export const ISTIO_WEBHOOK_PORT = 15017;

export interface ClusterArgs {
    /** The owner (environment and `common`): names and tags. */
    readonly owner: Owner;
    /** The cluster's name, reserved by the global stack (`dev-common-eks-cluster`). */
    readonly clusterName: string;
    /** The environment's VPC. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets, one per availability zone: the control plane's ENIs and every node. */
    readonly privateSubnetIds: readonly string[];
    /** Whether the API endpoint is also public (only for `endpointPublicAccessCidrs`). @default false */
    readonly endpointPublicAccess?: boolean;
    /** CIDRs allowed to reach the public endpoint; required when it is on. @default [] */
    readonly endpointPublicAccessCidrs?: readonly string[];
    /** IAM roles with admin and read-only access (access entries). @default no roles */
    readonly access?: Partial<ClusterAccess>;
    /**
     * IAM roles or users that administer the cluster's KMS keys (the secrets key and the
     * control-plane log key): manage, rotate, re-policy and delete them, never encrypt or decrypt.
     * The role that runs `pulumi up` must be one of them. At least one.
     */
    readonly kmsKeyAdminArns: readonly string[];
    /** Retention of the control-plane logs, in days (a value CloudWatch accepts). @default 30 */
    readonly logRetentionDays?: number;
    /** The managed node groups; at least one. */
    readonly nodeGroups: readonly NodeGroupSpec[];
    /**
     * Scale every node group to zero at the environment's stop-time and back at its start-time
     * (Monday to Friday), in its time zone. Keep it off for production. @default false
     */
    readonly scheduledScaling?: boolean;
    /**
     * The Kubernetes minor of the control plane, the node groups and the managed add-ons (their
     * default version for it), e.g. `1.34`: from three minors below the pinned KUBERNETES_VERSION up
     * to it. Empty for the pinned one. A change moves one minor at a time (docs/common.md,
     * "Kubernetes upgrades"). @default ""
     */
    readonly kubernetesVersion?: string;
    /**
     * The stack's providers: aws (region and owner default tags) for every AWS resource and the
     * control plane's children, eks for the control plane (default providers are disabled).
     */
    readonly providers: ComponentProviders<"aws" | "eks">;
}

/** An IAM role of the cluster and its attached managed policies (what users of the role wait for). */
interface ClusterRole {
    readonly role: aws.iam.Role;
    readonly attachments: readonly aws.iam.RolePolicyAttachment[];
}

/** The add-ons that make nodes Ready (CNI, kube-proxy) and serve Pod Identity credentials, by name. */
interface NetworkingAddons {
    readonly vpcCni: aws.eks.Addon;
    readonly kubeProxy: aws.eks.Addon;
    readonly podIdentityAgent: aws.eks.Addon;
}

/**
 * The environment's EKS cluster: control plane (@pulumi/eks) with API access entries, OIDC for
 * IRSA, KMS envelope encryption of secrets and all control-plane logs; managed node groups with
 * IMDSv2 launch templates over the private subnets; the managed add-ons; and, when asked, the
 * scheduled scaling of the node groups to zero outside working hours.
 */
export class Cluster extends pulumi.ComponentResource {
    /** The cluster's name. */
    readonly clusterName: string;
    /** Kubeconfig of the cluster (a secret): the kubernetes provider is built from it. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly oidcProviderUrl: pulumi.Output<string>;
    /** The security group of the control plane's ENIs. */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The security group of the nodes. */
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    /** The managed node groups, by name. */
    readonly nodeGroups: Readonly<Record<string, aws.eks.NodeGroup>>;
    /** The Kubernetes minor of the control plane and the node groups, e.g. `1.35`. */
    readonly kubernetesVersion: string;
    /** What Kubernetes objects must wait for: nodes and the add-ons that make them usable. */
    readonly ready: readonly pulumi.Resource[];
    /**
     * What the AWS Load Balancer Controller's release waits for: its role, policy and Pod Identity
     * association (service account kube-system/aws-load-balancer-controller).
     */
    readonly loadBalancerControllerAccess: readonly pulumi.Resource[];
    private readonly settings: ClusterSettings;
    private readonly owner: Owner;
    private readonly providers: ComponentProviders<"aws" | "eks">;
    private readonly partition: string;
    /** The options of every AWS child: this parent, the aws provider. */
    private readonly child: pulumi.CustomResourceOptions;

    constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const settings = clusterSettings(name, args);
        super("platform:cluster:Cluster", name, {}, opts);
        this.settings = settings;
        this.owner = args.owner;
        this.providers = args.providers;
        this.partition = partitionOfRegion(args.owner.environment.region);
        this.child = { parent: this, provider: args.providers.aws };

        // Both roles are protected: EKS keeps the cluster role's ARN for the cluster's life (a new
        // role means a new cluster), and every node joins through the node role's access entry, so
        // deleting or replacing either cuts the control plane off its network or every node off the
        // cluster. The teardown of a review environment lifts it (docs/living-with-an-environment.md).
        const clusterRole = this.role("eks-cluster-role", this.trust(clusterRoleTrustPolicy), CLUSTER_ROLE_POLICIES, {
            protect: true,
        });
        // The node role keeps what the kubelet and the image pulls need; the VPC CNI's permissions
        // (AmazonEKS_CNI_Policy) are on the CNI's own Pod Identity role (networkingAddons).
        const nodeRole = this.role("eks-node-role", JSON.stringify(nodeRoleTrustPolicy()), NODE_ROLE_POLICIES, {
            protect: true,
        });
        const cluster = this.controlPlane(clusterRole);
        this.clusterName = settings.clusterName;
        this.kubernetesVersion = kubernetesVersionOf(settings);
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.nodeSecurityGroupId = cluster.nodeSecurityGroupId;

        // Istio's sidecar injector: the API server calls istiod's webhook on the nodes on 15017.
        const istioWebhook = "EKS control plane to istiod sidecar-injector webhook";
        this.controlPlaneToNodes(cluster, "istio-webhook-rule", ISTIO_WEBHOOK_PORT, istioWebhook);
        this.accessEntries(cluster);
        const networking = this.networkingAddons(cluster);
        const { vpcCni, kubeProxy, podIdentityAgent } = networking;
        const nodesNeed = [vpcCni, kubeProxy, podIdentityAgent];
        const nodeGroups: Record<string, aws.eks.NodeGroup> = {};
        for (const group of settings.nodeGroups) {
            nodeGroups[group.name] = this.nodeGroup(group, cluster, nodeRole, nodesNeed);
        }
        const nodes = Object.values(nodeGroups);
        this.nodeGroups = nodeGroups;
        this.ready = [...nodesNeed, ...nodes, ...this.workloadAddons(cluster, nodes, networking)];
        this.loadBalancerControllerAccess = this.loadBalancerControllerRole(cluster, networking.podIdentityAgent);

        this.registerOutputs({
            clusterName: this.clusterName,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcProviderArn: this.oidcProviderArn,
            oidcProviderUrl: this.oidcProviderUrl,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
        });
    }

    /** The physical name of a child of this cluster's owner (namer's conventions). */
    private resourceName(...args: Parameters<ReturnType<typeof namer>>): string {
        return namer(this.owner)(...args);
    }

    /**
     * The control plane (@pulumi/eks), after its log group and role: envelope encryption of
     * secrets with a key of this stack, every control-plane log type.
     */
    private controlPlane(clusterRole: ClusterRole): eks.Cluster {
        const key = this.secretsKey(clusterRole);
        const logGroup = this.logGroup();
        return new eks.Cluster(this.settings.clusterName, this.controlPlaneInputs(key, clusterRole), {
            parent: this,
            provider: this.providers.eks,
            providers: { aws: this.providers.aws },
            dependsOn: [logGroup, ...clusterRole.attachments],
            // Protected: deleting or replacing the cluster deletes every workload, Secret and
            // volume in it. Under the engine the component's children (the EKS cluster, its
            // security groups, the OIDC provider) inherit it.
            protect: true,
        });
    }

    /** What the control plane is made of: private endpoint (public only with its CIDRs), API access entries, OIDC. */
    private controlPlaneInputs(key: aws.kms.Key, clusterRole: ClusterRole): eks.ClusterOptions {
        const { clusterName, endpointPublicAccess } = this.settings;
        return {
            name: clusterName,
            version: kubernetesVersionOf(this.settings),
            vpcId: this.settings.vpcId,
            privateSubnetIds: [...this.settings.privateSubnetIds],
            nodeAssociatePublicIpAddress: false,
            endpointPrivateAccess: true,
            endpointPublicAccess,
            ...(endpointPublicAccess ? { publicAccessCidrs: [...this.settings.endpointPublicAccessCidrs] } : {}),
            // Access entries are created below, named and tagged by our conventions
            // (pulumi-eks would create them untagged under its own names).
            authenticationMode: "API",
            createOidcProvider: true,
            encryptionConfigKeyArn: key.arn,
            enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
            serviceRole: clusterRole.role,
            // Node groups and add-ons are managed below as plain resources, each named and tagged.
            skipDefaultNodeGroup: true,
            bootstrapSelfManagedAddons: false,
            useDefaultVpcCni: true,
            corednsAddonOptions: { enabled: false },
            kubeProxyAddonOptions: { enabled: false },
            clusterTags: { Name: clusterName },
            clusterSecurityGroupTags: {
                Name: this.resourceName("eks-cluster-security-group", undefined, "securityGroup"),
            },
            nodeSecurityGroupTags: {
                Name: this.resourceName("eks-node-security-group", undefined, "securityGroup"),
                // The load balancer controller may add its backend rules to this group only because
                // of this tag (its narrowed policy, load-balancer-controller.ts).
                [LOAD_BALANCER_CONTROLLER_CLUSTER_TAG]: clusterName,
            },
        };
    }

    /**
     * Envelope encryption of Kubernetes secrets with a key of this stack, rotated yearly; its
     * policy names the key admins and lets only the cluster's role use it.
     */
    private secretsKey(clusterRole: ClusterRole): aws.kms.Key {
        const { clusterName, kmsKeyAdminArns } = this.settings;
        return managedKey(
            this.resourceName("eks-secrets-key"),
            {
                description: `Envelope encryption of the Kubernetes secrets of ${clusterName}`,
                policy: clusterRole.role.arn.apply((roleArn) =>
                    JSON.stringify(eksSecretsKeyPolicy(kmsKeyAdminArns, roleArn)),
                ),
            },
            this.child,
        ).key;
    }

    /**
     * EKS writes control-plane logs to a fixed group name; creating it first sets the retention
     * and the customer-managed key, which only CloudWatch Logs may use, for this group.
     */
    private logGroup(): aws.cloudwatch.LogGroup {
        const { clusterName, kmsKeyAdminArns, logRetentionDays } = this.settings;
        const logGroupPath = `/aws/eks/${clusterName}/cluster`;
        const accountId = aws.getCallerIdentityOutput({}, this.child).accountId;
        const logGroupScope = (id: string) => ({
            partition: this.partition,
            region: this.owner.environment.region,
            accountId: id,
            logGroupName: logGroupPath,
        });
        const logKey = managedKey(
            this.resourceName("eks-log-key"),
            {
                description: `Encryption of the control-plane log group of ${clusterName}`,
                policy: accountId.apply((id) => JSON.stringify(logGroupKeyPolicy(kmsKeyAdminArns, logGroupScope(id)))),
            },
            this.child,
        ).key;
        const logGroupName = this.resourceName("eks-log-group", undefined, "logGroup");
        return new aws.cloudwatch.LogGroup(
            logGroupName,
            {
                name: logGroupPath,
                retentionInDays: logRetentionDays,
                kmsKeyId: logKey.arn,
                tags: { Name: logGroupName },
            },
            // Protected: the control plane's audit log (who did what on the API server) goes with
            // the group. Not retained on delete: its name is fixed by EKS, so a group left behind
            // would stop the environment from being created again under the same name.
            { ...this.child, protect: true },
        );
    }

    /** A rule that lets the control plane reach a webhook on the nodes on `port`. */
    private controlPlaneToNodes(
        cluster: eks.Cluster,
        rule: string,
        port: number,
        description: string,
    ): aws.vpc.SecurityGroupIngressRule {
        const ruleName = this.resourceName(rule);
        return new aws.vpc.SecurityGroupIngressRule(
            ruleName,
            {
                securityGroupId: cluster.nodeSecurityGroupId,
                referencedSecurityGroupId: cluster.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description,
                tags: { Name: ruleName },
            },
            this.child,
        );
    }

    /** Who may use the cluster's API: one access entry per role, with its EKS access policy. */
    private accessEntries(cluster: eks.Cluster): void {
        const clusterName = this.settings.clusterName;
        for (const [key, spec] of Object.entries(accessEntries(this.settings.access))) {
            const entryName = this.resourceName(`eks-access-entry-${key}`);
            const entry = new aws.eks.AccessEntry(
                entryName,
                { clusterName, principalArn: spec.principalArn, type: spec.type, tags: { Name: entryName } },
                { ...this.child, dependsOn: [cluster] },
            );
            for (const [policyKey, policy] of Object.entries(spec.accessPolicies)) {
                new aws.eks.AccessPolicyAssociation(
                    `${entryName}-${policyKey}`,
                    {
                        clusterName,
                        principalArn: spec.principalArn,
                        policyArn: policy.policyArn,
                        accessScope: policy.accessScope,
                    },
                    { ...this.child, dependsOn: [entry] },
                );
            }
        }
    }

    /**
     * Nodes only become Ready with a CNI and kube-proxy; the Pod Identity agent serves credentials.
     * The CNI (aws-node, host network) gets its AWS permissions through EKS Pod Identity, not the
     * node role: its role and policy exist before the add-on, the add-on makes the association for
     * kube-system/aws-node and comes after the agent, and every node group waits for all three
     * add-ons, so the first aws-node on a joining node already finds its association and an agent
     * to serve it (docs/common.md "IAM").
     */
    private networkingAddons(cluster: eks.Cluster): NetworkingAddons {
        const podIdentityAgent = this.addon("eks-pod-identity-agent", cluster, []);
        const cniRole = this.podIdentityServiceRole("vpc-cni-role", VPC_CNI_SERVICE_ACCOUNT, VPC_CNI_ROLE_POLICIES);
        return {
            vpcCni: this.addon("vpc-cni", cluster, [podIdentityAgent, ...cniRole.attachments], {
                configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
                podIdentityAssociations: [
                    { roleArn: cniRole.role.arn, serviceAccount: VPC_CNI_SERVICE_ACCOUNT.serviceAccount },
                ],
            }),
            kubeProxy: this.addon("kube-proxy", cluster, []),
            podIdentityAgent,
        };
    }

    /** The add-ons that run as Deployments, so need nodes to schedule on: CoreDNS and the EBS CSI driver. */
    private workloadAddons(
        cluster: eks.Cluster,
        nodes: readonly pulumi.Resource[],
        networking: NetworkingAddons,
    ): aws.eks.Addon[] {
        const ebsRole = this.podIdentityServiceRole("ebs-csi-role", EBS_CSI_SERVICE_ACCOUNT, EBS_CSI_ROLE_POLICIES);
        return [
            this.addon("coredns", cluster, nodes),
            this.addon("aws-ebs-csi-driver", cluster, [...nodes, networking.podIdentityAgent, ...ebsRole.attachments], {
                podIdentityAssociations: [
                    { roleArn: ebsRole.role.arn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT.serviceAccount },
                ],
            }),
        ];
    }

    /**
     * One managed add-on, after the control plane and `dependsOn`; it overwrites conflicting fields.
     * At EKS's default version of the add-on for the cluster's Kubernetes minor: a minor upgrade
     * upgrades it after the control plane (and, for those that run on nodes, after the node groups).
     */
    private addon(
        addonName: ManagedAddon,
        cluster: eks.Cluster,
        dependsOn: readonly pulumi.Resource[],
        extra: Partial<aws.eks.AddonArgs> = {},
    ): aws.eks.Addon {
        const physical = this.resourceName(`${addonName}-addon`);
        return new aws.eks.Addon(
            physical,
            {
                clusterName: this.settings.clusterName,
                addonName,
                addonVersion: aws.eks.getAddonVersionOutput(
                    { addonName, kubernetesVersion: kubernetesVersionOf(this.settings), mostRecent: false },
                    { parent: this, provider: this.providers.aws },
                ).version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: { Name: physical },
                ...extra,
            },
            { ...this.child, dependsOn: [cluster, ...dependsOn] },
        );
    }

    /**
     * The AWS Load Balancer Controller's permissions through EKS Pod Identity: a role only the Pod
     * Identity agent may assume, upstream's policy for the controller's release (inline), the
     * association with its service account; and the control plane's way to its webhook on the nodes.
     */
    private loadBalancerControllerRole(cluster: eks.Cluster, agent: aws.eks.Addon): pulumi.Resource[] {
        const association = podIdentityRole(
            this.owner,
            "lb-controller",
            {
                clusterName: this.settings.clusterName,
                namespace: LOAD_BALANCER_CONTROLLER.namespace,
                serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
            },
            loadBalancerControllerPolicy(this.partition),
            { ...this.child, dependsOn: [cluster, agent] },
        );
        const webhook = "EKS control plane to the AWS Load Balancer Controller webhook";
        const port = LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT;
        return [association, this.controlPlaneToNodes(cluster, "lb-controller-webhook-rule", port, webhook)];
    }

    /** A trust policy of this cluster, built once the account is known (JSON). */
    private trust(build: (scope: TrustScope) => IamPolicyDocument): pulumi.Output<string> {
        return trustPolicyJson(this.owner, this.settings.clusterName, build, this.child);
    }

    /** A role for the pods of one service account of an add-on (EKS Pod Identity), with managed policies. */
    private podIdentityServiceRole(role: string, subject: ServiceAccountRef, policies: readonly string[]): ClusterRole {
        return this.role(
            role,
            this.trust((scope) => podIdentityTrustPolicy(scope, subject)),
            policies,
        );
    }

    /**
     * An IAM role (named by `role`) with the trust policy `trust` and AWS managed policies
     * attached; `protect` whether the role is protected.
     */
    private role(
        role: string,
        trust: pulumi.Input<string>,
        policies: readonly string[],
        { protect = false }: { readonly protect?: boolean } = {},
    ): ClusterRole {
        const roleName = this.resourceName(role, undefined, "iamRole");
        const iamRole = new aws.iam.Role(
            roleName,
            { name: roleName, assumeRolePolicy: trust, tags: { Name: roleName } },
            { ...this.child, protect },
        );
        const attachments = policies.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${roleName}-${policy.split("/").pop()}`,
                    { role: iamRole.name, policyArn: managedPolicyArn(policy, this.partition) },
                    this.child,
                ),
        );
        return { role: iamRole, attachments };
    }

    /** One managed node group: its IMDSv2 launch template, the group, and its schedule when asked. */
    private nodeGroup(
        group: NodeGroupSpec,
        cluster: eks.Cluster,
        nodeRole: ClusterRole,
        networking: readonly pulumi.Resource[],
    ): aws.eks.NodeGroup {
        const groupName = this.resourceName(`${group.name}-node-group`, undefined, "eksNodeGroup");
        const template = this.launchTemplate(group, cluster);
        const scheduled = this.settings.scheduledScaling;
        const nodeGroup = new aws.eks.NodeGroup(
            groupName,
            {
                clusterName: this.settings.clusterName,
                nodeGroupName: groupName,
                nodeRoleArn: nodeRole.role.arn,
                // The cluster's minor: upgraded after the control plane and the add-ons nodes need.
                version: kubernetesVersionOf(this.settings),
                // One subnet per availability zone: the Auto Scaling group spreads nodes over them.
                subnetIds: [...this.settings.privateSubnetIds],
                instanceTypes: [...group.instanceTypes],
                capacityType: group.capacityType,
                scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
                labels: { ...group.labels },
                taints: group.taints.map((t) => ({
                    key: t.key,
                    ...(t.value === undefined ? {} : { value: t.value }),
                    effect: t.effect,
                })),
                launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
                updateConfig: { maxUnavailable: 1 },
                tags: { Name: groupName },
            },
            {
                ...this.child,
                dependsOn: [cluster, ...networking, ...nodeRole.attachments],
                // The schedule changes the desired size outside Pulumi; do not fight it on the next update.
                ...(scheduled ? { ignoreChanges: ["scalingConfig.desiredSize"] } : {}),
            },
        );
        if (scheduled) {
            this.schedules(group, nodeGroup);
        }
        return nodeGroup;
    }

    /** A node group's IMDSv2 launch template, its instances and volumes tagged by owner. */
    private launchTemplate(group: NodeGroupSpec, cluster: eks.Cluster): aws.ec2.LaunchTemplate {
        const templateName = this.resourceName(`${group.name}-launch-template`);
        const nodeName = this.resourceName(`${group.name}-node`);
        return new aws.ec2.LaunchTemplate(
            templateName,
            {
                name: templateName,
                metadataOptions: nodeMetadataOptions(),
                vpcSecurityGroupIds: [cluster.nodeSecurityGroupId],
                // Instances and volumes are not tagged by the provider's defaultTags: tag them here.
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({
                    resourceType,
                    tags: { Name: nodeName, ...ownerTags(this.owner) },
                })),
                updateDefaultVersion: true,
                tags: { Name: templateName },
            },
            this.child,
        );
    }

    /** A node group's scale-to-zero at stop-time and back at start-time, on its Auto Scaling group. */
    private schedules(group: NodeGroupSpec, nodeGroup: aws.eks.NodeGroup): void {
        const asgName = nodeGroup.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? "");
        for (const action of scheduledScaling(group, this.owner.environment)) {
            const scheduleName = this.resourceName(`${group.name}-${action.action}-schedule`);
            new aws.autoscaling.Schedule(
                scheduleName,
                {
                    scheduledActionName: scheduleName,
                    autoscalingGroupName: asgName,
                    recurrence: action.recurrence,
                    timeZone: action.timeZone,
                    minSize: action.minSize,
                    maxSize: action.maxSize,
                    desiredCapacity: action.desiredCapacity,
                },
                this.child,
            );
        }
    }
}
