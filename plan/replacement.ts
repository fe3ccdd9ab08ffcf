// What replaces a resource instead of updating it, per resource type, and which resources hold
// state that a replacement or a deletion loses. `npm run plan -- --env <env> --diff <ref>`
// (plan/diff.ts) decides from these tables, offline, which changed resources `pulumi up` would
// replace; docs/living-with-an-environment.md explains the tables to users.
//
// AWS types: the properties the provider marks ForceNew (Terraform SDK) or RequiresReplace
// (Terraform plugin framework) in terraform-provider-aws, which pulumi-aws v7 bridges (v6 of the
// Terraform provider); each entry names the file of hashicorp/terraform-provider-aws that holds
// the marker. Input names are Pulumi's camelCase. Kubernetes kinds: the provider's own table of
// fields whose change replaces an object (pulumi-kubernetes provider/pkg/provider/diff.go at
// v4.25.0, the provider the integration suite runs: its Diff replaces on these fields only, with
// server-side apply too) plus the name and namespace every object is identified by.

/** Why a resource type's change replaces it, and where that is written down. */
export interface ReplaceRule {
    /** Input paths (`cidrBlock`, `launchTemplate.id`, `spec.selector`) whose change replaces the resource. */
    readonly properties: readonly string[];
    /** Where the list comes from: repository and file of the provider's source. */
    readonly source: string;
    /** What a reader must know besides the list (a remote component, a conditional replacement). */
    readonly note?: string;
}

const TF = "hashicorp/terraform-provider-aws";
const tf = (file: string) => `${TF} internal/service/${file} (ForceNew)`;
const tfFramework = (file: string) => `${TF} internal/service/${file} (RequiresReplace)`;

