/**
 * Versions of the cluster, pinned here and nowhere else. Upgrading the control plane is a change
 * of `KUBERNETES_VERSION` (one minor at a time, as EKS requires), reviewed in `pulumi preview`.
 */

/**
 * The EKS Kubernetes minor of every cluster. 1.35 reached EKS on 2026-01-28 and is in standard
 * support until 2027-03 (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 */
export const KUBERNETES_VERSION = "1.35";

/**
 * The EKS managed add-ons every cluster runs. Their versions are left to EKS (the default version
 * for the cluster's Kubernetes minor), so a control-plane upgrade brings compatible add-ons.
 * `aws-ebs-csi-driver` is what lets Prometheus' PersistentVolumeClaims bind on EKS.
 */
export const MANAGED_ADDONS = [
    "vpc-cni",
    "kube-proxy",
    "eks-pod-identity-agent",
    "coredns",
    "aws-ebs-csi-driver",
] as const;
export type ManagedAddon = (typeof MANAGED_ADDONS)[number];

/**
 * Configuration of the VPC CNI add-on: its network policy agent enforces Kubernetes NetworkPolicies
 * (off by default), the L3/L4 fence the service namespaces rely on beside the mesh's policies.
 * See https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

/**
 * The five control-plane log types of EKS; the Cluster enables all of them and the policy pack
 * (aws-eks-control-plane-logs) requires all of them.
 * https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
 */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** One list of retention periods for every log group of the platform. */
export { LOG_RETENTION_DAYS } from "../cloudwatch";
