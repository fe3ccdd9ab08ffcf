/**
 * Pure functions of plain data behind the cluster component: validation of node groups and
 * access, access entries, IAM trust policies, launch-template metadata options and the schedule
 * that scales node groups to zero outside working hours. Tests call them directly.
 */

import { coverEveryAddress, isEveryAddress } from "../network/ipv4";
import { Problem, underPath } from "../problems";

/** How the nodes of a group are bought. */
export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

/** Taint effects as the EKS node group API spells them. */
export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** A Kubernetes taint on every node of a group. */
export interface NodeTaint {
    readonly key: string;
    /** @default no value */
    readonly value?: string;
    readonly effect: TaintEffect;
}

/** One EKS managed node group. */
export interface NodeGroupSpec {
    /** Short name, part of the physical names: `general` -> `dev-common-general-node-group`. */
    readonly name: string;
    /** EC2 instance types, e.g. `["t3.large"]`; several types make SPOT capacity more available. */
    readonly instanceTypes: readonly string[];
    readonly minSize: number;
    readonly maxSize: number;
    /** Nodes at creation, between minSize and maxSize. */
    readonly desiredSize: number;
    readonly capacityType: CapacityType;
    /** Kubernetes labels of the nodes. @default {} */
    readonly labels: Readonly<Record<string, string>>;
    /** Kubernetes taints of the nodes. @default [] */
    readonly taints: readonly NodeTaint[];
}

/** The most nodes one group may ask for (an EKS managed node group quota is 450 nodes). */
export const MAX_NODES_PER_GROUP = 450;

const GROUP_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/**
 * An EC2 instance type, `<family>.<size>`: the family is a series of letters, its generation (a
 * number) and optional attributes (`m5`, `m6i`, `c7gn`, `m7i-flex`, `mac2-m2pro`, the high-memory
 * `u-6tb1`); the size one of AWS's (`nano` to `xlarge`, `<n>xlarge`, `metal`, `metal-<n>xl`).
 */
const INSTANCE_TYPE =
    /^(?:[a-z]+[0-9]+[a-z0-9]*(?:-[a-z0-9]+)?|u-[0-9]+tb[0-9]+)\.(?:nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal|metal-[1-9][0-9]*xl)$/;
const INSTANCE_TYPE_RULE =
    "allowed: an EC2 instance type <family><generation>[attributes].<size>, size one of nano, micro, small, medium, large, xlarge, <n>xlarge, metal or metal-<n>xl, e.g. t3.large, m6i.2xlarge or c7gn.metal";
/** A Kubernetes label key (optional DNS prefix, then a name) and a label value. */
const LABEL_KEY =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_NODES_PER_GROUP;
}

/**
 * Reads one node group from plain data (a config entry), checking every field. Returns the group
 * (with defaults for what is unset) and the problems found; the caller decides how to report them.
 */
