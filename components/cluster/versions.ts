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

/** The minor of a Kubernetes version `1.<minor>`, or undefined. */
function minorOf(version: string): number | undefined {
    const m = /^1\.(0|[1-9][0-9]*)$/.exec(version);
    return m === null ? undefined : Number(m[1]);
}

/** How many minors below the pinned one a cluster may still be held at (`kubernetesVersion`). */
export const OLDEST_MINOR_BEHIND = 3;

/**
 * Why `version` cannot be the Kubernetes version of the cluster (config `kubernetesVersion`), or
 * undefined. Allowed: empty (the pinned KUBERNETES_VERSION) or `1.<minor>` from three minors below
 * it up to it: a cluster held back while it is upgraded one minor at a time.
 */
export function kubernetesVersionProblem(version: string): string | undefined {
    if (version === "") {
        return undefined;
    }
    const pinned = minorOf(KUBERNETES_VERSION) ?? 0;
    const range = Array.from({ length: OLDEST_MINOR_BEHIND + 1 }, (_, i) => `1.${pinned - OLDEST_MINOR_BEHIND + i}`);
    const allowed = `allowed: empty (the pinned ${KUBERNETES_VERSION}) or one of ${range.join(", ")}`;
    const minor = minorOf(version);
    if (minor === undefined) {
        return `not a Kubernetes minor version; ${allowed}`;
    }
    if (minor > pinned) {
        return `newer than this release of the platform supports (${KUBERNETES_VERSION}: its charts and add-ons are checked against it); ${allowed}`;
    }
    if (minor < pinned - OLDEST_MINOR_BEHIND) {
        return `more than ${OLDEST_MINOR_BEHIND} minors below the pinned ${KUBERNETES_VERSION}; ${allowed}`;
    }
    return undefined;
}

/**
 * Why the cluster cannot move from `current` (the version its stack last deployed, '' when it
 * never did) to `target` in one update, or undefined: EKS upgrades a control plane one minor at a
 * time and never downgrades one. The message names the steps.
 */
export function kubernetesUpgradeProblem(current: string, target: string): string | undefined {
    const [from, to] = [minorOf(current), minorOf(target)];
    if (from === undefined || to === undefined || to === from || to === from + 1) {
        return undefined;
    }
    if (to < from) {
        return `the cluster runs ${current}, and EKS cannot downgrade a control plane; allowed: ${current}, or a newer minor one at a time`;
    }
    const steps = Array.from({ length: to - from }, (_, i) => `1.${from + 1 + i}`);
    return `the cluster runs ${current}, and EKS upgrades a control plane one minor at a time; allowed: ${current} or 1.${from + 1}. Set kubernetesVersion to each of ${steps.join(", ")} in turn, one pulumi up each (docs/common.md, "Kubernetes upgrades")`;
}
