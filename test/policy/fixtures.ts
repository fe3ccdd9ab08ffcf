// Synthetic recorded resources shaped like what the layers produce under the mocks: one good
// stack per layer, which tests copy and break one rule at a time.
import { EnvironmentSettings, ownerTags } from "../../components/conventions";
import { loadBalancerControllerPolicy, nodeRoleTrustPolicy, podIdentityTrustPolicy } from "../../components/cluster";
import { formatPolicyViolation, runPolicies } from "../../plan/policy-run";
import { DEFAULT_OPTIONS, RecordedResource } from "../../plan/recorder";
import { DEV_GLOBAL_OUTPUTS } from "../helpers/fixtures";
import { environmentOf } from "../../layers/global/outputs";

export const DEV: EnvironmentSettings = environmentOf(DEV_GLOBAL_OUTPUTS);

/** The dev cluster of the mocks' account, for trust policies. */
export const DEV_TRUST_SCOPE = {
    accountId: "123456789012",
    partition: "aws",
    region: "eu-central-1",
    clusterName: "dev-common-eks-cluster",
};

/** A recorded resource; `custom` unless a component type (`eks:index:*`) is given. */
export function res(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RecordedResource> = {},
): RecordedResource {
    const remote = type.startsWith("eks:index:");
    return {
        urn: `urn:pulumi:dev::platform::${type}::${name}`,
        type,
        name,
        parent: null,
        dependsOn: [],
        provider: type.startsWith("aws:") ? "aws" : type.startsWith("kubernetes:") ? "k8s" : null,
        custom: !remote,
        remote,
        inputs,
        options: DEFAULT_OPTIONS,
        ...extra,
    };
}

/** The stack's aws provider with the owner's eight tags as defaultTags. */
export function awsProvider(service: string): RecordedResource {
    return res("pulumi:providers:aws", "aws", {
        region: DEV.region,
        defaultTags: { tags: ownerTags({ environment: DEV, service }) },
    });
}

const meta = (name: string, namespace?: string, service = "backend") => ({
    name,
    ...(namespace ? { namespace } : {}),
    labels: {
        environment: "dev",
        "owner-service": service,
        "team-name": "platform-team",
        "app.kubernetes.io/managed-by": "pulumi",
    },
    annotations: { contact: DEV.contact },
});

/** A good global stack: VPC with a flow log, a subnet. */
export function globalStack(): RecordedResource[] {
    return [
        awsProvider("global"),
        res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.20.0.0/16", tags: { Name: "dev-global-vpc" } }),
        res(
            "aws:ec2/subnet:Subnet",
            "private-0",
            {
                cidrBlock: "10.20.0.0/19",
                tags: { Name: "dev-global-private-subnet-0", "kubernetes.io/role/internal-elb": "1" },
            },
            { dependsOn: ["vpc"] },
        ),
        res(
            "aws:ec2/flowLog:FlowLog",
            "flow-log",
            { vpcId: "vpc-id", trafficType: "ALL", tags: { Name: "dev-global-flow-log" } },
            { dependsOn: ["vpc"] },
        ),
        res("aws:kms/key:Key", "flow-log-key", {
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "KeyAdministration",
                        Effect: "Allow",
                        Principal: { AWS: ["arn:aws:iam::123456789012:role/platform-admins"] },
                        Action: ["kms:DescribeKey", "kms:PutKeyPolicy"],
                        Resource: "*",
                    },
                    {
                        Sid: "CloudWatchLogsEncryptThisLogGroup",
                        Effect: "Allow",
                        Principal: { Service: "logs.eu-central-1.amazonaws.com" },
                        Action: ["kms:Encrypt*", "kms:Decrypt*"],
                        Resource: "*",
                    },
                ],
            }),
            tags: { Name: "dev-global-flow-log-key" },
        }),
        res("aws:cloudwatch/logGroup:LogGroup", "flow-log-group", {
            name: "dev-global-flow-log-group",
            kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/flow-log-key",
            tags: { Name: "dev-global-flow-log-group" },
        }),
    ];
}

