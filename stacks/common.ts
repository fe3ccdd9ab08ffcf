import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CertManager } from "../components/certificates";
import { Cluster, ExternalDns, LoadBalancerController } from "../components/cluster";
import { Owner } from "../components/conventions";
import { ISTIO_NAMESPACE, Istio } from "../components/mesh";
import { Observability } from "../components/observability";
import { kubernetesProvider } from "../infra/providers";
import { CommonConfig } from "../infra/schema";
import { GlobalOutputs, environmentOf } from "./global-outputs";
import { CommonOutputs } from "./common-outputs";
import { StackOutputs } from "./outputs";

// The layer's outputs are defined apart (reading them loads no cloud SDK) and re-exported with the layer.
export { COMMON_OUTPUTS } from "./common-outputs";
export type { CommonOutputs } from "./common-outputs";

/** What the common layer is given besides its config. */
export interface CommonInputs {
    /** The global stack's outputs: network and environment settings. */
    readonly global: GlobalOutputs;
    /** Makes the environment's aws provider, owner-service `common`; called only with clusterMode eks. */
    readonly aws: () => aws.Provider;
}

/**
 * Deploys the common layer: what more than one service shares. The EKS cluster in the global
 * stack's private subnets (or an existing cluster, `clusterMode: existing`), the kubernetes
 * provider from its kubeconfig, the Istio mesh, Prometheus, Grafana, Jaeger, metrics-server and cert-manager;
 * returns exactly the CommonOutputs.
 */
export function deployCommon(config: CommonConfig, inputs: CommonInputs): StackOutputs<CommonOutputs> {
    const { global } = inputs;
    const owner: Owner = { environment: environmentOf(global), service: "common" };
    const cluster = config.clusterMode === "existing" ? existingCluster(config) : eksCluster(config, inputs, owner);
    const k8s = kubernetesProvider("kubernetes", cluster.kubeconfig);
    // The AWS side of ingress, only on the EKS cluster this stack owns (docs/common.md, "Ingress").
    const loadBalancerController: pulumi.Resource[] = [];
    if (cluster.eks !== undefined) {
        const region = owner.environment.region;
        const controller = new LoadBalancerController("load-balancer-controller", {
            providers: { kubernetes: k8s },
            clusterName: cluster.clusterName,
            region,
            vpcId: global.vpcId,
            dependsOn: [...cluster.ready, ...cluster.eks.loadBalancerControllerAccess],
            chartMirror: config.chartMirror,
        });
        loadBalancerController.push(controller.release);
        new ExternalDns("external-dns", {
            owner,
            clusterName: cluster.clusterName,
            zone: { id: global.privateZoneId, name: global.privateZoneName },
            ownerId: cluster.clusterName,
            region,
            providers: { aws: cluster.eks.awsProvider, kubernetes: k8s },
            dependsOn: cluster.ready,
            chartMirror: config.chartMirror,
        });
    }

    // Default providers are disabled: random gets an explicit one, made only when a password is generated.
    const grafanaAdminPassword =
        config.grafanaAdminPassword ??
        new random.RandomPassword(
            "grafana-admin-password",
            { length: 32, special: false },
            { provider: new random.Provider("random", {}) },
        ).result;

    const observability = new Observability("observability", {
        owner,
        providers: { kubernetes: k8s },
        dependsOn: cluster.ready,
        grafanaAdminPassword,
        prometheusRetention: config.prometheusRetention,
        prometheusStorageSize: config.prometheusStorageSize,
        istioNamespace: ISTIO_NAMESPACE,
        chartMirror: config.chartMirror,
        storage: config.clusterMode === "existing" ? "cluster-default" : "ebs-gp3",
    });
    const mesh = new Istio("istio", {
        owner,
        providers: { kubernetes: k8s },
        // The gateway's Service passes the controller's webhook and gets its NLB from it.
        dependsOn: [...cluster.ready, ...loadBalancerController],
        revision: config.meshRevision,
        canaryRevision: config.meshCanaryRevision,
        outboundTrafficPolicy: config.meshOutboundTrafficPolicy,
        tracingSamplingPercentage: config.tracingSamplingPercentage,
        collector: observability.jaegerCollector,
        gatewayScheme: config.gatewayScheme,
        gatewaySourceRanges: config.gatewaySourceRanges.length > 0 ? config.gatewaySourceRanges : [global.vpcCidr],
        gatewayReplicas: config.gatewayReplicas,
        istiodReplicas: config.istiodReplicas,
        chartMirror: config.chartMirror,
        istiodWebhooks: config.istiodWebhooks,
    });

    // Certificates of the exposed hosts; its ServiceMonitor needs the Prometheus operator's CRDs.
    const certificates = new CertManager("cert-manager", {
        owner,
        providers: { kubernetes: k8s },
        mode: config.certManager,
        issuer: config.certificateIssuer,
        zoneName: global.privateZoneName,
        webhookHost: config.certManagerWebhookHost,
        chartMirror: config.chartMirror,
        dependsOn: [...cluster.ready, observability],
    });

    return {
        ...clusterOutputs(cluster),
        meshRevision: mesh.revision,
        meshCanaryRevision: mesh.canaryRevision,
        istioNamespace: mesh.istioNamespace,
        gatewayNamespace: mesh.gatewayNamespace,
        gatewayName: mesh.gatewayName,
        trustDomain: mesh.trustDomain,
        prometheusUrl: observability.prometheusUrl,
        grafanaUrl: observability.grafanaUrl,
        jaegerCollectorEndpoint: observability.jaegerCollectorEndpoint,
        certificateIssuer: certificates.issuerName,
    };
}

/** The cluster half of the common outputs, and what the mesh and observability wait for. */
interface ClusterHandle {
    readonly clusterName: pulumi.Input<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly oidcProviderUrl: pulumi.Input<string>;
    readonly clusterSecurityGroupId: pulumi.Input<string>;
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
function clusterOutputs(cluster: Omit<ClusterHandle, "ready" | "eks">) {
    const { clusterName, kubeconfig, oidcProviderArn, oidcProviderUrl, clusterSecurityGroupId } = cluster;
    return { clusterName, kubeconfig, oidcProviderArn, oidcProviderUrl, clusterSecurityGroupId };
}

/** The environment's EKS cluster in the global stack's private subnets. */
function eksCluster(config: CommonConfig, inputs: CommonInputs, owner: Owner): ClusterHandle {
    const { global } = inputs;
    const eksProvider = new eks.Provider("eks", {});
    const awsProvider = inputs.aws();
    const cluster = new Cluster("cluster", {
        owner,
        clusterName: global.clusterName,
        vpcId: global.vpcId,
        privateSubnetIds: global.privateSubnetIds,
        endpointPublicAccess: config.endpointPublicAccess,
        endpointPublicAccessCidrs: config.endpointPublicAccessCidrs,
        access: { adminRoleArns: config.clusterAdminRoleArns, viewerRoleArns: config.clusterViewerRoleArns },
        kmsKeyAdminArns: config.kmsKeyAdminArns,
        logRetentionDays: config.controlPlaneLogRetentionDays,
        nodeGroups: config.nodeGroups,
        scheduledScaling: config.scheduledNodeScaling,
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
function existingCluster(config: CommonConfig): ClusterHandle {
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
        ready: [],
    };
}
