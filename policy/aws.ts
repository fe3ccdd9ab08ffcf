import { ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { NODE_METADATA_HOP_LIMIT } from "../components/cluster/specs";
import { CONTROL_PLANE_LOG_TYPES } from "../components/cluster/versions";
import { coverEveryAddress, isEveryAddress } from "../components/network/ipv4";
import { TAG_KEYS, followsNaming, missingTags } from "../components/conventions";
import { isTaggableAwsType } from "./taggable";
import { decoded, list, obj, policyStatements, readPossiblyUnknown } from "./util";

/**
 * The tags a resource ends up with. The provider's `defaultTags` reach a resource in two ways:
 * under the real engine the aws provider's Check merges them into the resource's `tagsAll`
 * input; offline (the mocks do not run Check) they are on the provider's own inputs, which the
 * policy sees as `args.provider.props.defaultTags` (JSON-encoded by the engine). Both are read;
 * the resource's own `tags` win, as in AWS.
 */
export function effectiveTags(args: Pick<ResourceValidationArgs, "props" | "provider">): Record<string, unknown> {
    const defaults = obj(obj(decoded(args.provider?.props?.defaultTags))?.tags) ?? {};
    return { ...defaults, ...(obj(args.props.tagsAll) ?? {}), ...(obj(args.props.tags) ?? {}) };
}

export const requiredTags: ResourceValidationPolicy = {
    name: "aws-required-tags",
    description: `Every taggable AWS resource carries the nine tags of the project's conventions (README, "Conventions": ${TAG_KEYS.join(", ")}) and its Name follows <env>-<owner-service>-<type>[-<index>].`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isTaggableAwsType(args.type)) {
            return;
        }
        const tags = effectiveTags(args);
        const missing = missingTags(tags);
        if (missing.length > 0) {
            report(`missing tags: ${missing.join(", ")} (all nine are required: ${TAG_KEYS.join(", ")})`);
        }
        const { Name: name, environment: env, "owner-service": owner } = tags;
        if (
            typeof name === "string" &&
            typeof env === "string" &&
            typeof owner === "string" &&
            !followsNaming(name, { env, service: owner })
        ) {
            report(
                `Name "${name}" does not follow ${env}-${owner}-<type>[-<index>] (lower-case letters, digits and '-')`,
            );
        }
    },
};

/**
 * The EKS settings a policy checks, from either shape: the `eks:index:Cluster` component's
 * inputs (what the offline plan records: a remote component's children are not created under
 * the mocks) or the `aws:eks/cluster:Cluster` it creates (what the real engine also shows).
 */
interface EksSettings {
    readonly secretsKeyArn: unknown;
    readonly secretsEncrypted: boolean;
    readonly logTypes: unknown[];
    readonly publicAccess: boolean;
    readonly publicAccessCidrs: unknown[] | undefined;
}

function eksSettings(type: string, props: Record<string, any>): EksSettings | undefined {
    if (type === "eks:index:Cluster") {
        return {
            secretsKeyArn: props.encryptionConfigKeyArn,
            secretsEncrypted: Boolean(props.encryptionConfigKeyArn),
            logTypes: list(props.enabledClusterLogTypes),
            publicAccess: props.endpointPublicAccess !== false,
            publicAccessCidrs: Array.isArray(props.publicAccessCidrs) ? props.publicAccessCidrs : undefined,
        };
    }
    if (type === "aws:eks/cluster:Cluster") {
        const enc = list(props.encryptionConfig).concat(obj(props.encryptionConfig) ? [props.encryptionConfig] : []);
        const secrets = enc.find((e) => list(obj(e)?.resources).includes("secrets"));
        const vpc = obj(props.vpcConfig) ?? {};
        return {
            secretsKeyArn: obj(secrets?.provider)?.keyArn,
            secretsEncrypted: Boolean(obj(secrets?.provider)?.keyArn),
            logTypes: list(props.enabledClusterLogTypes),
            publicAccess: vpc.endpointPublicAccess !== false,
            publicAccessCidrs: Array.isArray(vpc.publicAccessCidrs) ? vpc.publicAccessCidrs : undefined,
        };
    }
    return undefined;
}

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes secrets with a KMS key (envelope encryption).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const eks = eksSettings(args.type, args.props);
        if (eks && !eks.secretsEncrypted) {
            report(
                "Kubernetes secrets are not encrypted with a KMS key: set the cluster's secrets encryption key (encryptionConfigKeyArn)",
            );
        }
    },
};

