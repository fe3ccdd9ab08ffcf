import { InvokeFake, ResourceFake } from "./context";

/** A fake kubeconfig for a cluster: enough for a kubernetes provider under the mocks. */
export function fakeKubeconfig(clusterName: string, region: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: `https://${clusterName}.eks.${region}.amazonaws.com` } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: "aws" } }],
        "current-context": clusterName,
        users: [{ name: "aws", user: {} }],
    });
}

/**
 * Fake outputs of the common layer's resources (EKS, mesh, observability), by type token.
 * `eks:index:Cluster` is a remote component: under the mocks it is one resource without
 * children, and its outputs are what this fake returns.
 */
export const CLUSTER_RESOURCE_FAKES: Record<string, ResourceFake> = {
    "eks:index:Cluster": (name, inputs, ctx) => {
        const clusterName = typeof inputs.name === "string" ? inputs.name : name;
        const oidcId = "FAKEOIDC0123456789";
        return {
            kubeconfigJson: fakeKubeconfig(clusterName, ctx.region),
            clusterSecurityGroupId: `sg-${clusterName}-cluster`,
            nodeSecurityGroupId: `sg-${clusterName}-node`,
            oidcProviderArn: `arn:aws:iam::${ctx.account}:oidc-provider/oidc.eks.${ctx.region}.amazonaws.com/id/${oidcId}`,
            oidcProviderUrl: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${oidcId}`,
            oidcIssuer: `oidc.eks.${ctx.region}.amazonaws.com/id/${oidcId}`,
        };
    },
    "aws:eks/nodeGroup:NodeGroup": (name, inputs) => ({
        resources: [
            {
                autoscalingGroups: [{ name: `eks-${inputs.nodeGroupName ?? name}-asg` }],
                remoteAccessSecurityGroupId: "",
            },
        ],
        status: "ACTIVE",
    }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
    "aws:kms/key:Key": (name) => ({ keyId: `${name}-key-id` }),
    "random:index/randomPassword:RandomPassword": () => ({ result: "fake-generated-password" }),
};

/** Fake invokes the common layer makes, by token. */
export const CLUSTER_INVOKE_FAKES: Record<string, InvokeFake> = {
    // EKS's default version of an add-on for a Kubernetes minor: a made-up build per add-on and minor.
    "aws:eks/getAddonVersion:getAddonVersion": (args) => ({
        addonName: args.addonName,
        kubernetesVersion: args.kubernetesVersion,
        version: `v${args.kubernetesVersion}.0-${args.addonName}-eksbuild.1`,
        id: `${args.addonName}-${args.kubernetesVersion}`,
    }),
};