/** The AWS types the platform creates (global and common layers), with their replace-on-change inputs. */
export const AWS_REPLACE_RULES: Readonly<Record<string, ReplaceRule>> = {
    "aws:ec2/vpc:Vpc": {
        properties: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
        source: tf("ec2/vpc_.go"),
    },
    "aws:ec2/subnet:Subnet": {
        properties: [
            "availabilityZone",
            "availabilityZoneId",
            "cidrBlock",
            "vpcId",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "ipv6IpamPoolId",
            "ipv6Native",
            "ipv6NetmaskLength",
            "outpostArn",
        ],
        source: tf("ec2/vpc_subnet.go"),
    },
    "aws:ec2/internetGateway:InternetGateway": {
        properties: [],
        source: tf("ec2/vpc_internet_gateway.go"),
        note: "vpcId is updated in place: the gateway is detached and attached",
    },
    "aws:ec2/eip:Eip": {
        properties: ["address", "domain", "networkBorderGroup", "publicIpv4Pool", "customerOwnedIpv4Pool"],
        source: tf("ec2/ec2_eip.go"),
    },
    "aws:ec2/natGateway:NatGateway": {
        properties: ["allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId"],
        source: tf("ec2/vpc_nat_gateway.go"),
    },
    "aws:ec2/networkAcl:NetworkAcl": { properties: ["vpcId"], source: tf("ec2/vpc_network_acl.go") },
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": {
        properties: ["networkAclId", "subnetId"],
        source: tf("ec2/vpc_network_acl_association.go"),
    },
    "aws:ec2/route:Route": {
        properties: ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"],
        source: tf("ec2/vpc_route.go"),
        note: "its target, gatewayId or natGatewayId, is changed in place with ReplaceRoute",
    },
    "aws:ec2/routeTable:RouteTable": { properties: ["vpcId"], source: tf("ec2/vpc_route_table.go") },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        properties: ["subnetId", "gatewayId"],
        source: tf("ec2/vpc_route_table_association.go"),
        note: "routeTableId is updated in place with ReplaceRouteTableAssociation",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        properties: ["name", "namePrefix", "description", "vpcId"],
        source: tf("ec2/vpc_security_group.go"),
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        properties: ["vpcId"],
        source: tf("ec2/vpc_default_security_group.go"),
    },
    "aws:ec2/flowLog:FlowLog": {
        properties: [
            "iamRoleArn",
            "logDestination",
            "logDestinationType",
            "trafficType",
            "vpcId",
            "subnetId",
            "eniId",
            "logFormat",
            "maxAggregationInterval",
            "destinationOptions",
            "deliverCrossAccountRole",
            "transitGatewayId",
            "transitGatewayAttachmentId",
        ],
        source: tf("ec2/vpc_flow_log.go"),
        note: "every argument but the tags",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        properties: [
            "serviceName",
            "vpcId",
            "vpcEndpointType",
            "resourceConfigurationArn",
            "serviceNetworkArn",
            "serviceRegion",
            "dnsOptions.privateDnsPreference",
            "dnsOptions.privateDnsSpecifiedDomains",
        ],
        source: tf("ec2/vpc_endpoint.go"),
        note: "privateDnsEnabled also replaces an endpoint that is not of type Interface, by CustomizeDiff",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        properties: ["name", "namePrefix"],
        source: tf("ec2/ec2_launch_template.go"),
        note: "every other change makes a new version of the template",
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        properties: ["securityGroupId"],
        source: tfFramework("ec2/vpc_security_group_ingress_rule.go"),
    },
    "aws:iam/role:Role": { properties: ["name", "namePrefix"], source: tf("iam/role.go") },
    "aws:iam/rolePolicy:RolePolicy": { properties: ["name", "namePrefix", "role"], source: tf("iam/role_policy.go") },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        properties: ["role", "policyArn"],
        source: tf("iam/role_policy_attachment.go"),
    },
    "aws:kms/key:Key": {
        properties: ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
        source: tf("kms/key.go"),
    },
    "aws:kms/alias:Alias": { properties: ["name", "namePrefix"], source: tf("kms/alias.go") },
    "aws:route53/zone:Zone": { properties: ["name", "delegationSetId"], source: tf("route53/zone.go") },
    "aws:cloudwatch/logGroup:LogGroup": {
        properties: ["name", "namePrefix", "logGroupClass"],
        source: tf("logs/group.go"),
    },
    "aws:autoscaling/schedule:Schedule": {
        properties: ["scheduledActionName", "autoscalingGroupName"],
        source: tf("autoscaling/schedule.go"),
    },
    "aws:eks/addon:Addon": { properties: ["addonName", "clusterName"], source: tf("eks/addon.go") },
    "aws:eks/nodeGroup:NodeGroup": {
        properties: [
            "amiType",
            "capacityType",
            "clusterName",
            "diskSize",
            "instanceTypes",
            "launchTemplate.id",
            "launchTemplate.name",
            "nodeGroupName",
            "nodeGroupNamePrefix",
            "nodeRoleArn",
            "remoteAccess",
            "subnetIds",
        ],
        source: tf("eks/node_group.go"),
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        properties: ["clusterName", "namespace", "serviceAccount"],
        source: tfFramework("eks/pod_identity_association.go"),
    },
    "aws:eks/cluster:Cluster": {
        properties: [
            "name",
            "roleArn",
            "bootstrapSelfManagedAddons",
            "accessConfig.bootstrapClusterCreatorAdminPermissions",
            "kubernetesNetworkConfig.ipFamily",
            "kubernetesNetworkConfig.serviceIpv4Cidr",
            "outpostConfig",
            "remoteNetworkConfig",
        ],
        source: tf("eks/cluster.go"),
        note: "removing encryptionConfig replaces it too, by CustomizeDiff; its subnets and endpoints are updated in place",
    },
    // pulumi-eks' Cluster is a remote component: the plan records its inputs, the engine replaces
    // the aws.eks.Cluster it makes from them (pulumi-eks nodejs/eks/cluster.ts hands name,
    // serviceRole's ARN, bootstrapSelfManagedAddons, kubernetesServiceIpAddressRange and ipFamily
    // to it), and with it everything in the cluster.
    "eks:index:Cluster": {
        properties: [
            "name",
            "serviceRole",
            "bootstrapSelfManagedAddons",
            "kubernetesServiceIpAddressRange",
            "ipFamily",
        ],
        source: `${tf("eks/cluster.go")}, through pulumi/pulumi-eks nodejs/eks/cluster.ts`,
        note: "a remote component: what is replaced is the aws:eks/cluster:Cluster it makes",
    },
    "random:index/randomPassword:RandomPassword": {
        properties: [
            "length",
            "special",
            "upper",
            "lower",
            "numeric",
            "minLower",
            "minUpper",
            "minNumeric",
            "minSpecial",
            "overrideSpecial",
            "keepers",
        ],
        source: "hashicorp/terraform-provider-random internal/provider/resource_password.go (RequiresReplace)",
        note: "every argument",
    },
};

