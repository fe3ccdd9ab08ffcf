import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders, providerProblems, settingsOrThrow } from "../args";
import { Owner, namer, ownerTags } from "../conventions";
import { eksSecretsKeyPolicy, logGroupKeyPolicy, managedKey } from "../kms";
import { ClusterSettings, validateClusterArgs } from "./settings";
import {
    CLUSTER_ROLE_POLICIES,
    ClusterAccess,
    EBS_CSI_ROLE_POLICIES,
    NODE_ROLE_POLICIES,
    NodeGroupSpec,
    accessEntries,
    assumeRolePolicy,
    managedPolicyArn,
    nodeMetadataOptions,
    partitionOfRegion,
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
    /**
     * The stack's providers: aws (region and owner default tags) for every AWS resource, and the
     * `eks` package's for the control plane (default providers are disabled, so both are explicit).
     */
    readonly providers: ComponentProviders<"aws" | "eks">;
}

/** An IAM role and the attachments of its managed policies. */
interface RoleWithPolicies {
    readonly role: aws.iam.Role;
    readonly attachments: aws.iam.RolePolicyAttachment[];
}

/** What every builder of the cluster uses. */
interface Build {
    readonly owner: Owner;
    readonly settings: ClusterSettings;
    /** Names by the conventions: `<env>-common-<type>`. */
    readonly name: ReturnType<typeof namer>;
    readonly partition: string;
    /** The options of every AWS child: parented to the cluster, with the stack's aws provider. */
    readonly awsOpts: pulumi.CustomResourceOptions;
}

/** The add-ons a node needs to be Ready and to serve Pod Identity credentials, by name. */
interface NodeAddons {
    readonly vpcCni: aws.eks.Addon;
    readonly kubeProxy: aws.eks.Addon;
    /** The EKS Pod Identity agent: what any Pod Identity association waits for. */
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
    /** What Kubernetes objects must wait for: nodes and the add-ons that make them usable. */
    readonly ready: readonly pulumi.Resource[];
    /**
     * What the AWS Load Balancer Controller's release waits for: its role, policy and Pod Identity
     * association (service account kube-system/aws-load-balancer-controller).
     */
    readonly loadBalancerControllerAccess: readonly pulumi.Resource[];

    constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Every argument checked, and the defaults applied, before anything is registered.
        const { owner, providers, ...options } = args;
        const settings = settingsOrThrow(
            "Cluster",
            name,
            providerProblems(providers, ["aws", "eks"]),
            validateClusterArgs(options),
        );
        super("platform:cluster:Cluster", name, {}, opts);
        const build: Build = {
            owner,
            settings,
            name: namer(owner),
            partition: partitionOfRegion(owner.environment.region),
            awsOpts: { parent: this, provider: providers.aws },
        };
        const clusterRole = this.role(build, "eks-cluster-role", "eks.amazonaws.com", CLUSTER_ROLE_POLICIES);
        const nodeRole = this.role(build, "eks-node-role", "ec2.amazonaws.com", NODE_ROLE_POLICIES);
        const secretsKey = this.secretsKey(build, clusterRole);
        const logGroup = this.controlPlaneLogs(build);
        const cluster = this.controlPlane(build, providers, { clusterRole, secretsKey, logGroup });
        this.clusterName = settings.clusterName;
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.nodeSecurityGroupId = cluster.nodeSecurityGroupId;
        this.istioWebhookRule(build, cluster);
        this.accessEntries(build, cluster);

        const nodeAddons = this.nodeAddons(build, cluster);
        const networking: aws.eks.Addon[] = [nodeAddons.vpcCni, nodeAddons.kubeProxy, nodeAddons.podIdentityAgent];
        const nodeGroups: Record<string, aws.eks.NodeGroup> = {};
        for (const group of settings.nodeGroups) {
            nodeGroups[group.name] = this.nodeGroup(build, group, cluster, nodeRole, networking);
        }
        const nodes = Object.values(nodeGroups);
        const workloads = this.workloadAddons(build, cluster, nodes, nodeAddons.podIdentityAgent);
        this.nodeGroups = nodeGroups;
        this.ready = [...networking, ...nodes, ...workloads];
        this.loadBalancerControllerAccess = this.loadBalancerControllerRole(
            build,
            cluster,
            nodeAddons.podIdentityAgent,
        );

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
     * Envelope encryption of Kubernetes secrets with a key of this stack, rotated yearly; its
     * policy names the key admins and lets only the cluster's role use it.
     */
    private secretsKey(build: Build, clusterRole: RoleWithPolicies): aws.kms.Key {
        const { settings } = build;
        return managedKey(
            build.name("eks-secrets-key"),
            {
                description: `Envelope encryption of the Kubernetes secrets of ${settings.clusterName}`,
                policy: clusterRole.role.arn.apply((roleArn) =>
                    JSON.stringify(eksSecretsKeyPolicy(settings.kmsKeyAdminArns, roleArn)),
                ),
            },
            build.awsOpts,
        ).key;
    }

