import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { assertValidArgs } from "../args";
import { checkRetentionDays } from "../cloudwatch";
import { Problem, Problems } from "../problems";
import { Owner, namer, ownerTags } from "../conventions";
import { eksSecretsKeyPolicy, keyAdminArnsProblems, logGroupKeyPolicy, managedKey } from "../kms";
import {
    CLUSTER_ROLE_POLICIES,
    ClusterAccess,
    EBS_CSI_ROLE_POLICIES,
    NODE_ROLE_POLICIES,
    NodeGroupSpec,
    accessEntries,
    assumeRolePolicy,
    endpointProblem,
    managedPolicyArn,
    nodeMetadataOptions,
    nodeGroupsProblems,
    partitionOfRegion,
    roleArnProblem,
    scheduledScaling,
} from "./specs";
import { podIdentityRole } from "./pod-identity";
import {
    LOAD_BALANCER_CONTROLLER,
    LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT,
    loadBalancerControllerPolicy,
} from "./load-balancer-controller";
import { CONTROL_PLANE_LOG_TYPES, KUBERNETES_VERSION, ManagedAddon, VPC_CNI_CONFIGURATION } from "./versions";

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
    /** The stack's aws provider (region and owner default tags). */
    readonly awsProvider: aws.Provider;
    /** The provider of the `eks` package: default providers are disabled, so it is explicit too. */
    readonly eksProvider: eks.Provider;
}

/**
 * Every problem with `args`: the property, its value, what is wrong and what is allowed. Pure:
 * the component throws them together before creating anything.
 */