/** A Kubernetes object's type token read: group (`""` for core), version and kind. */
export interface Gvk {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
}

/** `kubernetes:apps/v1:Deployment` as its group, version and kind; undefined for Helm, YAML and providers. */
export function gvkOf(type: string): Gvk | undefined {
    const m = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m || ["helm.sh", "yaml", "kustomize"].includes(m[1])) {
        return undefined;
    }
    return { group: m[1] === "core" ? "" : m[1], version: m[2], kind: m[3] };
}

const KUBERNETES_SOURCE =
    "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNew, forceNewProperties), v4.25.0";

/** A pod's fields whose change replaces a Pod, its containers' included. */
const POD_FIELDS = [
    "spec.affinity",
    "spec.automountServiceAccountToken",
    "spec.dnsConfig",
    "spec.dnsPolicy",
    "spec.enableServiceLinks",
    "spec.hostAliases",
    "spec.hostIPC",
    "spec.hostNetwork",
    "spec.hostPID",
    "spec.hostname",
    "spec.imagePullSecrets",
    "spec.nodeName",
    "spec.nodeSelector",
    "spec.overhead",
    "spec.preemptionPolicy",
    "spec.priority",
    "spec.priorityClassName",
    "spec.readinessGates",
    "spec.restartPolicy",
    "spec.runtimeClassName",
    "spec.schedulerName",
    "spec.securityContext",
    "spec.serviceAccount",
    "spec.serviceAccountName",
    "spec.shareProcessNamespace",
    "spec.subdomain",
    "spec.terminationGracePeriodSeconds",
    "spec.volumes",
    ...["spec.containers[*]", "spec.initContainers[*]"].flatMap((c) =>
        [
            "args",
            "command",
            "env",
            "env.value",
            "image",
            "imagePullPolicy",
            "lifecycle",
            "livenessProbe",
            "ports",
            "readinessProbe",
            "resources",
            "securityContext",
            "stdin",
            "stdinOnce",
            "terminationMessagePath",
            "terminationMessagePolicy",
            "tty",
            "volumeDevices",
            "volumeMounts",
            "workingDir",
        ].map((f) => `${c}.${f}`),
    ),
];

/**
 * Fields whose change replaces an object, by `group/version/kind` (the core group as ""), as
 * pulumi-kubernetes v4.25.0 lists them (provider/pkg/provider/diff.go `forceNew` and
 * `forceNewProperties`). The platform's provider sets neither enableSecretMutable nor
 * enableConfigMapMutable, so a Secret's and a ConfigMap's data replace them too.
 */
const KUBERNETES_FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
    "apps/v1/Deployment": ["spec.selector"],
    "apps/v1/DaemonSet": ["spec.selector"],
    "apps/v1/StatefulSet": [
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ],
    "/v1/ConfigMap": ["binaryData", "data"],
    "/v1/Secret": ["type", "stringData", "data"],
    "/v1/PersistentVolume": [
        "spec.awsElasticBlockStore",
        "spec.azureDisk",
        "spec.azureFile",
        "spec.cephfs",
        "spec.cinder",
        "spec.csi",
        "spec.fc",
        "spec.flexVolume",
        "spec.flocker",
        "spec.gcePersistentDisk",
        "spec.glusterfs",
        "spec.hostPath",
        "spec.iscsi",
        "spec.local",
        "spec.nfs",
        "spec.photonPersistentDisk",
        "spec.portworxVolume",
        "spec.quobyte",
        "spec.rbd",
        "spec.scaleIO",
        "spec.storageos",
        "spec.vsphereVolume",
    ],
    "/v1/PersistentVolumeClaim": ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
    "/v1/Pod": POD_FIELDS,
    "/v1/ResourceQuota": ["spec.scopes"],
    "/v1/Service": ["spec.clusterIP"],
    "policy/v1beta1/PodDisruptionBudget": ["spec"],
    "rbac.authorization.k8s.io/v1/RoleBinding": ["roleRef"],
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ["roleRef"],
    "storage.k8s.io/v1/StorageClass": ["parameters", "provisioner"],
    "batch/v1/Job": ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
};

