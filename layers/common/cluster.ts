/**
 * The common layer's foundation: its cluster, the environment's EKS cluster (clusterMode eks) or
 * an existing one given by its kubeconfig, and what its add-ons wait for.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { Cluster, KUBERNETES_VERSION, kubernetesUpgradeProblem } from "@platform/components/cluster";
import { Owner } from "@platform/components/conventions";
import { GlobalOutputs } from "../global/outputs";
import { configError } from "../schema/problems";
import type { CommonConfig } from "./config";

/** The cluster half of the common outputs, and what the mesh and observability wait for. */
export interface ClusterHandle {
    readonly clusterName: pulumi.Input<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly oidcProviderUrl: pulumi.Input<string>;
    readonly clusterSecurityGroupId: pulumi.Input<string>;
    /** The cluster's Kubernetes minor ('' for an existing cluster, whose version is not ours). */
    readonly kubernetesVersion: string;
    readonly ready: readonly pulumi.Resource[];
    /**
     * The EKS side of ingress: the stack's aws provider and what the AWS Load Balancer Controller
     * waits for (its Pod Identity access); undefined for an existing cluster, where neither the
     * controller nor ExternalDNS is installed (docs/common.md, "Ingress").
     */
    readonly eks?: {
        readonly awsProvider: aws.Provider;
        readonly loadBalancerControllerAccess: readonly pulumi.Resource[];
    };
}

/** The cluster's half of the common outputs. */
export function clusterOutputs(cluster: Omit<ClusterHandle, "ready" | "eks">) {
    const { clusterName, kubeconfig, oidcProviderArn, oidcProviderUrl, clusterSecurityGroupId, kubernetesVersion } =
        cluster;
    return { clusterName, kubeconfig, oidcProviderArn, oidcProviderUrl, clusterSecurityGroupId, kubernetesVersion };
}

/**
 * Refuses, before anything is created, a change of the cluster's Kubernetes minor that EKS cannot
 * make in one update: more than one minor up, or down, from `deployed` (the stack's own output
 * `kubernetesVersion` of its last deployment; unset before the first, or from a release that did
 * not export it).
 */
export function checkKubernetesUpgrade(config: CommonConfig, deployed: string | undefined): void {
    const given = config.cluster?.kubernetesVersion ?? "";
    const target = given === "" ? KUBERNETES_VERSION : given;
    const problem = kubernetesUpgradeProblem(deployed ?? "", target);
    if (problem !== undefined) {
        throw configError(config.stack, [
            {
                path: "platform:kubernetesVersion",
                value: given,
                message: given === "" ? `unset: the pinned ${KUBERNETES_VERSION}, but ${problem}` : problem,
            },
        ]);
    }
}

/**
 * The environment's EKS cluster in the global stack's private subnets; `makeAwsProvider` makes the
 * stack's aws provider. `deployed` is the Kubernetes minor the stack last deployed (its output).
 */
export function eksCluster(
    config: CommonConfig,
    global: GlobalOutputs,
    makeAwsProvider: () => aws.Provider,
    owner: Owner,
    deployed?: string,
): ClusterHandle {
    if (config.cluster === undefined) {
        // parseCommonConfig sets it with clusterMode eks; kept as a guard for callers that skip it.
        throw new Error(`stack "${config.stack}": clusterMode eks needs the Cluster's settings`);
    }
    checkKubernetesUpgrade(config, deployed);
    const eksProvider = new eks.Provider("eks", {});
    const awsProvider = makeAwsProvider();
    const cluster = new Cluster("cluster", {
        owner,
        clusterName: global.clusterName,
        vpcId: global.vpcId,
        privateSubnetIds: global.privateSubnetIds,
        ...config.cluster,
        providers: { aws: awsProvider, eks: eksProvider },
    });
    return {
        ...clusterOutputs(cluster),
        ready: cluster.ready,
        eks: { awsProvider, loadBalancerControllerAccess: cluster.loadBalancerControllerAccess },
    };
}

/**
 * An existing cluster, given by its kubeconfig (clusterMode existing): nothing of AWS is created.
 * The outputs keep their names and kinds, so service stacks cannot tell; the EKS-only ones (name,
 * OIDC provider, security group) are empty strings, since this stack owns no EKS cluster.
 */
export function existingCluster(config: CommonConfig): ClusterHandle {
    if (config.kubeconfig === undefined) {
        // parseCommonConfig refuses this; kept as a guard for callers that skip it.
        throw new Error(`stack "${config.stack}": clusterMode existing needs platform:kubeconfig`);
    }
    return {
        clusterName: "",
        kubeconfig: pulumi.secret(config.kubeconfig),
        oidcProviderArn: "",
        oidcProviderUrl: "",
        clusterSecurityGroupId: "",
        kubernetesVersion: "",
        ready: [],
    };
}
