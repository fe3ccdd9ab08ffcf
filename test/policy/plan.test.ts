import * as assert from "assert";
import { devPlan } from "../helpers/dev-plan";
import { formatPolicyViolation } from "../helpers/policy-run";

/**
 * A resource type each policy checks, that dev must have: if a layer stops producing it (a new
 * type token, a component in its place), the policies would pass without looking at anything.
 */
const CHECKED_TYPES: Record<string, string> = {
    "aws-required-tags": "aws:ec2/subnet:Subnet",
    "eks-secrets-encryption, eks-control-plane-logs, eks-no-open-public-endpoint": "eks:index:Cluster",
    "eks-nodes-imdsv2": "aws:ec2/launchTemplate:LaunchTemplate",
    "eks-nodes-imdsv2 (node groups)": "aws:eks/nodeGroup:NodeGroup",
    "vpc-flow-logs": "aws:ec2/flowLog:FlowLog",
    "k8s-*": "kubernetes:apps/v1:Deployment",
    "mesh-peer-authentication-strict": "kubernetes:security.istio.io/v1:PeerAuthentication",
    "mesh-destination-rule-tls": "kubernetes:networking.istio.io/v1:DestinationRule",
    "mesh-no-wildcard-allow, mesh-default-deny": "kubernetes:security.istio.io/v1:AuthorizationPolicy",
    "mesh-default-deny (namespaces)": "kubernetes:core/v1:Namespace",
    "mesh-request-authentication-paired": "kubernetes:security.istio.io/v1:RequestAuthentication",
};

describe("policy pack over the dev plan (as pulumi preview --policy-pack policy)", function () {
    this.timeout(120000);

    it("no stack of dev breaks a policy", async function () {
        const plans = await devPlan();
        const found = plans.flatMap((p) => p.policyViolations.map((v) => `${p.config.stack}: ${formatPolicyViolation(v)}`));
        assert.deepStrictEqual(found, []);
    });

    it("dev has the resources each policy checks, so a pass means something", async function () {
        const plans = await devPlan();
        const types = new Set(plans.flatMap((p) => p.evaluation.resources.map((r) => r.type)));
        const missing = Object.entries(CHECKED_TYPES).filter(([, type]) => !types.has(type)).map(([policy, type]) => `${policy}: no ${type}`);
        assert.deepStrictEqual(missing, []);
    });
});