/** A good common stack: the eks component, its aws cluster, a node group with an IMDSv2 launch template, STRICT mTLS. */
export function commonStack(): RecordedResource[] {
    return [
        awsProvider("common"),
        res("pulumi:providers:kubernetes", "k8s", { kubeconfig: "[secret]" }),
        res("eks:index:Cluster", "cluster", {
            name: "dev-common-eks-cluster",
            encryptionConfigKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/abc",
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            endpointPublicAccess: false,
            endpointPrivateAccess: true,
            skipDefaultNodeGroup: true,
            tags: { Name: "dev-common-eks-cluster" },
        }),
        res("aws:eks/cluster:Cluster", "cluster-eksCluster", {
            name: "dev-common-eks-cluster",
            encryptionConfig: {
                provider: { keyArn: "arn:aws:kms:eu-central-1:123456789012:key/abc" },
                resources: ["secrets"],
            },
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"], subnetIds: ["a", "b"] },
            tags: { Name: "dev-common-eks-cluster" },
        }),
        res("aws:ec2/launchTemplate:LaunchTemplate", "nodes", {
            name: "dev-common-node-launch-template",
            metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
            tags: { Name: "dev-common-node-launch-template" },
        }),
        res("aws:eks/nodeGroup:NodeGroup", "system", {
            nodeGroupName: "dev-common-node-group-0",
            launchTemplate: { id: "lt-id", version: "1" },
            tags: { Name: "dev-common-node-group-0" },
        }),
        // IAM as the Cluster makes it: the nodes' EC2 role without the CNI policy, a Pod Identity
        // role with source conditions, and upstream's conditioned security-group ingress.
        res("aws:iam/role:Role", "node-role", {
            name: "dev-common-eks-node-role",
            assumeRolePolicy: JSON.stringify(nodeRoleTrustPolicy()),
            tags: { Name: "dev-common-eks-node-role" },
        }),
        ...["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"].map((policy) =>
            res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `node-role-${policy}`, {
                role: "dev-common-eks-node-role",
                policyArn: `arn:aws:iam::aws:policy/${policy}`,
            }),
        ),
        res("aws:iam/role:Role", "cni-role", {
            name: "dev-common-vpc-cni-role",
            assumeRolePolicy: JSON.stringify(
                podIdentityTrustPolicy(DEV_TRUST_SCOPE, { namespace: "kube-system", serviceAccount: "aws-node" }),
            ),
            tags: { Name: "dev-common-vpc-cni-role" },
        }),
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cni-role-AmazonEKS_CNI_Policy", {
            role: "dev-common-vpc-cni-role",
            policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        }),
        res("aws:iam/rolePolicy:RolePolicy", "lb-controller-policy", {
            name: "dev-common-lb-controller-policy",
            role: "dev-common-lb-controller-role",
            policy: loadBalancerControllerPolicy(),
        }),
        res("kubernetes:core/v1:Namespace", "istio-system", {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: meta("istio-system", undefined, "common"),
        }),
        // dev may keep ALLOW_ANY (mesh-registry-only-outside-dev).
        res("kubernetes:helm.sh/v3:Release", "istiod", {
            name: "istiod",
            namespace: "istio-system",
            chart: "istiod",
            values: {
                autoscaleEnabled: true,
                autoscaleMin: 2,
                global: { defaultPodDisruptionBudget: { enabled: true } },
                meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } },
            },
        }),
        res("kubernetes:helm.sh/v3:Release", "istio-ingressgateway", {
            name: "istio-ingressgateway",
            namespace: "istio-ingress",
            chart: "oci://ghcr.io/istio/release/charts/gateway",
            values: { autoscaling: { enabled: true, minReplicas: 2 }, podDisruptionBudget: { minAvailable: 1 } },
        }),
        res("kubernetes:security.istio.io/v1:PeerAuthentication", "mesh-mtls", {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: meta("default", "istio-system", "common"),
            spec: { mtls: { mode: "STRICT" } },
        }),
    ];
}

