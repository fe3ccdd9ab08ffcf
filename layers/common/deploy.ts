import * as aws from "@pulumi/aws";
import { installAddOns } from "@platform/components/addons";
import { Owner } from "@platform/components/conventions";
import { kubernetesProvider } from "../providers";
import { CommonConfig } from "./config";
import { GlobalOutputs, environmentOf } from "../global/outputs";
import { StackOutputs } from "../outputs";
import { CommonOutputs } from "./outputs";
import { COMMON_ADDONS, CommonContext } from "./addons";
import { clusterOutputs, eksCluster, existingCluster } from "./cluster";

/** What the common layer is given besides its config. */
export interface CommonInputs {
    /** The global stack's outputs: network and environment settings. */
    readonly global: GlobalOutputs;
    /** Makes the environment's aws provider, owner-service `common`; called only with clusterMode eks. */
    readonly aws: () => aws.Provider;
    /** This stack's own outputs of its last deployment that the update checks against ({} before the first). */
    readonly deployed?: Pick<CommonOutputs, "kubernetesVersion">;
}

/**
 * Deploys the common layer: what more than one service shares. The EKS cluster in the global
 * stack's private subnets (or an existing cluster, `clusterMode: existing`), the kubernetes
 * provider from its kubeconfig, then the layer's add-ons as its composition declares them
 * (./addons.ts: the load balancer controller and ExternalDNS on EKS, Prometheus, Grafana, Jaeger
 * and metrics-server, the Istio mesh, cert-manager); returns exactly the CommonOutputs.
 */
export function deployCommon(config: CommonConfig, inputs: CommonInputs): StackOutputs<CommonOutputs> {
    const { global } = inputs;
    const owner: Owner = { environment: environmentOf(global), service: "common" };
    const cluster =
        config.clusterMode === "existing"
            ? existingCluster(config)
            : eksCluster(config, global, inputs.aws, owner, inputs.deployed?.kubernetesVersion);
    const context: CommonContext = {
        owner,
        global,
        cluster,
        kubernetes: kubernetesProvider("kubernetes", cluster.kubeconfig),
        chartMirror: config.chartMirror,
        settings: config,
    };
    const addOns = installAddOns(COMMON_ADDONS, context, {
        cluster: cluster.ready,
        "load-balancer-controller-access": cluster.eks?.loadBalancerControllerAccess ?? [],
    });
    const mesh = addOns.istio?.component;
    const observability = addOns.observability?.component;
    const certificates = addOns["cert-manager"]?.component;
    if (mesh === undefined || observability === undefined || certificates === undefined) {
        throw new Error("the common layer's composition installs no mesh, observability or cert-manager");
    }
    return {
        ...clusterOutputs(cluster),
        dataPlane: mesh.dataPlane,
        meshRevision: mesh.revision,
        meshCanaryRevision: mesh.canaryRevision,
        meshRevisionTags: mesh.revisionTags,
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