    /**
     * The control-plane log group: EKS writes to this fixed name; creating it first sets the
     * retention and the customer-managed key, which only CloudWatch Logs may use, for this group.
     */
    private controlPlaneLogs(build: Build): aws.cloudwatch.LogGroup {
        const { settings, owner } = build;
        const logGroupPath = `/aws/eks/${settings.clusterName}/cluster`;
        const accountId = aws.getCallerIdentityOutput({}, build.awsOpts).accountId;
        const logKey = managedKey(
            build.name("eks-log-key"),
            {
                description: `Encryption of the control-plane log group of ${settings.clusterName}`,
                policy: accountId.apply((id) =>
                    JSON.stringify(
                        logGroupKeyPolicy(settings.kmsKeyAdminArns, {
                            partition: build.partition,
                            region: owner.environment.region,
                            accountId: id,
                            logGroupName: logGroupPath,
                        }),
                    ),
                ),
            },
            build.awsOpts,
        ).key;
        const logGroupName = build.name("eks-log-group", undefined, "logGroup");
        return new aws.cloudwatch.LogGroup(
            logGroupName,
            {
                name: logGroupPath,
                retentionInDays: settings.logRetentionDays,
                kmsKeyId: logKey.arn,
                tags: { Name: logGroupName },
            },
            build.awsOpts,
        );
    }

    /** The control plane (@pulumi/eks), after its log group and its role's policies. */
    private controlPlane(
        build: Build,
        providers: ClusterArgs["providers"],
        deps: { clusterRole: RoleWithPolicies; secretsKey: aws.kms.Key; logGroup: aws.cloudwatch.LogGroup },
    ): eks.Cluster {
        const { settings } = build;
        return new eks.Cluster(
            settings.clusterName,
            {
                name: settings.clusterName,
                version: KUBERNETES_VERSION,
                vpcId: settings.vpcId,
                privateSubnetIds: [...settings.privateSubnetIds],
                nodeAssociatePublicIpAddress: false,
                endpointPrivateAccess: true,
                endpointPublicAccess: settings.endpointPublicAccess,
                ...(settings.endpointPublicAccess
                    ? { publicAccessCidrs: [...settings.endpointPublicAccessCidrs] }
                    : {}),
                // Access entries are created below, named and tagged by our conventions
                // (pulumi-eks would create them untagged under its own names).
                authenticationMode: "API",
                createOidcProvider: true,
                encryptionConfigKeyArn: deps.secretsKey.arn,
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                serviceRole: deps.clusterRole.role,
                // Node groups and add-ons are managed below as plain resources, each named and tagged.
                skipDefaultNodeGroup: true,
                bootstrapSelfManagedAddons: false,
                useDefaultVpcCni: true,
                corednsAddonOptions: { enabled: false },
                kubeProxyAddonOptions: { enabled: false },
                clusterTags: { Name: settings.clusterName },
                clusterSecurityGroupTags: {
                    Name: build.name("eks-cluster-security-group", undefined, "securityGroup"),
                },
                nodeSecurityGroupTags: { Name: build.name("eks-node-security-group", undefined, "securityGroup") },
            },
            {
                parent: this,
                provider: providers.eks,
                providers: { aws: providers.aws },
                dependsOn: [deps.logGroup, ...deps.clusterRole.attachments],
            },
        );
    }