export function parseNodeGroup(raw: Readonly<Record<string, unknown>>): { group: NodeGroupSpec; problems: Problem[] } {
    const problems: Problem[] = [];
    const add = (path: string, value: unknown, message: string) => problems.push({ path, value, message });
    const known = ["name", "instanceTypes", "minSize", "maxSize", "desiredSize", "capacityType", "labels", "taints"];
    for (const key of Object.keys(raw)) {
        if (!known.includes(key)) {
            add(key, raw[key], `unknown field; allowed: ${known.join(", ")}`);
        }
    }
    const name = typeof raw.name === "string" ? raw.name : "";
    if (!GROUP_NAME.test(name) || name.length > 20) {
        add(
            "name",
            raw.name,
            "not a node group name; allowed: lower-case letters, digits and single '-', starting with a letter, at most 20 characters, e.g. general",
        );
    }
    const instanceTypes = Array.isArray(raw.instanceTypes) ? raw.instanceTypes : [];
    if (instanceTypes.length === 0 || !instanceTypes.every((t) => typeof t === "string")) {
        add(
            "instanceTypes",
            raw.instanceTypes,
            'not a list of EC2 instance types; allowed: at least one, e.g. ["t3.large"] or ["m6i.large", "m5.large"]',
        );
    } else {
        instanceTypes.forEach((t: string, i) => {
            if (!INSTANCE_TYPE.test(t)) {
                add(`instanceTypes[${i}]`, t, `not an EC2 instance type; ${INSTANCE_TYPE_RULE}`);
            }
        });
    }
    const counts: Record<"minSize" | "maxSize" | "desiredSize", number> = { minSize: 0, maxSize: 0, desiredSize: 0 };
    for (const field of ["minSize", "maxSize", "desiredSize"] as const) {
        const v = raw[field];
        if (isCount(v)) {
            counts[field] = v;
        } else {
            add(field, v, `not a node count; allowed: a whole number from 0 to ${MAX_NODES_PER_GROUP}`);
        }
    }
    const { minSize, maxSize, desiredSize } = counts;
    const countsOk = ["minSize", "maxSize", "desiredSize"].every((f) => isCount(raw[f]));
    if (countsOk) {
        if (maxSize < 1) {
            add("maxSize", maxSize, "a node group needs room for at least one node; allowed: 1 or more");
        }
        if (minSize > maxSize) {
            add("minSize", minSize, `greater than maxSize (${maxSize}); allowed: minSize <= desiredSize <= maxSize`);
        } else if (desiredSize < minSize || desiredSize > maxSize) {
            add(
                "desiredSize",
                desiredSize,
                `outside minSize..maxSize (${minSize}..${maxSize}); allowed: minSize <= desiredSize <= maxSize`,
            );
        }
    }
    const capacity = raw.capacityType ?? "ON_DEMAND";
    if (!(CAPACITY_TYPES as readonly unknown[]).includes(capacity)) {
        add("capacityType", capacity, `unknown capacity type; allowed: ${CAPACITY_TYPES.join(", ")}`);
    }
    const labels: Record<string, string> = {};
    if (raw.labels !== undefined && !isObject(raw.labels)) {
        add("labels", raw.labels, 'not a map of Kubernetes labels; allowed: e.g. {"workload": "general"}');
    } else {
        for (const [k, v] of Object.entries(raw.labels ?? {})) {
            if (!LABEL_KEY.test(k) || typeof v !== "string" || !LABEL_VALUE.test(v)) {
                add(
                    `labels.${k}`,
                    v,
                    "not a Kubernetes label; allowed: a label key and a value of at most 63 letters, digits, '-', '_' and '.'",
                );
            } else {
                labels[k] = v;
            }
        }
    }
    const taints: NodeTaint[] = [];
    if (raw.taints !== undefined && !Array.isArray(raw.taints)) {
        add(
            "taints",
            raw.taints,
            'not a list of taints; allowed: e.g. [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}]',
        );
    } else {
        ((raw.taints as unknown[] | undefined) ?? []).forEach((t, i) => {
            const ok =
                isObject(t) &&
                typeof t.key === "string" &&
                LABEL_KEY.test(t.key) &&
                (t.value === undefined || (typeof t.value === "string" && LABEL_VALUE.test(t.value))) &&
                (TAINT_EFFECTS as readonly unknown[]).includes(t.effect);
            if (ok) {
                const taint = t as { key: string; value?: string; effect: TaintEffect };
                taints.push({
                    key: taint.key,
                    ...(taint.value === undefined ? {} : { value: taint.value }),
                    effect: taint.effect,
                });
            } else {
                add(
                    `taints[${i}]`,
                    t,
                    `not a taint; allowed: {key, value (optional), effect} with effect one of ${TAINT_EFFECTS.join(", ")}`,
                );
            }
        });
    }
    return {
        group: {
            name,
            instanceTypes: instanceTypes.filter((t): t is string => typeof t === "string"),
            minSize,
            maxSize,
            desiredSize,
            capacityType: (CAPACITY_TYPES as readonly unknown[]).includes(capacity)
                ? (capacity as CapacityType)
                : "ON_DEMAND",
            labels,
            taints,
        },
        problems,
    };
}

/**
 * Every problem of a list of node groups, at `[i].<field>`: at least one group, each group's
 * fields (parseNodeGroup), names unique. The config layer and the Cluster component both call it.
 */
