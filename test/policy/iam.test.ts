import * as assert from "assert";
import { clusterRoleTrustPolicy } from "../../components/cluster";
import { DEV_TRUST_SCOPE, commonStack, edit, res, violations } from "./fixtures";

describe("policy pack: IAM (policy/iam.ts)", () => {
    describe("iam-trust-source-conditions", () => {
        it("refuses a service trust without aws:SourceAccount or aws:SourceArn, naming the statement, service and role", async () => {
            const stack = edit(commonStack(), "cni-role", (i) => {
                const doc = JSON.parse(i.assumeRolePolicy);
                delete doc.Statement[0].Condition.ArnEquals;
                i.assumeRolePolicy = JSON.stringify(doc);
            });
            const bare = res("aws:iam/role:Role", "cluster-role", {
                name: "dev-common-eks-cluster-role",
                assumeRolePolicy: {
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" },
                    ],
                },
                tags: { Name: "dev-common-eks-cluster-role" },
            });
            assert.deepStrictEqual(await violations([...stack, bare]), [
                '[iam-trust-source-conditions] aws:iam/role:Role cni-role: trust policy Statement[0] lets pods.eks.amazonaws.com assume role "dev-common-vpc-cni-role" without aws:SourceArn: add a Condition with this account (aws:SourceAccount) and the resource that acts (aws:SourceArn, e.g. the cluster\'s ARN)',
                '[iam-trust-source-conditions] aws:iam/role:Role cluster-role: trust policy Statement[0] lets eks.amazonaws.com assume role "dev-common-eks-cluster-role" without aws:SourceAccount and aws:SourceArn: add a Condition with this account (aws:SourceAccount) and the resource that acts (aws:SourceArn, e.g. the cluster\'s ARN)',
            ]);
        });

        it("passes the cluster role's trust and the nodes' EC2 trust (the one documented exception)", async () => {
            const clusterRole = res("aws:iam/role:Role", "cluster-role", {
                name: "dev-common-eks-cluster-role",
                assumeRolePolicy: JSON.stringify(clusterRoleTrustPolicy(DEV_TRUST_SCOPE)),
                tags: { Name: "dev-common-eks-cluster-role" },
            });
            assert.deepStrictEqual(await violations([...commonStack(), clusterRole]), []);
        });
    });

    describe("eks-node-role-no-cni-policy", () => {
        it("refuses AmazonEKS_CNI_Policy on a role EC2 assumes, attached or managed, and names the way out", async () => {
            const stack = edit(
                [
                    ...commonStack(),
                    res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "node-role-AmazonEKS_CNI_Policy", {
                        role: "dev-common-eks-node-role",
                        policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                    }),
                ],
                "node-role",
                (i) => (i.managedPolicyArns = ["arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy"]),
            );
            assert.deepStrictEqual(await violations(stack), [
                '[eks-node-role-no-cni-policy] aws:iam/role:Role node-role: node role "dev-common-eks-node-role" carries AmazonEKS_CNI_Policy (attachment node-role-AmazonEKS_CNI_Policy): give it to a role of kube-system/aws-node through the vpc-cni add-on\'s podIdentityAssociations instead',
                '[eks-node-role-no-cni-policy] aws:iam/role:Role node-role: node role "dev-common-eks-node-role" carries AmazonEKS_CNI_Policy (managedPolicyArns): give it to a role of kube-system/aws-node through the vpc-cni add-on\'s podIdentityAssociations instead',
            ]);
        });
    });

    describe("iam-no-unconditioned-sg-ingress", () => {
        it("refuses security-group ingress on * without a condition, in inline, managed and role policies, wildcards included", async () => {
            const statement = (Action: unknown) => ({ Effect: "Allow", Action, Resource: "*" });
            const stack = [
                ...commonStack(),
                res("aws:iam/policy:Policy", "wide", {
                    name: "dev-common-wide-policy",
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            statement("ec2:DescribeSecurityGroups"),
                            { ...statement("ec2:AuthorizeSecurityGroup*"), Sid: "Open" },
                        ],
                    }),
                    tags: { Name: "dev-common-wide-policy" },
                }),
                res("aws:iam/role:Role", "inline", {
                    name: "dev-common-inline-role",
                    assumeRolePolicy: JSON.stringify(clusterRoleTrustPolicy(DEV_TRUST_SCOPE)),
                    inlinePolicies: [
                        {
                            name: "p",
                            policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement("ec2:*")] }),
                        },
                    ],
                    tags: { Name: "dev-common-inline-role" },
                }),
            ];
            const upstream = edit(stack, "lb-controller-policy", (i) => {
                const doc = JSON.parse(i.policy);
                delete doc.Statement[3].Condition;
                i.policy = JSON.stringify(doc);
            });
            assert.deepStrictEqual(await violations(upstream), [
                '[iam-no-unconditioned-sg-ingress] aws:iam/rolePolicy:RolePolicy lb-controller-policy: policy Statement[3] allows ec2:AuthorizeSecurityGroupIngress, ec2:RevokeSecurityGroupIngress on every security group ("*") without a Condition: limit it to the groups it must change, e.g. with Condition Null aws:ResourceTag/elbv2.k8s.aws/cluster = "false"',
                '[iam-no-unconditioned-sg-ingress] aws:iam/policy:Policy wide: policy Statement[1] (Open) allows ec2:AuthorizeSecurityGroup* on every security group ("*") without a Condition: limit it to the groups it must change, e.g. with Condition Null aws:ResourceTag/elbv2.k8s.aws/cluster = "false"',
                '[iam-no-unconditioned-sg-ingress] aws:iam/role:Role inline: policy Statement[0] allows ec2:* on every security group ("*") without a Condition: limit it to the groups it must change, e.g. with Condition Null aws:ResourceTag/elbv2.k8s.aws/cluster = "false"',
            ]);
        });
    });
});