export function clusterArgsProblems(args: ClusterArgs): Problem[] {
    const problems = new Problems();
    if (args.privateSubnetIds.length < 2) {
        problems.add("privateSubnetIds", args.privateSubnetIds, "EKS needs subnets in at least two availability zones");
    }
    const endpoint = endpointProblem(args.endpointPublicAccess ?? false, args.endpointPublicAccessCidrs ?? []);
    problems.addAll("", endpoint ? [endpoint] : []);
    for (const [property, arns] of [
        ["access.adminRoleArns", args.access?.adminRoleArns ?? []],
        ["access.viewerRoleArns", args.access?.viewerRoleArns ?? []],
    ] as const) {
        arns.forEach((arn, i) => problems.add(`${property}[${i}]`, arn, roleArnProblem(arn)));
    }
    problems.addAll("kmsKeyAdminArns", keyAdminArnsProblems(args.kmsKeyAdminArns));
    const retention = args.logRetentionDays ?? 30;
    problems.add("logRetentionDays", retention, checkRetentionDays(retention));
    problems.addAll("nodeGroups", nodeGroupsProblems(args.nodeGroups as unknown as Record<string, unknown>[]));
    return [...problems.all];
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
    /** What Kubernetes objects must wait for: nodes and the add-ons that make them usable. */
    readonly ready: readonly pulumi.Resource[];
    /**
     * What the AWS Load Balancer Controller's release waits for: its role, policy and Pod Identity
     * association (service account kube-system/aws-load-balancer-controller).
     */
    readonly loadBalancerControllerAccess: readonly pulumi.Resource[];

    constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        assertValidArgs("Cluster", name, clusterArgsProblems(args));
        super("platform:cluster:Cluster", name, {}, opts);
        const owner = args.owner;
        const resourceName = namer(owner);
        const awsOpts = { parent: this, provider: args.awsProvider };
        const publicAccess = args.endpointPublicAccess ?? false;
        const logRetentionDays = args.logRetentionDays ?? 30;
        const partition = partitionOfRegion(owner.environment.region);

        const clusterRole = this.role(
            resourceName("eks-cluster-role", undefined, "iamRole"),
            "eks.amazonaws.com",
            CLUSTER_ROLE_POLICIES,
            partition,
            awsOpts,
        );
        const nodeRole = this.role(
            resourceName("eks-node-role", undefined, "iamRole"),
            "ec2.amazonaws.com",
            NODE_ROLE_POLICIES,
            partition,
            awsOpts,
        );

        // Envelope encryption of Kubernetes secrets with a key of this stack, rotated yearly; its
        // policy names the key admins and lets only the cluster's role use it.
        const keyName = resourceName("eks-secrets-key");
        const key = managedKey(
            keyName,
            {
                description: `Envelope encryption of the Kubernetes secrets of ${args.clusterName}`,
                policy: clusterRole.role.arn.apply((roleArn) =>
                    JSON.stringify(eksSecretsKeyPolicy(args.kmsKeyAdminArns, roleArn)),
                ),
            },
            awsOpts,
        ).key;

        // EKS writes control-plane logs to this fixed group name; creating it first sets the
        // retention and the customer-managed key, which only CloudWatch Logs may use, for this group.
        const logGroupPath = `/aws/eks/${args.clusterName}/cluster`;
        const accountId = aws.getCallerIdentityOutput({}, { parent: this, provider: args.awsProvider }).accountId;
        const logKeyName = resourceName("eks-log-key");
        const logKey = managedKey(
            logKeyName,
            {
                description: `Encryption of the control-plane log group of ${args.clusterName}`,
                policy: accountId.apply((id) =>
                    JSON.stringify(
                        logGroupKeyPolicy(args.kmsKeyAdminArns, {
                            partition,
                            region: owner.environment.region,
                            accountId: id,
                            logGroupName: logGroupPath,
                        }),
                    ),
                ),
            },
            awsOpts,
        ).key;
        const logGroupName = resourceName("eks-log-group", undefined, "logGroup");
        const logGroup = new aws.cloudwatch.LogGroup(
            logGroupName,
            {
                name: logGroupPath,
                retentionInDays: logRetentionDays,
                kmsKeyId: logKey.arn,
                tags: { Name: logGroupName },
            },
            awsOpts,
        );

        const cluster = new eks.Cluster(
            args.clusterName,
            {
                name: args.clusterName,
                version: KUBERNETES_VERSION,
                vpcId: args.vpcId,
                privateSubnetIds: [...args.privateSubnetIds],
                nodeAssociatePublicIpAddress: false,
                endpointPrivateAccess: true,
                endpointPublicAccess: publicAccess,
                ...(publicAccess ? { publicAccessCidrs: [...(args.endpointPublicAccessCidrs ?? [])] } : {}),
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
                clusterTags: { Name: args.clusterName },
                clusterSecurityGroupTags: {
                    Name: resourceName("eks-cluster-security-group", undefined, "securityGroup"),
                },
                nodeSecurityGroupTags: { Name: resourceName("eks-node-security-group", undefined, "securityGroup") },
            },
            {
                parent: this,
                provider: args.eksProvider,
                providers: { aws: args.awsProvider },
                dependsOn: [logGroup, ...clusterRole.attachments],
            },
        );
        this.clusterName = args.clusterName;
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.nodeSecurityGroupId = cluster.nodeSecurityGroupId;

        // Istio's sidecar injector: the API server calls istiod's webhook on the nodes on 15017.
        const webhookRuleName = resourceName("istio-webhook-rule");
        new aws.vpc.SecurityGroupIngressRule(
            webhookRuleName,
            {
                securityGroupId: cluster.nodeSecurityGroupId,
                referencedSecurityGroupId: cluster.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: ISTIO_WEBHOOK_PORT,
                toPort: ISTIO_WEBHOOK_PORT,
                description: "EKS control plane to istiod sidecar-injector webhook",
                tags: { Name: webhookRuleName },
            },
            awsOpts,
        );

        // Who may use the cluster's API: one access entry per role, with its EKS access policy.
        const entries = accessEntries({
            adminRoleArns: args.access?.adminRoleArns ?? [],
            viewerRoleArns: args.access?.viewerRoleArns ?? [],
        });
        for (const [key, spec] of Object.entries(entries)) {
            const entryName = resourceName(`eks-access-entry-${key}`);
            const entry = new aws.eks.AccessEntry(
                entryName,
                {
                    clusterName: args.clusterName,
                    principalArn: spec.principalArn,
                    type: spec.type,
                    tags: { Name: entryName },
                },
                { ...awsOpts, dependsOn: [cluster] },
            );
            for (const [policyKey, policy] of Object.entries(spec.accessPolicies)) {
                new aws.eks.AccessPolicyAssociation(
                    `${entryName}-${policyKey}`,
                    {
                        clusterName: args.clusterName,
                        principalArn: spec.principalArn,
                        policyArn: policy.policyArn,
                        accessScope: policy.accessScope,
                    },
                    { ...awsOpts, dependsOn: [entry] },
                );
            }
        }

        const addon = (
            addonName: ManagedAddon,
            dependsOn: pulumi.Resource[],
            extra: Partial<aws.eks.AddonArgs> = {},
        ) => {
            const physical = resourceName(`${addonName}-addon`);
            return new aws.eks.Addon(
                physical,
                {
                    clusterName: args.clusterName,
                    addonName,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    tags: { Name: physical },
                    ...extra,
                },
                { ...awsOpts, dependsOn: [cluster, ...dependsOn] },
            );
        };
        // Nodes only become Ready with a CNI and kube-proxy; the Pod Identity agent serves credentials.
        const networking = [
            addon("vpc-cni", [], { configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION) }),
            addon("kube-proxy", []),
            addon("eks-pod-identity-agent", []),
        ];

        const nodeGroups: Record<string, aws.eks.NodeGroup> = {};
        for (const group of args.nodeGroups) {
            nodeGroups[group.name] = this.nodeGroup(group, args, cluster, nodeRole, networking, awsOpts);
        }
        const nodes = Object.values(nodeGroups);

        // Deployments need nodes to schedule on.
        const ebsRole = this.role(
            resourceName("ebs-csi-role", undefined, "iamRole"),
            "pods.eks.amazonaws.com",
            EBS_CSI_ROLE_POLICIES,
            partition,
            awsOpts,
            ["sts:AssumeRole", "sts:TagSession"],
        );
        const workloads = [
            addon("coredns", nodes),
            addon("aws-ebs-csi-driver", [...nodes, networking[2], ...ebsRole.attachments], {
                podIdentityAssociations: [{ roleArn: ebsRole.role.arn, serviceAccount: "ebs-csi-controller-sa" }],
            }),
        ];
        this.nodeGroups = nodeGroups;
        this.ready = [...networking, ...nodes, ...workloads];
        this.loadBalancerControllerAccess = this.loadBalancerControllerRole(args, cluster, networking[2], awsOpts);

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            oidcProviderArn: this.oidcProviderArn,
            oidcProviderUrl: this.oidcProviderUrl,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
        });
    }

    /**
     * The AWS Load Balancer Controller's permissions through EKS Pod Identity: a role only the Pod
     * Identity agent may assume, upstream's policy for the controller's release (inline), the
     * association with its service account; and the control plane's way to its webhook on the nodes.
     */
    private loadBalancerControllerRole(
        args: ClusterArgs,
        cluster: eks.Cluster,
        agent: pulumi.Resource,
        opts: pulumi.CustomResourceOptions,
    ): pulumi.Resource[] {
        const resourceName = namer(args.owner);
        const association = podIdentityRole(
            args.owner,
            "lb-controller",
            {
                clusterName: args.clusterName,
                namespace: LOAD_BALANCER_CONTROLLER.namespace,
                serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
            },
            loadBalancerControllerPolicy(partitionOfRegion(args.owner.environment.region)),
            { ...opts, dependsOn: [cluster, agent] },
        );
        const webhookRuleName = resourceName("lb-controller-webhook-rule");
        const webhookRule = new aws.vpc.SecurityGroupIngressRule(
            webhookRuleName,
            {
                securityGroupId: cluster.nodeSecurityGroupId,
                referencedSecurityGroupId: cluster.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT,
                toPort: LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT,
                description: "EKS control plane to the AWS Load Balancer Controller webhook",
                tags: { Name: webhookRuleName },
            },
            opts,
        );
        return [association, webhookRule];
    }

    /** An IAM role for an AWS service principal with AWS managed policies attached. */
    private role(
        roleName: string,
        service: string,
        policies: readonly string[],
        partition: string,
        opts: pulumi.CustomResourceOptions,
        actions?: readonly string[],
    ): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
        const role = new aws.iam.Role(
            roleName,
            { name: roleName, assumeRolePolicy: assumeRolePolicy(service, actions), tags: { Name: roleName } },
            opts,
        );
        const attachments = policies.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${roleName}-${policy.split("/").pop()}`,
                    { role: role.name, policyArn: managedPolicyArn(policy, partition) },
                    opts,
                ),
        );
        return { role, attachments };
    }

    /** One managed node group: its IMDSv2 launch template, the group, and its schedule when asked. */
    private nodeGroup(
        group: NodeGroupSpec,
        args: ClusterArgs,
        cluster: eks.Cluster,
        nodeRole: { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] },
        networking: pulumi.Resource[],
        opts: pulumi.CustomResourceOptions,
    ): aws.eks.NodeGroup {
        const resourceName = namer(args.owner);
        const groupName = resourceName(`${group.name}-node-group`, undefined, "eksNodeGroup");
        const templateName = resourceName(`${group.name}-launch-template`);
        const nodeName = resourceName(`${group.name}-node`);
        const template = new aws.ec2.LaunchTemplate(
            templateName,
            {
                name: templateName,
                metadataOptions: nodeMetadataOptions(),
                vpcSecurityGroupIds: [cluster.nodeSecurityGroupId],
                // Instances and volumes are not tagged by the provider's defaultTags: tag them here.
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({
                    resourceType,
                    tags: { Name: nodeName, ...ownerTags(args.owner) },
                })),
                updateDefaultVersion: true,
                tags: { Name: templateName },
            },
            opts,
        );
        const scheduled = args.scheduledScaling ?? false;
        const nodeGroup = new aws.eks.NodeGroup(
            groupName,
            {
                clusterName: args.clusterName,
                nodeGroupName: groupName,
                nodeRoleArn: nodeRole.role.arn,
                // One subnet per availability zone: the Auto Scaling group spreads nodes over them.
                subnetIds: [...args.privateSubnetIds],
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
                ...opts,
                dependsOn: [cluster, ...networking, ...nodeRole.attachments],
                // The schedule changes the desired size outside Pulumi; do not fight it on the next update.
                ...(scheduled ? { ignoreChanges: ["scalingConfig.desiredSize"] } : {}),
            },
        );
        if (scheduled) {
            const asgName = nodeGroup.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? "");
            for (const action of scheduledScaling(group, args.owner.environment)) {
                const scheduleName = resourceName(`${group.name}-${action.action}-schedule`);
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
                    opts,
                );
            }
        }
        return nodeGroup;
    }
}