export function nodeGroupsProblems(groups: readonly Readonly<Record<string, unknown>>[]): Problem[] {
    const problems: Problem[] = [];
    if (groups.length === 0) {
        problems.push({ path: "", value: [...groups], message: "at least one node group is needed" });
    }
    const seen = new Set<string>();
    groups.forEach((raw, i) => {
        const { group, problems: own } = parseNodeGroup(raw);
        problems.push(...underPath(`[${i}]`, own));
        if (group.name !== "" && seen.has(group.name)) {
            problems.push({
                path: `[${i}].name`,
                value: group.name,
                message: "another node group has this name; names must be unique",
            });
        }
        seen.add(group.name);
    });
    return problems;
}

/** An IAM role ARN in any partition: `arn:aws:iam::123456789012:role/path/name`. */
const ROLE_ARN = /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** Why `arn` is not an IAM role ARN, or undefined when it is one. */
export function roleArnProblem(arn: string): string | undefined {
    return ROLE_ARN.test(arn)
        ? undefined
        : "not an IAM role ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins";
}

/** The AWS partition of an ARN (`aws`, `aws-cn`, ...). */
export function partitionOf(arn: string): string {
    return arn.split(":")[1] ?? "aws";
}

/** The AWS partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`. */
export function partitionOfRegion(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/**
 * The problem with the API endpoint settings, or undefined: a public endpoint needs listed CIDRs,
 * none of them the whole internet.
 */
export function endpointProblem(publicAccess: boolean, publicAccessCidrs: readonly string[]): Problem | undefined {
    if (publicAccess && publicAccessCidrs.length === 0) {
        return {
            path: "endpointPublicAccess",
            value: true,
            message:
                "a public API endpoint needs the CIDRs allowed to reach it; list them in endpointPublicAccessCidrs, or set endpointPublicAccess to false (the private endpoint is always on)",
        };
    }
    const open = publicAccessCidrs.filter(isEveryAddress);
    if (publicAccess && open.length > 0) {
        return {
            path: "endpointPublicAccessCidrs",
            value: [...publicAccessCidrs],
            message: `${open.join(", ")} opens the public API endpoint to the whole internet; list only your own networks' CIDRs (the policy pack refuses it too)`,
        };
    }
    if (publicAccess && coverEveryAddress(publicAccessCidrs)) {
        return {
            path: "endpointPublicAccessCidrs",
            value: [...publicAccessCidrs],
            message:
                "together these blocks cover every IPv4 address (0.0.0.0/0), which opens the public API endpoint to the whole internet; list only your own networks' CIDRs (the policy pack refuses it too)",
        };
    }
    if (!publicAccess && publicAccessCidrs.length > 0) {
        return {
            path: "endpointPublicAccessCidrs",
            value: [...publicAccessCidrs],
            message:
                "CIDRs are listed but the public endpoint is off; set endpointPublicAccess to true to use them, or remove them",
        };
    }
    return undefined;
}

/** Who may use the cluster's API, by IAM role. */
export interface ClusterAccess {
    /** Roles with cluster-admin (AmazonEKSClusterAdminPolicy, cluster scope). */
    readonly adminRoleArns: readonly string[];
    /** Roles with read-only access (AmazonEKSViewPolicy, cluster scope). */
    readonly viewerRoleArns: readonly string[];
}

/** An access entry as `eks.Cluster` takes it (plain data). */
export interface AccessEntrySpec {
    readonly principalArn: string;
    readonly type: "STANDARD";
    readonly accessPolicies: Record<string, { policyArn: string; accessScope: { type: "cluster" } }>;
}

/**
 * The cluster's access entries (authentication mode API): one per role, keyed `admin-<i>` and
 * `viewer-<i>`, each with its EKS access policy in cluster scope.
 * See https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 */
export function accessEntries(access: ClusterAccess): Record<string, AccessEntrySpec> {
    const entry = (arn: string, policy: string): AccessEntrySpec => ({
        principalArn: arn,
        type: "STANDARD",
        accessPolicies: {
            [policy === "AmazonEKSClusterAdminPolicy" ? "cluster-admin" : "view"]: {
                policyArn: `arn:${partitionOf(arn)}:eks::aws:cluster-access-policy/${policy}`,
                accessScope: { type: "cluster" },
            },
        },
    });
    const entries: Record<string, AccessEntrySpec> = {};
    access.adminRoleArns.forEach((arn, i) => (entries[`admin-${i}`] = entry(arn, "AmazonEKSClusterAdminPolicy")));
    access.viewerRoleArns.forEach((arn, i) => (entries[`viewer-${i}`] = entry(arn, "AmazonEKSViewPolicy")));
    return entries;
}

/** An IAM policy document with a stable key order (trust or permissions). */
export interface IamPolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly Record<string, unknown>[];
}