export const eksControlPlaneLogs: ResourceValidationPolicy = {
    name: "eks-control-plane-logs",
    description: `EKS clusters send all control-plane logs (${CONTROL_PLANE_LOG_TYPES.join(", ")}) to CloudWatch.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const eks = eksSettings(args.type, args.props);
        const missing = eks ? CONTROL_PLANE_LOG_TYPES.filter((t) => !eks.logTypes.includes(t)) : [];
        if (missing.length > 0) {
            report(
                `control-plane logs not enabled: ${missing.join(", ")} (enabledClusterLogTypes must list ${CONTROL_PLANE_LOG_TYPES.join(", ")})`,
            );
        }
    },
};

export const eksPublicEndpoint: ResourceValidationPolicy = {
    name: "eks-no-open-public-endpoint",
    description:
        "An EKS API endpoint is private, or public only to listed CIDRs, never 0.0.0.0/0 (the AWS default when public access is on) nor blocks that together cover it.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const eks = eksSettings(args.type, args.props);
        if (!eks?.publicAccess) {
            return;
        }
        if (eks.publicAccessCidrs === undefined || eks.publicAccessCidrs.length === 0) {
            report(
                "the public API endpoint is open to 0.0.0.0/0 (the default): set endpointPublicAccess: false or list publicAccessCidrs",
            );
        } else if (eks.publicAccessCidrs.some((c) => typeof c === "string" && isEveryAddress(c))) {
            report(
                "the public API endpoint is open to 0.0.0.0/0: list only the CIDRs that need it in publicAccessCidrs, or set endpointPublicAccess: false",
            );
        } else if (coverEveryAddress(eks.publicAccessCidrs.filter((c): c is string => typeof c === "string"))) {
            report(
                `the public API endpoint is open to every address: its publicAccessCidrs (${eks.publicAccessCidrs.join(", ")}) together cover 0.0.0.0/0; list only the CIDRs that need it, or set endpointPublicAccess: false`,
            );
        }
    },
};

export const nodesImdsV2: ResourceValidationPolicy = {
    name: "eks-nodes-imdsv2",
    description: "Nodes require IMDSv2 (metadataOptions.httpTokens = required) through a launch template.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const p = args.props;
        switch (args.type) {
            case "aws:ec2/launchTemplate:LaunchTemplate":
            case "aws:ec2/instance:Instance":
                if (obj(p.metadataOptions)?.httpTokens !== "required") {
                    report(
                        `IMDSv2 is not required: set metadataOptions.httpTokens to "required" (got ${JSON.stringify(obj(p.metadataOptions)?.httpTokens ?? null)})`,
                    );
                }
                return;
            case "aws:eks/nodeGroup:NodeGroup":
                if (!obj(p.launchTemplate)) {
                    report(
                        'the node group has no launch template, so IMDSv2 is not enforced: give it a launchTemplate whose metadataOptions.httpTokens is "required"',
                    );
                }
                return;
            case "eks:index:ManagedNodeGroup":
                if (!obj(p.launchTemplate) && p.enableIMDSv2 !== true) {
                    report(
                        "the node group does not require IMDSv2: set enableIMDSv2: true or give it a launchTemplate that requires it",
                    );
                }
                return;
            case "eks:index:Cluster":
                if (
                    p.skipDefaultNodeGroup !== true &&
                    p.fargate === undefined &&
                    obj(p.nodeGroupOptions)?.enableIMDSv2 !== true
                ) {
                    report(
                        "the cluster's default node group does not require IMDSv2: set skipDefaultNodeGroup: true and add node groups with a launch template that requires it",
                    );
                }
                return;
        }
    },
};

/** The highest IMDS hop limit a node may have: the cluster's own (1), so no pod on the pod network reaches the node's role. */
export const MAX_NODE_HOP_LIMIT = NODE_METADATA_HOP_LIMIT;

export const nodesImdsHopLimit: ResourceValidationPolicy = {
    name: "eks-nodes-imds-hop-limit",
    description: `Launch templates and instances set the IMDS hop limit (metadataOptions.httpPutResponseHopLimit) to at most ${MAX_NODE_HOP_LIMIT}: with 2 or more, any pod can take the node role's credentials.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:ec2/launchTemplate:LaunchTemplate" && args.type !== "aws:ec2/instance:Instance") {
            return;
        }
        const limit = obj(args.props.metadataOptions)?.httpPutResponseHopLimit;
        if (limit === undefined) {
            report(
                `the IMDS hop limit is not set, so the AMI's default applies (2 on EKS-optimized AMIs): set metadataOptions.httpPutResponseHopLimit to ${MAX_NODE_HOP_LIMIT}`,
            );
        } else if (typeof limit !== "number" || limit > MAX_NODE_HOP_LIMIT) {
            report(
                `the IMDS hop limit is ${JSON.stringify(limit)}: pods can reach the instance metadata service and take the node role's credentials; set metadataOptions.httpPutResponseHopLimit to ${MAX_NODE_HOP_LIMIT} and give workloads AWS access through EKS Pod Identity`,
            );
        }
    },
};

