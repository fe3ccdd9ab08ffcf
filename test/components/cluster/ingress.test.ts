import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    externalDnsPolicy,
    loadBalancerControllerPolicy,
    loadBalancerControllerValues,
    narrowControllerPolicy,
    podIdentityTrustPolicy,
} from "../../../components/cluster";

describe("ingress add-ons (components/cluster: load-balancer-controller.ts, external-dns.ts)", () => {
    it("trusts only EKS Pod Identity's agent, for this cluster of this account and one service account", () => {
        const scope = {
            accountId: "123456789012",
            partition: "aws-cn",
            region: "cn-north-1",
            clusterName: "dev-common-eks-cluster",
        };
        assert.deepStrictEqual(
            podIdentityTrustPolicy(scope, { namespace: "kube-system", serviceAccount: "external-dns" }),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "pods.eks.amazonaws.com" },
                        Action: ["sts:AssumeRole", "sts:TagSession"],
                        Condition: {
                            StringEquals: {
                                "aws:SourceAccount": "123456789012",
                                "aws:RequestTag/kubernetes-namespace": "kube-system",
                                "aws:RequestTag/kubernetes-service-account": "external-dns",
                            },
                            ArnEquals: {
                                "aws:SourceArn":
                                    "arn:aws-cn:eks:cn-north-1:123456789012:cluster/dev-common-eks-cluster",
                            },
                        },
                    },
                ],
            },
        );
    });

    it("keeps upstream's policy file unchanged and gives the controller that policy with one narrowing: security-group ingress needs the cluster tag", () => {
        const file = path.join(
            __dirname,
            "..",
            "..",
            "..",
            "components",
            "cluster",
            "data",
            "aws-load-balancer-controller-iam-policy.json",
        );
        assert.strictEqual(
            crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
            "16f232c9d9f79366fe949c4550ad517a202380058a9e48d45a4e215044a20a6a",
        );
        const upstream = JSON.parse(fs.readFileSync(file, "utf8"));
        const given = JSON.parse(loadBalancerControllerPolicy());
        const changed = given.Statement.flatMap((st: unknown, i: number) =>
            JSON.stringify(st) === JSON.stringify(upstream.Statement[i]) ? [] : [i],
        );
        assert.deepStrictEqual(changed, [3]);
        assert.strictEqual(given.Statement.length, upstream.Statement.length);
        assert.deepStrictEqual(upstream.Statement[3], {
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: "*",
        });
        assert.deepStrictEqual(given.Statement[3], {
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: "*",
            Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
        });
        // Nothing of the policy grants security-group ingress without the tag any more.
        const ingressWithoutTag = given.Statement.filter(
            (st: any) =>
                [st.Action].flat().includes("ec2:AuthorizeSecurityGroupIngress") &&
                st.Condition?.Null?.["aws:ResourceTag/elbv2.k8s.aws/cluster"] !== "false",
        );
        assert.deepStrictEqual(ingressWithoutTag, []);
    });

    it("refuses to narrow a policy whose target statement is gone or doubled, naming the actions", () => {
        const statement = {
            Effect: "Allow",
            Action: ["ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"],
            Resource: "*",
        };
        assert.deepStrictEqual(narrowControllerPolicy({ Version: "2012-10-17", Statement: [statement] }).Statement, [
            { ...statement, Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } } },
        ]);
        const message =
            'the load balancer controller\'s upstream policy has N unconditioned statements on "*" with exactly ec2:AuthorizeSecurityGroupIngress, ec2:RevokeSecurityGroupIngress (expected 1): review LOAD_BALANCER_CONTROLLER_NARROWINGS against the new file';
        assert.throws(() => narrowControllerPolicy({ Version: "2012-10-17", Statement: [] }), {
            message: message.replace("N", "0"),
        });
        assert.throws(() => narrowControllerPolicy({ Version: "2012-10-17", Statement: [statement, statement] }), {
            message: message.replace("N", "2"),
        });
    });

    it("writes the region's partition into the controller's policy ARNs (aws-cn, aws-us-gov)", () => {
        const upstream = loadBalancerControllerPolicy();
        assert.match(upstream, /"arn:aws:ec2:\*:\*:security-group\/\*"/);
        const china = loadBalancerControllerPolicy("aws-cn");
        assert.doesNotMatch(china, /"arn:aws:/);
        assert.strictEqual(china, upstream.replaceAll('"arn:aws:', '"arn:aws-cn:'));
        assert.strictEqual((china.match(/"arn:aws-cn:/g) ?? []).length, (upstream.match(/"arn:aws:/g) ?? []).length);
    });

    it("gives the controller its region and VPC (no metadata service from pods), two replicas over zones, no ingress class", () => {
        const values = loadBalancerControllerValues({
            clusterName: "dev-common-eks-cluster",
            region: "eu-central-1",
            vpcId: "vpc-1",
        });
        assert.deepStrictEqual(
            [
                values.clusterName,
                values.region,
                values.vpcId,
                values.replicaCount,
                values.podDisruptionBudget,
                values.createIngressClassResource,
            ],
            ["dev-common-eks-cluster", "eu-central-1", "vpc-1", 2, { maxUnavailable: 1 }, false],
        );
    });

    it("lets ExternalDNS change the records of the environment's zone only", () => {
        assert.deepStrictEqual(externalDnsPolicy("Z123", "aws-cn"), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "RecordsOfTheEnvironmentZone",
                    Effect: "Allow",
                    Action: [
                        "route53:ChangeResourceRecordSets",
                        "route53:ListResourceRecordSets",
                        "route53:ListTagsForResources",
                    ],
                    Resource: ["arn:aws-cn:route53:::hostedzone/Z123"],
                },
                { Sid: "FindTheZone", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
            ],
        });
    });
});
