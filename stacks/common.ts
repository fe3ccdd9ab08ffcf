import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CommonConfig } from "../infra/schema";
import { GlobalOutputs } from "./global";
import { OutputDocs, StackOutputs } from "./outputs";

/** The outputs of a common stack (`<env>-common`), read by the environment's service stacks. */
export interface CommonOutputs {
    clusterName: string;
    /** Kubeconfig of the cluster (secret): the service stacks build their kubernetes provider from it. */
    kubeconfig: pulumi.Output<string>;
    oidcProviderArn: string;
    oidcProviderUrl: string;
    clusterSecurityGroupId: string;
    /** The Istio revision of the control plane, e.g. `1-27`; empty when installed without revision. */
    meshRevision: string;
    istioNamespace: string;
    gatewayNamespace: string;
    /** Name of the ingress gateway (its Service and the `istio` label of its pods). */
    gatewayName: string;
    /** The mesh's trust domain, e.g. `cluster.local`: principals are `<trustDomain>/ns/<ns>/sa/<sa>`. */
    trustDomain: string;
    prometheusUrl: string;
    grafanaUrl: string;
    jaegerCollectorEndpoint: string;
}

export const COMMON_OUTPUTS: OutputDocs<CommonOutputs> = {
    clusterName: { kind: "string", description: "Name of the environment's EKS cluster." },
    kubeconfig: { kind: "string", secret: true, description: "Kubeconfig of the cluster (secret)." },
    oidcProviderArn: { kind: "string", description: "ARN of the cluster's IAM OIDC provider (IRSA)." },
    oidcProviderUrl: { kind: "string", description: "Issuer URL of the cluster's OIDC provider." },
    clusterSecurityGroupId: { kind: "string", description: "ID of the cluster security group." },
    meshRevision: { kind: "string", description: "Istio revision of the control plane ('' when none)." },
    istioNamespace: { kind: "string", description: "Namespace of istiod (istio-system)." },
    gatewayNamespace: { kind: "string", description: "Namespace of the ingress gateway (istio-ingress)." },
    gatewayName: { kind: "string", description: "Name of the ingress gateway (Service and `istio` pod label)." },
    trustDomain: { kind: "string", description: "The mesh's trust domain (SPIFFE principals <trustDomain>/ns/<ns>/sa/<sa>)." },
    prometheusUrl: { kind: "string", description: "In-cluster URL of Prometheus." },
    grafanaUrl: { kind: "string", description: "In-cluster URL of Grafana." },
    jaegerCollectorEndpoint: { kind: "string", description: "In-cluster OTLP endpoint of the Jaeger collector." },
};

/** What the common layer is given besides its config. */
export interface CommonInputs {
    /** The global stack's outputs: network and environment settings. */
    readonly global: GlobalOutputs;
    /** The environment's aws provider, owner-service `common`. */
    readonly aws: aws.Provider;
}

/**
 * Deploys the common layer: what more than one service shares.
 * FOUNDATION: only proves the wiring so far; the cluster, mesh and observability (issue
 * "Common layer") fill in the rest.
 */
export async function deployCommon(_config: CommonConfig, inputs: CommonInputs): Promise<StackOutputs<CommonOutputs>> {
    return {
        clusterName: inputs.global.clusterName,
    } as StackOutputs<CommonOutputs>;
}
