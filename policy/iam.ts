import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { NODE_ROLE_SERVICE, VPC_CNI_ROLE_POLICIES } from "../components/cluster/specs";
import { list, obj, policyStatements, readPossiblyUnknown } from "./util";

/**
 * IAM: every trust policy names where its service may act from; the VPC CNI's permissions stay off
 * the nodes' role; no policy grants security-group ingress on every group without a condition.
 * Policy documents are read from JSON strings or objects, as a preview or the mocks give them.
 */

/** A prop that may be unknown in a preview: undefined then (its value is checked by `pulumi up`). */
function known(props: Record<string, any>, key: string): unknown {
    return readPossiblyUnknown(props, key).value;
}

/** A string or a list of strings, as IAM accepts both, as a list. */
function strings(value: unknown): string[] {
    return (typeof value === "string" ? [value] : list(value)).filter((v): v is string => typeof v === "string");
}

/** The condition keys a statement tests, under any operator (`StringEquals`, `ArnLike`, ...), lower-cased. */
function conditionKeys(statement: Record<string, any>): string[] {
    return Object.values(obj(statement.Condition) ?? {}).flatMap((test) =>
        Object.keys(obj(test) ?? {}).map((k) => k.toLowerCase()),
    );
}

/** The service principals that need no source conditions, with why (docs/common.md "IAM"). */
export const TRUST_WITHOUT_SOURCE_CONDITIONS: Readonly<Record<string, string>> = {
    [NODE_ROLE_SERVICE]:
        "EC2 assumes an instance profile's role of this account only, fenced by iam:PassRole; AWS documents no source keys for it",
};

/** The source condition keys every other service trust must test. */
export const TRUST_SOURCE_KEYS = ["aws:SourceAccount", "aws:SourceArn"] as const;

export const trustSourceConditions: ResourceValidationPolicy = {
    name: "iam-trust-source-conditions",
    description: `Every role an AWS service may assume tests ${TRUST_SOURCE_KEYS.join(" and ")} in its trust policy (against the confused deputy), except ${Object.keys(TRUST_WITHOUT_SOURCE_CONDITIONS).join(", ")}.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:iam/role:Role") {
            return;
        }
        const statements = policyStatements(known(args.props, "assumeRolePolicy")) ?? [];
        statements.forEach((st, i) => {
            const services = strings(obj(st.Principal)?.Service).filter((s) => !(s in TRUST_WITHOUT_SOURCE_CONDITIONS));
            if (st.Effect !== "Allow" || services.length === 0) {
                return;
            }
            const keys = conditionKeys(st);
            const missing = TRUST_SOURCE_KEYS.filter((k) => !keys.includes(k.toLowerCase()));
            if (missing.length > 0) {
                report(
                    `trust policy Statement[${i}] lets ${services.join(", ")} assume role ${JSON.stringify(args.props.name ?? args.name)} without ${missing.join(" and ")}: add a Condition with this account (aws:SourceAccount) and the resource that acts (aws:SourceArn, e.g. the cluster's ARN)`,
                );
            }
        });
    },
};

/** The ARN suffix of the VPC CNI's managed policy. */
const CNI_POLICY_SUFFIX = `:policy/${VPC_CNI_ROLE_POLICIES[0]}`;

/** Whether a role trusts EC2 (a node's instance role). */
function trustsEc2(role: PolicyResource): boolean {
    return (policyStatements(known(role.props, "assumeRolePolicy")) ?? []).some(
        (st) => st.Effect === "Allow" && strings(obj(st.Principal)?.Service).includes(NODE_ROLE_SERVICE),
    );
}

export const noCniPolicyOnNodeRole: StackValidationPolicy = {
    name: "eks-node-role-no-cni-policy",
    description: `No role EC2 assumes (a node's role) carries ${VPC_CNI_ROLE_POLICIES[0]}: the VPC CNI gets it through EKS Pod Identity, so no other pod on the host network holds it.`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const roles = args.resources.filter((r) => r.type === "aws:iam/role:Role" && trustsEc2(r));
        for (const role of roles) {
            const roleName = known(role.props, "name") ?? role.name;
            const attached = args.resources.filter(
                (r) =>
                    r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
                    strings(known(r.props, "policyArn")).some((arn) => arn.endsWith(CNI_POLICY_SUFFIX)) &&
                    (known(r.props, "role") === roleName ||
                        (r.propertyDependencies.role ?? []).some((d) => d.urn === role.urn)),
            );
            const managed = strings(known(role.props, "managedPolicyArns")).some((arn) =>
                arn.endsWith(CNI_POLICY_SUFFIX),
            );
            for (const where of [
                ...attached.map((a) => `attachment ${a.name}`),
                ...(managed ? ["managedPolicyArns"] : []),
            ]) {
                report(
                    `node role ${JSON.stringify(roleName)} carries ${VPC_CNI_ROLE_POLICIES[0]} (${where}): give it to a role of kube-system/aws-node through the vpc-cni add-on's podIdentityAssociations instead`,
                    role.urn,
                );
            }
        }
    },
};

/** The security-group ingress actions that must not be granted on every group without a condition. */
export const SECURITY_GROUP_INGRESS_ACTIONS = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"];

/** Whether an IAM action pattern (`ec2:*`, `ec2:AuthorizeSecurityGroup*`, `*`) covers `action`. */
function covers(pattern: string, action: string): boolean {
    const regex = new RegExp(
        `^${pattern
            .split("*")
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
        "i",
    );
    return regex.test(action);
}

/** The policy documents a resource grants: an inline or managed policy's `policy`, a role's `inlinePolicies`. */
function grantedDocuments(type: string, props: Record<string, any>): unknown[] {
    switch (type) {
        case "aws:iam/rolePolicy:RolePolicy":
        case "aws:iam/policy:Policy":
        case "aws:iam/userPolicy:UserPolicy":
        case "aws:iam/groupPolicy:GroupPolicy":
            return [known(props, "policy")];
        case "aws:iam/role:Role":
            return list(known(props, "inlinePolicies")).map((p) => obj(p)?.policy);
        default:
            return [];
    }
}

export const noUnconditionedSecurityGroupIngress: ResourceValidationPolicy = {
    name: "iam-no-unconditioned-sg-ingress",
    description: `No IAM policy allows ${SECURITY_GROUP_INGRESS_ACTIONS.join(" or ")} on every security group ("*") without a Condition (e.g. aws:ResourceTag/elbv2.k8s.aws/cluster).`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        for (const document of grantedDocuments(args.type, args.props)) {
            (policyStatements(document) ?? []).forEach((st, i) => {
                const actions = strings(st.Action).filter((a) =>
                    SECURITY_GROUP_INGRESS_ACTIONS.some((action) => covers(a, action)),
                );
                const everyGroup = strings(st.Resource).includes("*");
                if (st.Effect === "Allow" && actions.length > 0 && everyGroup && st.Condition === undefined) {
                    report(
                        `policy Statement[${i}]${st.Sid ? ` (${st.Sid})` : ""} allows ${actions.join(", ")} on every security group ("*") without a Condition: limit it to the groups it must change, e.g. with Condition Null aws:ResourceTag/elbv2.k8s.aws/cluster = "false"`,
                    );
                }
            });
        }
    },
};

export const IAM_POLICIES = [trustSourceConditions, noCniPolicyOnNodeRole, noUnconditionedSecurityGroupIngress];
