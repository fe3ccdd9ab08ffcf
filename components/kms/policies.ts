import { Problem } from "../problems";

/**
 * Key policies of the platform's customer-managed KMS keys, as plain data. Every key gets an
 * explicit policy (never the AWS default, which hands the whole key to the account's IAM): named
 * administrators who can manage the key but not use it, and exactly one user per key, the AWS
 * service or role that encrypts with it, limited to its resource by a condition where AWS offers one.
 * See https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */

/** An IAM policy document with a stable key order (serialised as is, so previews don't churn). */
export interface KeyPolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly Record<string, unknown>[];
}

/**
 * What a key administrator may do: read, tag, rotate, re-policy, alias and schedule or cancel the
 * deletion of the key. No cryptographic operation (Encrypt, Decrypt, GenerateDataKey...), and no
 * grant except one for an AWS service acting for them (EKS creates its grant on the cluster's key
 * for the principal that creates the cluster). Listed one by one: no `kms:*`, no wildcards; only
 * actions a key policy can grant (`kms:ListAliases`, for instance, is IAM-only).
 * See https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 */
export const KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
] as const;

/**
 * What CloudWatch Logs needs to encrypt and read back a log group's events (the AWS documented
 * set), only for the log group named in the encryption context.
 */
export const LOGS_KEY_ACTIONS = [
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
] as const;

/** What the EKS cluster role needs for envelope encryption of Kubernetes secrets. */
export const EKS_SECRETS_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"] as const;

/** An IAM role or user ARN in any partition (`arn:aws:iam::123456789012:role/platform-admins`). */
const PRINCIPAL_ARN =
    /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** The example every key-admin message gives. */
const ADMIN_EXAMPLE = "e.g. arn:aws:iam::123456789012:role/platform-admins";

/** Why `arn` cannot administer a key, or undefined when it is an IAM role or user ARN. */
export function keyAdminArnProblem(arn: string): string | undefined {
    if (PRINCIPAL_ARN.test(arn)) {
        return undefined;
    }
    if (/^arn:[^:]+:sts::/.test(arn)) {
        return `an STS session, not an IAM principal (a key policy names the role); allowed: arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, ${ADMIN_EXAMPLE}`;
    }
    if (/^arn:[^:]+:iam::[0-9]{12}:root$/.test(arn)) {
        return `the account root hands the key to every IAM policy of the account; allowed: named roles or users, arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, ${ADMIN_EXAMPLE}`;
    }
    return `not an IAM role or user ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, ${ADMIN_EXAMPLE}`;
}

/**
 * Every problem of a list of key administrators: at least one is needed (AWS refuses a key policy
 * that would lock out the principal creating it, and nobody else could manage the key), each an
 * IAM role or user ARN, none twice.
 */
export function keyAdminArnsProblems(arns: readonly string[]): Problem[] {
    if (arns.length === 0) {
        return [
            {
                path: "",
                value: [],
                message: `at least one key administrator is needed, and the role that runs pulumi up must be one of them (AWS refuses a key policy that locks its creator out); allowed: IAM role or user ARNs, ${ADMIN_EXAMPLE}`,
            },
        ];
    }
    const problems: Problem[] = [];
    arns.forEach((arn, i) => {
        const message = keyAdminArnProblem(arn);
        if (message) {
            problems.push({ path: `[${i}]`, value: arn, message });
        } else if (arns.indexOf(arn) < i) {
            problems.push({ path: `[${i}]`, value: arn, message: "listed twice; each administrator once" });
        }
    });
    return problems;
}

/** The statement that lets the named administrators manage a key (and nothing else). */
export function keyAdminStatement(adminArns: readonly string[]): Record<string, unknown> {
    return {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: [...adminArns] },
        Action: [...KEY_ADMIN_ACTIONS],
        Resource: "*",
    };
}

/** Grants an AWS service makes for its own resources on the admins' behalf (EKS on the secrets key). */
function serviceGrantStatement(adminArns: readonly string[]): Record<string, unknown> {
    return {
        Sid: "KeyAdministrationGrantsForAwsServices",
        Effect: "Allow",
        Principal: { AWS: [...adminArns] },
        Action: ["kms:CreateGrant"],
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    };
}

/** Where a CloudWatch Logs key is used: the log group it encrypts. */
export interface LogGroupKeyScope {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** The log group's name, e.g. `/aws/eks/dev-common-eks-cluster/cluster`. */
    readonly logGroupName: string;
}

/** The ARN of a log group as CloudWatch Logs puts it in the encryption context. */
export function logGroupArn(scope: LogGroupKeyScope): string {
    return `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${scope.logGroupName}`;
}

/**
 * The policy of a key that encrypts one CloudWatch log group: the administrators, and the regional
 * CloudWatch Logs service principal for that log group only (`kms:EncryptionContext:aws:logs:arn`),
 * so no other log group, and no other service, can use the key.
 */
export function logGroupKeyPolicy(adminArns: readonly string[], scope: LogGroupKeyScope): KeyPolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            keyAdminStatement(adminArns),
            {
                Sid: "CloudWatchLogsEncryptThisLogGroup",
                Effect: "Allow",
                Principal: { Service: `logs.${scope.region}.amazonaws.com` },
                Action: [...LOGS_KEY_ACTIONS],
                Resource: "*",
                Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(scope) } },
            },
        ],
    };
}

/**
 * The policy of the key that envelope-encrypts a cluster's Kubernetes secrets: the administrators
 * (who may also let EKS create its grant when they create the cluster), and the cluster's IAM role
 * to encrypt and decrypt with it.
 * See https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 */
export function eksSecretsKeyPolicy(adminArns: readonly string[], clusterRoleArn: string): KeyPolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            keyAdminStatement(adminArns),
            serviceGrantStatement(adminArns),
            {
                Sid: "EksClusterRoleEnvelopeEncryption",
                Effect: "Allow",
                Principal: { AWS: clusterRoleArn },
                Action: [...EKS_SECRETS_KEY_ACTIONS],
                Resource: "*",
            },
        ],
    };
}