/** The replace-on-change rule of a Kubernetes kind: its name and namespace, and the provider's fields. */
export function kubernetesReplaceRule(gvk: Gvk): ReplaceRule {
    const own = KUBERNETES_FORCE_NEW[`${gvk.group}/${gvk.version}/${gvk.kind}`] ?? [];
    return {
        properties: ["metadata.name", "metadata.namespace", ...own],
        source: KUBERNETES_SOURCE,
        note: "an object keeping its name is deleted before it is created again (the provider's DeleteBeforeReplace)",
    };
}

/** Helm releases: a new name or namespace is a new release (pulumi-kubernetes provider/pkg/provider/helm_release.go). */
const HELM_RELEASE_RULE: ReplaceRule = {
    properties: ["name", "namespace"],
    source: "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go (Diff), v4.25.0",
};

/**
 * The kubernetes provider itself: replaced (and every object it manages with it) when its
 * kubeconfig is only known after apply or points at another cluster or context.
 */
const KUBERNETES_PROVIDER_RULE: ReplaceRule = {
    properties: ["kubeconfig", "context", "cluster", "renderYamlToDirectory", "clusterIdentifier"],
    source: "pulumi/pulumi-kubernetes provider/pkg/provider/provider.go (DiffConfig), v4.25.0",
    note: "offline the kubeconfig is a secret, so only one that comes from a replaced cluster is seen",
};

/** The replace-on-change rule of a type, or undefined when nothing is known about it (only `replaceOnChanges` counts). */
export function replaceRuleOf(type: string): ReplaceRule | undefined {
    if (type === "kubernetes:helm.sh/v3:Release") {
        return HELM_RELEASE_RULE;
    }
    if (type === "pulumi:providers:kubernetes") {
        return KUBERNETES_PROVIDER_RULE;
    }
    const gvk = gvkOf(type);
    return gvk ? kubernetesReplaceRule(gvk) : AWS_REPLACE_RULES[type];
}

/** Why losing a resource of a type loses something: data, keys, or everything inside it. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
    "aws:ec2/vpc:Vpc": "every subnet, node, load balancer and endpoint of the environment is in it",
    "aws:ec2/subnet:Subnet": "the nodes, pods (VPC CNI addresses) and load balancers in it are moved or rebuilt",
    "aws:kms/key:Key": "what it encrypted (EKS secrets, logs) cannot be read once the key is gone",
    "aws:cloudwatch/logGroup:LogGroup": "its logs (flow logs, control-plane audit logs) are deleted with it",
    "aws:route53/zone:Zone": "its records are lost and every name in it stops resolving",
    "eks:index:Cluster": "every workload and Kubernetes object of the environment runs in it",
    "aws:eks/cluster:Cluster": "every workload and Kubernetes object of the environment runs in it",
    "aws:eks/nodeGroup:NodeGroup":
        "its nodes are drained and replaced, and with a fixed nodeGroupName the new group's create collides with the old one",
    "kubernetes:core/v1:Namespace": "every object in the namespace is deleted with it",
    "kubernetes:core/v1:PersistentVolumeClaim": "its volume's data",
    "kubernetes:core/v1:Secret": "its keys or passwords",
    "kubernetes:cert-manager.io/v1:Certificate":
        "its Secret (the private key) goes with it; for the environment's CA, every certificate it signed stops being trusted",
    "kubernetes:helm.sh/v3:Release":
        "uninstalling a chart removes what it made: CRDs (and every object of them), istiod, the gateway, Prometheus' data",
    "random:index/randomPassword:RandomPassword": "the generated password changes (Grafana's admin password)",
};