export const logGroupKmsEncryption: ResourceValidationPolicy = {
    name: "cloudwatch-log-group-kms",
    description: "Every CloudWatch log group is encrypted with a customer-managed KMS key (kmsKeyId).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:cloudwatch/logGroup:LogGroup") {
            return;
        }
        const keyId = readPossiblyUnknown(args.props, "kmsKeyId");
        if (!keyId.unknown && !keyId.value) {
            report(
                `log group ${JSON.stringify(args.props.name ?? args.name)} is not encrypted with a customer-managed key: set kmsKeyId to a KMS key whose policy lets logs.<region>.amazonaws.com use it for this log group`,
            );
        }
    },
};

export const kmsKeyExplicitPolicy: ResourceValidationPolicy = {
    name: "kms-key-explicit-policy",
    description:
        "Every KMS key has an explicit key policy (not the AWS default, which hands the key to every IAM policy of the account), and no statement of it allows kms:* or *.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:kms/key:Key") {
            return;
        }
        const policy = readPossiblyUnknown(args.props, "policy");
        if (policy.unknown) {
            return; // given, built from values the preview cannot know yet; `pulumi up` checks its statements
        }
        const statements = policyStatements(policy.value);
        if (statements === undefined) {
            report(
                "the key has no explicit key policy, so AWS gives it the default one (every IAM policy of the account may use and manage it): set policy, with named key administrators and the one user of the key",
            );
            return;
        }
        statements.forEach((st, i) => {
            const actions = typeof st.Action === "string" ? [st.Action] : list(st.Action);
            const wide = actions.filter((a) => a === "*" || a === "kms:*");
            if (st.Effect === "Allow" && wide.length > 0) {
                report(
                    `key policy Statement[${i}]${st.Sid ? ` (${st.Sid})` : ""} allows ${wide.join(", ")}: list the actions its principal needs`,
                );
            }
        });
    },
};

export const vpcFlowLogs: StackValidationPolicy = {
    name: "vpc-flow-logs",
    description: "Every VPC has a flow log.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const flowLogs = args.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
        for (const vpc of args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")) {
            // In a preview a new VPC's id is unknown; the flow log then depends on the VPC instead.
            const covered = flowLogs.some(
                (f) =>
                    (vpc.props.id !== undefined && f.props.vpcId === vpc.props.id) ||
                    [...(f.propertyDependencies.vpcId ?? []), ...f.dependencies].some((d) => d.urn === vpc.urn),
            );
            if (!covered) {
                report(`VPC ${vpc.name} has no flow log: add an aws.ec2.FlowLog with its vpcId`, vpc.urn);
            }
        }
    },
};

export const AWS_POLICIES = [
    requiredTags,
    eksSecretsEncryption,
    eksControlPlaneLogs,
    eksPublicEndpoint,
    nodesImdsV2,
    nodesImdsHopLimit,
    logGroupKmsEncryption,
    kmsKeyExplicitPolicy,
    vpcFlowLogs,
];
