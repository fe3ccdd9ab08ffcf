/**
 * The Cluster's config slice: the common stack's keys that configure the EKS cluster it creates
 * (clusterMode eks; none of them is read with an existing cluster). The node groups are checked by
 * the Cluster's own node-group check, the KMS key admins by the KMS keys' own.
 */
import { z } from "zod";
import { LOG_RETENTION_DAYS, checkRetentionDays } from "../cloudwatch";
import { checked, configKey, configSlice, optionalString, wholeNumber } from "../config";
import { keyAdminArnsProblems } from "../kms/policies";
import { KMS_KEY_ADMINS_KEY } from "../kms/config";
import { checkCidr } from "../network/ipv4";
import type { ClusterArgs } from "./cluster";
import { CLUSTER_ACCESS_DEFAULTS, CLUSTER_DEFAULTS } from "./settings";
import { endpointProblem, nodeGroupsProblems, parseNodeGroup, roleArnProblem } from "./specs";
import { KUBERNETES_VERSION, kubernetesVersionProblem } from "./versions";

/** The node group a stack gets when it lists none: dev-sized, on demand. */
export const DEFAULT_NODE_GROUPS = [
    { name: "general", instanceTypes: ["t3.large"], minSize: 2, maxSize: 4, desiredSize: 2, capacityType: "ON_DEMAND" },
];

/** What the common layer passes the Cluster from config. */
export type ClusterConfig = Pick<
    ClusterArgs,
    | "endpointPublicAccess"
    | "endpointPublicAccessCidrs"
    | "access"
    | "kmsKeyAdminArns"
    | "logRetentionDays"
    | "nodeGroups"
    | "scheduledScaling"
    | "kubernetesVersion"
>;

export const CLUSTER_CONFIG = configSlice(
    {
        endpointPublicAccess: configKey(z.boolean(), CLUSTER_DEFAULTS.endpointPublicAccess, {
            description:
                "Whether the cluster's API endpoint is also public (the private endpoint is always on). Needs endpointPublicAccessCidrs.",
        }),
        endpointPublicAccessCidrs: configKey(
            z.array(z.string().check(checked((v: string) => checkCidr(v)))),
            [...CLUSTER_DEFAULTS.endpointPublicAccessCidrs],
            {
                description:
                    'IPv4 CIDRs allowed to reach the public API endpoint, e.g. ["203.0.113.0/24"]; only with endpointPublicAccess; never 0.0.0.0/0, nor blocks that together cover it.',
            },
        ),
        clusterAdminRoleArns: configKey(
            z.array(z.string().check(checked(roleArnProblem))),
            [...CLUSTER_ACCESS_DEFAULTS.adminRoleArns],
            {
                description:
                    "IAM role ARNs with cluster-admin access (EKS access entries, AmazonEKSClusterAdminPolicy).",
            },
        ),
        clusterViewerRoleArns: configKey(
            z.array(z.string().check(checked(roleArnProblem))),
            [...CLUSTER_ACCESS_DEFAULTS.viewerRoleArns],
            { description: "IAM role ARNs with read-only access (EKS access entries, AmazonEKSViewPolicy)." },
        ),
        controlPlaneLogRetentionDays: configKey(
            wholeNumber().check(checked(checkRetentionDays)),
            CLUSTER_DEFAULTS.logRetentionDays,
            { description: `Days CloudWatch keeps the control-plane logs; one of ${LOG_RETENTION_DAYS.join(", ")}.` },
        ),
        // Each group is checked by the Cluster's own node-group check (nodeGroupsProblems) in `settings`.
        nodeGroups: configKey(z.array(z.record(z.string(), z.unknown())), DEFAULT_NODE_GROUPS, {
            description:
                "EKS managed node groups: each {name, instanceTypes (EC2 types <family><generation>[attributes].<size>, e.g. m6i.large), minSize, maxSize, desiredSize, capacityType (ON_DEMAND or SPOT), labels (map, optional), taints (list of {key, value, effect}, optional)}.",
        }),
        scheduledNodeScaling: configKey(z.boolean(), CLUSTER_DEFAULTS.scheduledScaling, {
            description:
                "Scale the node groups to zero at the environment's stopTime and back at its startTime (Monday to Friday), in its timeZone. Keep false for production.",
        }),
        kmsKeyAdminArns: KMS_KEY_ADMINS_KEY,
        kubernetesVersion: configKey(optionalString(kubernetesVersionProblem), CLUSTER_DEFAULTS.kubernetesVersion, {
            description: `Kubernetes minor of the EKS control plane, its node groups and managed add-ons, e.g. 1.34; empty for the pinned ${KUBERNETES_VERSION}. A change moves one minor at a time from the version the stack last deployed (its output kubernetesVersion): control plane, then the add-ons nodes need, the node groups, then CoreDNS and the EBS CSI driver.`,
        }),
    },
    (v, { problems }): ClusterConfig => {
        problems.addAll(
            "",
            [endpointProblem(v.endpointPublicAccess, v.endpointPublicAccessCidrs)].filter((p) => p !== undefined),
        );
        problems.addAll("kmsKeyAdminArns", keyAdminArnsProblems(v.kmsKeyAdminArns));
        problems.addAll("nodeGroups", nodeGroupsProblems(v.nodeGroups));
        return {
            endpointPublicAccess: v.endpointPublicAccess,
            endpointPublicAccessCidrs: v.endpointPublicAccessCidrs,
            access: { adminRoleArns: v.clusterAdminRoleArns, viewerRoleArns: v.clusterViewerRoleArns },
            kmsKeyAdminArns: v.kmsKeyAdminArns,
            logRetentionDays: v.controlPlaneLogRetentionDays,
            nodeGroups: v.nodeGroups.map((g) => parseNodeGroup(g).group),
            scheduledScaling: v.scheduledNodeScaling,
            kubernetesVersion: v.kubernetesVersion,
        };
    },
);
