import * as assert from "assert";
import {
    KEY_ADMIN_ACTIONS,
    eksSecretsKeyPolicy,
    keyAdminArnProblem,
    keyAdminArnsProblems,
    logGroupArn,
    logGroupKeyPolicy,
} from "../../../components/kms";

const ADMINS = ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:user/ops/alice"];
const ALLOWED =
    "allowed: arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins";

describe("KMS key policies (components/kms/policies.ts)", () => {
    it("lets the admins manage the key, never use it: no encrypt, decrypt, data key or wildcard action", () => {
        const statement = logGroupKeyPolicy(ADMINS, {
            partition: "aws",
            region: "eu-central-1",
            accountId: "123456789012",
            logGroupName: "g",
        }).Statement[0];
        assert.deepStrictEqual(statement, {
            Sid: "KeyAdministration",
            Effect: "Allow",
            Principal: { AWS: ADMINS },
            Action: [...KEY_ADMIN_ACTIONS],
            Resource: "*",
        });
        const crypto = KEY_ADMIN_ACTIONS.filter((a) =>
            /\*|Encrypt|Decrypt|GenerateDataKey|CreateGrant|Sign|Verify|Mac/.test(a),
        );
        assert.deepStrictEqual(crypto, []);
    });

    it("lets only the regional CloudWatch Logs principal use a log key, for the one log group in its encryption context", () => {
        const scope = {
            partition: "aws-cn",
            region: "cn-north-1",
            accountId: "123456789012",
            logGroupName: "/aws/eks/dev-common-eks-cluster/cluster",
        };
        assert.strictEqual(
            logGroupArn(scope),
            "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/eks/dev-common-eks-cluster/cluster",
        );
        assert.deepStrictEqual(logGroupKeyPolicy(ADMINS, scope).Statement[1], {
            Sid: "CloudWatchLogsEncryptThisLogGroup",
            Effect: "Allow",
            Principal: { Service: "logs.cn-north-1.amazonaws.com" },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnEquals: {
                    "kms:EncryptionContext:aws:logs:arn":
                        "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/eks/dev-common-eks-cluster/cluster",
                },
            },
        });
        assert.strictEqual(logGroupKeyPolicy(ADMINS, scope).Statement.length, 2);
    });

    it("lets the cluster role use the secrets key and the admins grant it only to AWS services", () => {
        const role = "arn:aws:iam::123456789012:role/dev-common-eks-cluster-role";
        assert.deepStrictEqual(eksSecretsKeyPolicy(ADMINS, role).Statement.slice(1), [
            {
                Sid: "KeyAdministrationGrantsForAwsServices",
                Effect: "Allow",
                Principal: { AWS: ADMINS },
                Action: ["kms:CreateGrant"],
                Resource: "*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
            },
            {
                Sid: "EksClusterRoleEnvelopeEncryption",
                Effect: "Allow",
                Principal: { AWS: role },
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
                Resource: "*",
            },
        ]);
    });

    it("accepts IAM roles and users, with paths and in other partitions", () => {
        for (const arn of [...ADMINS, "arn:aws-us-gov:iam::123456789012:role/a/b/admins"]) {
            assert.strictEqual(keyAdminArnProblem(arn), undefined, arn);
        }
    });

    it("refuses anything else with the exact message: sessions, the account root, groups, short accounts", () => {
        assert.deepStrictEqual(
            keyAdminArnsProblems([
                "arn:aws:sts::123456789012:assumed-role/platform-admins/alice",
                "arn:aws:iam::123456789012:root",
                "arn:aws:iam::123456789012:group/admins",
                "arn:aws:iam::1234:role/admins",
                "arn:aws:iam::123456789012:role/platform-admins",
                "arn:aws:iam::123456789012:role/platform-admins",
            ]),
            [
                {
                    path: "[0]",
                    value: "arn:aws:sts::123456789012:assumed-role/platform-admins/alice",
                    message: `an STS session, not an IAM principal (a key policy names the role); ${ALLOWED}`,
                },
                {
                    path: "[1]",
                    value: "arn:aws:iam::123456789012:root",
                    message: `the account root hands the key to every IAM policy of the account; allowed: named roles or users, arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins`,
                },
                {
                    path: "[2]",
                    value: "arn:aws:iam::123456789012:group/admins",
                    message: `not an IAM role or user ARN; ${ALLOWED}`,
                },
                {
                    path: "[3]",
                    value: "arn:aws:iam::1234:role/admins",
                    message: `not an IAM role or user ARN; ${ALLOWED}`,
                },
                {
                    path: "[5]",
                    value: "arn:aws:iam::123456789012:role/platform-admins",
                    message: "listed twice; each administrator once",
                },
            ],
        );
    });

    it("needs at least one administrator", () => {
        assert.deepStrictEqual(keyAdminArnsProblems([]), [
            {
                path: "",
                value: [],
                message:
                    "at least one key administrator is needed, and the role that runs pulumi up must be one of them (AWS refuses a key policy that locks its creator out); allowed: IAM role or user ARNs, e.g. arn:aws:iam::123456789012:role/platform-admins",
            },
        ]);
    });
});