/** Where a role of the cluster may be used from: its account, partition, region and cluster. */
export interface TrustScope {
    readonly accountId: string;
    readonly partition: string;
    readonly region: string;
    readonly clusterName: string;
}

/** The ARN of the cluster of a trust scope (`arn:<partition>:eks:<region>:<account>:cluster/<name>`). */
export function clusterArn(scope: TrustScope): string {
    return `arn:${scope.partition}:eks:${scope.region}:${scope.accountId}:cluster/${scope.clusterName}`;
}

/**
 * A trust policy letting an AWS service principal assume a role, with `condition` when given
 * (stable key order). Every trust policy of the platform passes source conditions, except the
 * nodes' (see nodeRoleTrustPolicy).
 */
export function assumeRolePolicy(
    service: string,
    actions: readonly string[] = ["sts:AssumeRole"],
    condition?: Record<string, Record<string, string>>,
): IamPolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: [...actions],
                ...(condition === undefined ? {} : { Condition: condition }),
            },
        ],
    };
}

/**
 * Trust policy of the cluster's service role: only EKS, and only for this cluster of this account
 * (`aws:SourceAccount`, `aws:SourceArn`), against the confused deputy.
 * See https://docs.aws.amazon.com/eks/latest/userguide/cross-service-confused-deputy-prevention.html
 */
export function clusterRoleTrustPolicy(scope: TrustScope): IamPolicyDocument {
    return assumeRolePolicy("eks.amazonaws.com", ["sts:AssumeRole"], {
        StringEquals: { "aws:SourceAccount": scope.accountId },
        ArnEquals: { "aws:SourceArn": clusterArn(scope) },
    });
}

/**
 * Trust policy of the nodes' instance role: EC2 only, without source conditions. EC2 assumes the
 * role for an instance profile of this account, which only a principal allowed `iam:PassRole` on
 * the role can attach, and AWS documents no `aws:SourceArn`/`aws:SourceAccount` for it; the
 * policy pack names this as its one exception (policy/iam.ts, iam-trust-source-conditions).
 */
export function nodeRoleTrustPolicy(): IamPolicyDocument {
    return assumeRolePolicy(NODE_ROLE_SERVICE);
}

/** The service principal of the nodes' instance role: the one trust without source conditions. */
export const NODE_ROLE_SERVICE = "ec2.amazonaws.com";

/** The service account of a Pod Identity role: the association and the trust policy name the same one. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly serviceAccount: string;
}

/**
 * Trust policy of a role for EKS Pod Identity: the Pod Identity agent assumes it (and tags the
 * session) only for this cluster of this account (`aws:SourceAccount`, `aws:SourceArn` the
 * cluster's ARN) and only for the one service account (the session tags
 * `kubernetes-namespace` and `kubernetes-service-account` the agent sets), so another
 * association, in this cluster or another, cannot reuse the role.
 * See https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html and pod-id-abac.html
 */
export function podIdentityTrustPolicy(scope: TrustScope, subject: ServiceAccountRef): IamPolicyDocument {
    return assumeRolePolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"], {
        StringEquals: {
            "aws:SourceAccount": scope.accountId,
            "aws:RequestTag/kubernetes-namespace": subject.namespace,
            "aws:RequestTag/kubernetes-service-account": subject.serviceAccount,
        },
        ArnEquals: { "aws:SourceArn": clusterArn(scope) },
    });
}

/** Managed policies of the cluster's service role. */
export const CLUSTER_ROLE_POLICIES = ["AmazonEKSClusterPolicy"] as const;
/** Managed policies of the nodes' instance role. */
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"] as const;
/**
 * Managed policy of the VPC CNI's role (EKS Pod Identity, service account kube-system/aws-node):
 * the CNI's ENI and IP permissions, kept off the node role so no other host-network pod holds them.
 */