/** A hardened container. */
export function container(name = "backend"): Record<string, unknown> {
    return {
        name,
        image: "ghcr.io/acme/backend:1.4.2",
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        securityContext: {
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
    };
}

/** A good service stack: namespace, Deployment, default deny, allow-from, JWT pairing, NetworkPolicy default deny, Sidecar, mTLS DestinationRule. */
export function serviceStack(): RecordedResource[] {
    return [
        awsProvider("backend"),
        res("pulumi:providers:kubernetes", "k8s", { kubeconfig: "[secret]" }),
        res("kubernetes:core/v1:Namespace", "namespace", {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: meta("backend"),
        }),
        res("kubernetes:apps/v1:Deployment", "deployment", {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta("backend", "backend"),
            spec: {
                replicas: 2,
                selector: { matchLabels: { app: "backend" } },
                template: {
                    metadata: { labels: { app: "backend" } },
                    spec: {
                        serviceAccountName: "backend",
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [container()],
                    },
                },
            },
        }),
        res("kubernetes:security.istio.io/v1:AuthorizationPolicy", "deny-all", {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: meta("allow-nothing", "backend"),
            spec: {},
        }),
        res("kubernetes:security.istio.io/v1:AuthorizationPolicy", "allow-frontend", {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: meta("allow-frontend", "backend"),
            spec: {
                selector: { matchLabels: { app: "backend" } },
                action: "ALLOW",
                rules: [
                    {
                        from: [
                            {
                                source: {
                                    principals: ["cluster.local/ns/frontend/sa/frontend"],
                                    requestPrincipals: ["*"],
                                },
                            },
                        ],
                        to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }],
                    },
                ],
            },
        }),
        res("kubernetes:security.istio.io/v1:RequestAuthentication", "jwt", {
            apiVersion: "security.istio.io/v1",
            kind: "RequestAuthentication",
            metadata: meta("jwt", "backend"),
            spec: {
                selector: { matchLabels: { app: "backend" } },
                jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks" }],
            },
        }),
        res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny-ingress", {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("default-deny-ingress", "backend"),
            spec: { podSelector: {}, policyTypes: ["Ingress"] },
        }),
        res("kubernetes:networking.istio.io/v1:Sidecar", "sidecar", {
            apiVersion: "networking.istio.io/v1",
            kind: "Sidecar",
            metadata: meta("default", "backend"),
            spec: { egress: [{ hosts: ["istio-system/*", "payment/payment.payment.svc.cluster.local"] }] },
        }),
        res("kubernetes:networking.istio.io/v1:Gateway", "gateway", {
            apiVersion: "networking.istio.io/v1",
            kind: "Gateway",
            metadata: meta("backend", "backend"),
            spec: {
                selector: { istio: "istio-ingressgateway" },
                servers: [
                    {
                        port: { number: 443, name: "https", protocol: "HTTPS" },
                        hosts: ["backend.dev.internal.example.com"],
                        tls: { mode: "SIMPLE", credentialName: "backend-tls", minProtocolVersion: "TLSV1_2" },
                    },
                    {
                        port: { number: 80, name: "http", protocol: "HTTP" },
                        hosts: ["backend.dev.internal.example.com"],
                        tls: { httpsRedirect: true },
                    },
                ],
            },
        }),
        res("kubernetes:cert-manager.io/v1:Certificate", "certificate", {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: meta("backend-tls", "istio-ingress"),
            spec: {
                secretName: "backend-tls",
                dnsNames: ["backend.dev.internal.example.com"],
                issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "dev-common-ca-issuer" },
            },
        }),
        res("kubernetes:networking.istio.io/v1:DestinationRule", "destination-rule", {
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: meta("backend", "backend"),
            spec: {
                host: "backend.backend.svc.cluster.local",
                trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" }, loadBalancer: { simple: "LEAST_REQUEST" } },
            },
        }),
    ];
}

/** A copy of `resources` with the inputs of resource `name` replaced by `edit(inputs)`. */
export function edit(resources: RecordedResource[], name: string, change: (inputs: any) => void): RecordedResource[] {
    return resources.map((r) => {
        if (r.name !== name) {
            return r;
        }
        const inputs = JSON.parse(JSON.stringify(r.inputs));
        change(inputs);
        return { ...r, inputs };
    });
}

/** The pack's violations of `resources`, one line each. */
export async function violations(resources: RecordedResource[]): Promise<string[]> {
    return (await runPolicies(resources)).map(formatPolicyViolation);
}
