import * as pulumi from "@pulumi/pulumi";
import { OutputDocs } from "../outputs";

/** The outputs of a common stack (`<env>-common`), read by the environment's service stacks. */
export interface CommonOutputs {
    clusterName: string;
    /** Kubeconfig of the cluster (secret): the service stacks build their kubernetes provider from it. */
    kubeconfig: pulumi.Output<string>;
    oidcProviderArn: string;
    oidcProviderUrl: string;
    clusterSecurityGroupId: string;
    /**
     * The Kubernetes minor of the EKS cluster, e.g. `1.35` ('' with clusterMode existing): the next
     * update of the stack checks that it moves one minor at a time. Always exported; optional for
     * the readers, as a common stack deployed before it existed lacks it.
     */
    kubernetesVersion?: string;
    /**
     * The environment's data plane, `sidecar` or `ambient` (config `dataPlane`): what the service
     * stacks join. Always exported; optional for the readers, as a common stack deployed before
     * it existed lacks it (read as `sidecar`: layers/service/deploy.ts).
     */
    dataPlane?: string;
    /** The Istio revision of the control plane, e.g. `1-27`; empty when installed without revision. */
    meshRevision: string;
    /** A canary control plane's revision beside meshRevision; empty when there is none. */
    meshCanaryRevision: string;
    /**
     * The mesh's revision tags, tag -> revision (config `meshRevisionTags`). Always exported;
     * optional for the readers, as a common stack deployed before it existed lacks it (no tags).
     */
    meshRevisionTags?: Record<string, string>;
    istioNamespace: string;
    gatewayNamespace: string;
    /**
     * Name of the ingress gateway's release, Service, Deployment and service account
     * (`istio-ingressgateway`), and the value of its pods' `istio` label.
     */
    gatewayName: string;
    /** The mesh's trust domain, e.g. `cluster.local`: principals are `<trustDomain>/ns/<ns>/sa/<sa>`. */
    trustDomain: string;
    prometheusUrl: string;
    grafanaUrl: string;
    jaegerCollectorEndpoint: string;
    /** The ClusterIssuer of the exposed hosts' certificates (each service stack makes its host's Certificate). */
    certificateIssuer: string;
}

export const COMMON_OUTPUTS: OutputDocs<CommonOutputs> = {
    clusterName: {
        kind: "string",
        description: "Name of the environment's EKS cluster ('' with clusterMode existing).",
    },
    kubeconfig: { kind: "string", secret: true, description: "Kubeconfig of the cluster (secret)." },
    oidcProviderArn: {
        kind: "string",
        description: "ARN of the cluster's IAM OIDC provider (IRSA; '' with clusterMode existing).",
    },
    oidcProviderUrl: {
        kind: "string",
        description: "Issuer URL of the cluster's OIDC provider ('' with clusterMode existing).",
    },
    clusterSecurityGroupId: {
        kind: "string",
        description: "ID of the cluster security group ('' with clusterMode existing).",
    },
    kubernetesVersion: {
        kind: "string",
        optional: true,
        description:
            "Kubernetes minor of the EKS cluster, e.g. 1.35 ('' with clusterMode existing); the stack's next update moves it one minor at a time at most (config kubernetesVersion).",
    },
    dataPlane: {
        kind: "string",
        optional: true,
        description:
            "The environment's data plane: sidecar (an Envoy in every pod) or ambient (ztunnel on every node, waypoints for L7); config dataPlane.",
    },
    meshRevision: { kind: "string", description: "Istio revision of the control plane ('' when none)." },
    meshCanaryRevision: {
        kind: "string",
        description:
            "Revision of a canary control plane installed beside it ('' when none); services opt in with useCanaryMeshRevision.",
    },
    meshRevisionTags: {
        kind: "object",
        optional: true,
        description:
            "Istio revision tags, tag -> revision ({} when none); a service stack's meshRevisionTag names one (config meshRevisionTags).",
    },
    istioNamespace: { kind: "string", description: "Namespace of istiod (istio-system)." },
    gatewayNamespace: { kind: "string", description: "Namespace of the ingress gateway (istio-ingress)." },
    gatewayName: {
        kind: "string",
        description:
            "Name of the ingress gateway's Service, Deployment and service account (istio-ingressgateway); its pods carry the label istio=<gatewayName>.",
    },
    trustDomain: {
        kind: "string",
        description: "The mesh's trust domain (SPIFFE principals <trustDomain>/ns/<ns>/sa/<sa>).",
    },
    prometheusUrl: { kind: "string", description: "In-cluster URL of Prometheus." },
    grafanaUrl: { kind: "string", description: "In-cluster URL of Grafana." },
    jaegerCollectorEndpoint: { kind: "string", description: "In-cluster OTLP endpoint of the Jaeger collector." },
    certificateIssuer: {
        kind: "string",
        description:
            "ClusterIssuer of the exposed hosts' certificates (<env>-common-ca-issuer for the environment's own CA, else config certificateIssuer).",
    },
};
