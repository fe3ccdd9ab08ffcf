import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    externalDnsPolicy,
    loadBalancerControllerPolicy,
    loadBalancerControllerValues,
    podIdentityTrustPolicy,
} from "../../../components/cluster";

describe("ingress add-ons (components/cluster: load-balancer-controller.ts, external-dns.ts)", () => {
    it("trusts only EKS Pod Identity's agent, which also tags the session", () => {
        assert.deepStrictEqual(JSON.parse(podIdentityTrustPolicy()), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                },
            ],
        });
    });

    it("gives the controller upstream's policy of its release, unchanged (components/cluster/data/SOURCE.md)", () => {
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
        assert.deepStrictEqual(JSON.parse(loadBalancerControllerPolicy()), JSON.parse(fs.readFileSync(file, "utf8")));
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