export const VPC_CNI_ROLE_POLICIES = ["AmazonEKS_CNI_Policy"] as const;
/** The VPC CNI's service account: its Pod Identity association and trust policy name it. */
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "aws-node" } as const;
/** The EBS CSI controller's service account: its Pod Identity association and trust policy name it. */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" } as const;
/** Managed policy of the EBS CSI driver's role (EKS Pod Identity). */
export const EBS_CSI_ROLE_POLICIES = ["service-role/AmazonEBSCSIDriverPolicy"] as const;

/** The ARN of an AWS managed policy. */
export function managedPolicyArn(name: string, partition = "aws"): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}

/**
 * Instance metadata options of every node: IMDSv2 only (session tokens required), with a hop
 * limit of 1, so the node's role is out of reach of every pod on the pod network: the token's
 * response does not survive the extra hop into a pod's network namespace. Pods that run on the
 * host network (aws-node, kube-proxy, eks-pod-identity-agent, the EBS CSI node plugin) are one
 * hop away and still reach IMDS; workloads get AWS access through EKS Pod Identity instead
 * (docs/common.md "Instance metadata").
 * See https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node
 */
export function nodeMetadataOptions(): {
    httpEndpoint: "enabled";
    httpTokens: "required";
    httpPutResponseHopLimit: number;
} {
    return { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: NODE_METADATA_HOP_LIMIT };
}

/** The IMDS hop limit of the nodes: 1, so IMDS answers the node itself and host-network pods only. */
export const NODE_METADATA_HOP_LIMIT = 1;

/** The working hours of an environment, as the global stack exports them. */
export interface WorkingHours {
    /** IANA time zone, e.g. `Europe/Berlin`. */
    readonly timeZone: string;
    /** `HH:MM`. */
    readonly startTime: string;
    /** `HH:MM`. */
    readonly stopTime: string;
}

/** One scheduled scaling action on a node group's Auto Scaling group. */
export interface ScheduledScaling {
    /** `stop` or `start`. */
    readonly action: "stop" | "start";
    /** Cron recurrence (minute hour day-of-month month day-of-week), in `timeZone`. */
    readonly recurrence: string;
    readonly timeZone: string;
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity: number;
}

/** A cron recurrence at `HH:MM` on the given days. */
export function cronAt(time: string, days: string): string {
    const [hours, minutes] = time.split(":").map(Number);
    return `${minutes} ${hours} * * ${days}`;
}

/**
 * The seed's start-time and stop-time made real for one node group: every day at stop-time it
 * scales to zero, and on working days (Monday to Friday) at start-time it scales back to its
 * configured sizes, both in the environment's time zone. Weekends therefore stay at zero.
 */
export function scheduledScaling(group: NodeGroupSpec, hours: WorkingHours): ScheduledScaling[] {
    return [
        {
            action: "stop",
            recurrence: cronAt(hours.stopTime, "*"),
            timeZone: hours.timeZone,
            minSize: 0,
            maxSize: 0,
            desiredCapacity: 0,
        },
        {
            action: "start",
            recurrence: cronAt(hours.startTime, "MON-FRI"),
            timeZone: hours.timeZone,
            minSize: group.minSize,
            maxSize: group.maxSize,
            desiredCapacity: group.desiredSize,
        },
    ];
}

/**
 * What is wrong with the region given to an add-on's pods (the controller's, ExternalDNS'), or
 * undefined: it must be set, since the pods cannot ask the node's metadata service (hop limit 1).
 */
export function podRegionProblem(region: string): string | undefined {
    return region === ""
        ? "empty; allowed: the environment's AWS region, e.g. eu-central-1 (the pods cannot ask the node for it)"
        : undefined;
}

/** Where ExternalDNS runs: its release, namespace and service account (the association names them). */
export const EXTERNAL_DNS = {
    release: "external-dns",
    namespace: "kube-system",
    serviceAccount: "external-dns",
} as const;

/** Where the controller runs: its release, namespace and service account (the Pod Identity association names them). */
export const LOAD_BALANCER_CONTROLLER = {
    release: "aws-load-balancer-controller",
    namespace: "kube-system",
    serviceAccount: "aws-load-balancer-controller",
} as const;
