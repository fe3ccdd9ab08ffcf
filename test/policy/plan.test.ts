import * as assert from "assert";
import { devPlan } from "../helpers/dev-plan";
import { formatPolicyViolation, runPolicies } from "../../plan/policy-run";

/**
 * A resource type each policy checks, that dev must have: if a layer stops producing it (a new
 * type token, a component in its place), the policies would pass without looking at anything.
 */
const CHECKED_TYPES: Record<string, string> = {
    "aws-required-tags": "aws:ec2/subnet:Subnet",
    "eks-secrets-encryption, eks-control-plane-logs, eks-no-open-public-endpoint": "eks:index:Cluster",
    "eks-nodes-imdsv2, eks-nodes-imds-hop-limit": "aws:ec2/launchTemplate:LaunchTemplate",
    "cloudwatch-log-group-kms": "aws:cloudwatch/logGroup:LogGroup",
    "kms-key-explicit-policy": "aws:kms/key:Key",
    "mesh-registry-only-outside-dev": "kubernetes:helm.sh/v3:Release",
    "eks-nodes-imdsv2 (node groups)": "aws:eks/nodeGroup:NodeGroup",
    "vpc-flow-logs": "aws:ec2/flowLog:FlowLog",
    "iam-trust-source-conditions": "aws:iam/role:Role",
    "eks-node-role-no-cni-policy": "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "iam-no-unconditioned-sg-ingress": "aws:iam/rolePolicy:RolePolicy",
    "k8s-*": "kubernetes:apps/v1:Deployment",
    "mesh-peer-authentication-strict": "kubernetes:security.istio.io/v1:PeerAuthentication",
    "mesh-destination-rule-tls": "kubernetes:networking.istio.io/v1:DestinationRule",
    "mesh-no-wildcard-allow, mesh-default-deny": "kubernetes:security.istio.io/v1:AuthorizationPolicy",
    "mesh-default-deny (namespaces)": "kubernetes:core/v1:Namespace",
    "mesh-request-authentication-paired": "kubernetes:security.istio.io/v1:RequestAuthentication",
};

describe("policy pack over the dev plan (as pulumi preview --policy-pack policy)", function () {
    it("no stack of dev breaks a policy", async function () {
        const plans = await devPlan();
        const found = plans.flatMap((p) =>
            p.policyViolations.map((v) => `${p.config.stack}: ${formatPolicyViolation(v)}`),
        );
        assert.deepStrictEqual(found, []);
    });

    it("dev has the resources each policy checks, so a pass means something", async function () {
        const plans = await devPlan();
        const types = new Set(plans.flatMap((p) => p.evaluation.resources.map((r) => r.type)));
        const missing = Object.entries(CHECKED_TYPES)
            .filter(([, type]) => !types.has(type))
            .map(([policy, type]) => `${policy}: no ${type}`);
        assert.deepStrictEqual(missing, []);
    });

    it("the dev plan's istiod release is the one mesh-registry-only-outside-dev reads: in another environment, ALLOW_ANY is refused and REGISTRY_ONLY passes", async function () {
        const plans = await devPlan();
        const common = plans.find((p) => p.layer === "common");
        assert.ok(common);
        // The same resources, every environment tag and label saying int instead of dev, with the
        // istiod release's outbound mode set as given (dev's own default may change).
        const asInt = (mode: string) =>
            common.evaluation.resources.map((r) => {
                const inputs = JSON.parse(
                    JSON.stringify(r.inputs).replace(/"environment":"dev"/g, '"environment":"int"'),
                );
                if (r.type === "kubernetes:helm.sh/v3:Release" && /(^|\/)istiod$/.test(inputs.chart)) {
                    inputs.values.meshConfig.outboundTrafficPolicy = { mode };
                }
                return { ...r, inputs };
            });
        const found = async (mode: string) =>
            (await runPolicies(asInt(mode)))
                .filter((v) => v.policy === "mesh-registry-only-outside-dev")
                .map(formatPolicyViolation);
        assert.deepStrictEqual(await found("ALLOW_ANY"), [
            '[mesh-registry-only-outside-dev] kubernetes:helm.sh/v3:Release istiod: istiod release istiod in environment int has meshConfig.outboundTrafficPolicy.mode "ALLOW_ANY": set meshOutboundTrafficPolicy to REGISTRY_ONLY and declare each service\'s external hosts in its externalHosts',
        ]);
        assert.deepStrictEqual(await found("REGISTRY_ONLY"), []);
    });
});