    /** Istio's sidecar injector: the API server calls istiod's webhook on the nodes on 15017. */
    private istioWebhookRule(build: Build, cluster: eks.Cluster): void {
        const webhookRuleName = build.name("istio-webhook-rule");
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
            build.awsOpts,
        );
    }

    /** Who may use the cluster's API: one access entry per role, with its EKS access policy. */
    private accessEntries(build: Build, cluster: eks.Cluster): void {
        const { clusterName, access } = build.settings;
        for (const [key, spec] of Object.entries(accessEntries(access))) {
            const entryName = build.name(`eks-access-entry-${key}`);
            const entry = new aws.eks.AccessEntry(
                entryName,
                { clusterName, principalArn: spec.principalArn, type: spec.type, tags: { Name: entryName } },
                { ...build.awsOpts, dependsOn: [cluster] },
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
                    { ...build.awsOpts, dependsOn: [entry] },
                );
            }
        }
    }

    /** One EKS managed add-on at EKS's default version, overwriting conflicting fields, after the cluster and `dependsOn`. */
    private addon(
        build: Build,
        cluster: eks.Cluster,
        addonName: ManagedAddon,
        dependsOn: pulumi.Resource[],
        extra: Partial<aws.eks.AddonArgs> = {},
    ): aws.eks.Addon {
        const physical = build.name(`${addonName}-addon`);
        return new aws.eks.Addon(
            physical,
            {
                clusterName: build.settings.clusterName,
                addonName,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: { Name: physical },
                ...extra,
            },
            { ...build.awsOpts, dependsOn: [cluster, ...dependsOn] },
        );
    }

    /** Nodes only become Ready with a CNI and kube-proxy; the Pod Identity agent serves credentials. */
    private nodeAddons(build: Build, cluster: eks.Cluster): NodeAddons {
        return {
            vpcCni: this.addon(build, cluster, "vpc-cni", [], {
                configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION),
            }),
            kubeProxy: this.addon(build, cluster, "kube-proxy", []),
            podIdentityAgent: this.addon(build, cluster, "eks-pod-identity-agent", []),
        };
    }

    /**
     * The add-ons that run as workloads, so after the nodes: coredns, and the EBS CSI driver with
     * its Pod Identity role (after the agent).
     */
    private workloadAddons(
        build: Build,
        cluster: eks.Cluster,
        nodes: aws.eks.NodeGroup[],
        podIdentityAgent: aws.eks.Addon,
    ): aws.eks.Addon[] {
        const ebsRole = this.role(build, "ebs-csi-role", "pods.eks.amazonaws.com", EBS_CSI_ROLE_POLICIES, [
            "sts:AssumeRole",
            "sts:TagSession",
        ]);
        return [
            this.addon(build, cluster, "coredns", nodes),
            this.addon(build, cluster, "aws-ebs-csi-driver", [...nodes, podIdentityAgent, ...ebsRole.attachments], {
                podIdentityAssociations: [{ roleArn: ebsRole.role.arn, serviceAccount: "ebs-csi-controller-sa" }],
            }),
        ];
    }

    /**
     * The AWS Load Balancer Controller's permissions through EKS Pod Identity: a role only the Pod
     * Identity agent may assume, upstream's policy for the controller's release (inline), the
     * association with its service account; and the control plane's way to its webhook on the nodes.
     */
    private loadBalancerControllerRole(build: Build, cluster: eks.Cluster, agent: pulumi.Resource): pulumi.Resource[] {
        const association = podIdentityRole(
            build.owner,
            "lb-controller",
            {
                clusterName: build.settings.clusterName,
                namespace: LOAD_BALANCER_CONTROLLER.namespace,
                serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
            },
            loadBalancerControllerPolicy(build.partition),
            { ...build.awsOpts, dependsOn: [cluster, agent] },
        );
        const webhookRuleName = build.name("lb-controller-webhook-rule");
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
            build.awsOpts,
        );
        return [association, webhookRule];
    }

    /** An IAM role `<env>-common-<type>` for an AWS service principal, with AWS managed policies attached. */
    private role(
        build: Build,
        type: string,
        service: string,
        policies: readonly string[],
        actions?: readonly string[],
    ): RoleWithPolicies {
        const roleName = build.name(type, undefined, "iamRole");
        const role = new aws.iam.Role(
            roleName,
            { name: roleName, assumeRolePolicy: assumeRolePolicy(service, actions), tags: { Name: roleName } },
            build.awsOpts,
        );
        const attachments = policies.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${roleName}-${policy.split("/").pop()}`,
                    { role: role.name, policyArn: managedPolicyArn(policy, build.partition) },
                    build.awsOpts,
                ),
        );
        return { role, attachments };
    }

    /** One managed node group: its IMDSv2 launch template, the group, and its schedule when asked. */
    private nodeGroup(
        build: Build,
        group: NodeGroupSpec,
        cluster: eks.Cluster,
        nodeRole: RoleWithPolicies,
        networking: pulumi.Resource[],
    ): aws.eks.NodeGroup {
        const { settings, owner } = build;
        const groupName = build.name(`${group.name}-node-group`, undefined, "eksNodeGroup");
        const templateName = build.name(`${group.name}-launch-template`);
        const nodeName = build.name(`${group.name}-node`);
        const template = new aws.ec2.LaunchTemplate(
            templateName,
            {
                name: templateName,
                metadataOptions: nodeMetadataOptions(),
                vpcSecurityGroupIds: [cluster.nodeSecurityGroupId],
                // Instances and volumes are not tagged by the provider's defaultTags: tag them here.
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({
                    resourceType,
                    tags: { Name: nodeName, ...ownerTags(owner) },
                })),
                updateDefaultVersion: true,
                tags: { Name: templateName },
            },
            build.awsOpts,
        );
        const nodeGroup = new aws.eks.NodeGroup(
            groupName,
            {
                clusterName: settings.clusterName,
                nodeGroupName: groupName,
                nodeRoleArn: nodeRole.role.arn,
                // One subnet per availability zone: the Auto Scaling group spreads nodes over them.
                subnetIds: [...settings.privateSubnetIds],
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
                ...build.awsOpts,
                dependsOn: [cluster, ...networking, ...nodeRole.attachments],
                // The schedule changes the desired size outside Pulumi; do not fight it on the next update.
                ...(settings.scheduledScaling ? { ignoreChanges: ["scalingConfig.desiredSize"] } : {}),
            },
        );
        if (settings.scheduledScaling) {
            this.schedules(build, group, nodeGroup);
        }
        return nodeGroup;
    }

    /** The node group's scaling to zero at the environment's stop-time and back at its start-time. */
    private schedules(build: Build, group: NodeGroupSpec, nodeGroup: aws.eks.NodeGroup): void {
        const asgName = nodeGroup.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? "");
        for (const action of scheduledScaling(group, build.owner.environment)) {
            const scheduleName = build.name(`${group.name}-${action.action}-schedule`);
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
                build.awsOpts,
            );
        }
    }
}
