import * as assert from "assert";
import { POLICIES } from "../../policy/policies";
import { commonStack, globalStack, serviceStack, violations } from "./fixtures";

describe("policy pack (policy/policies.ts)", () => {
    it("has every mandatory policy, each with a unique name and a description", () => {
        assert.deepStrictEqual(
            POLICIES.map((p) => p.name),
            [
                "aws-required-tags",
                "eks-secrets-encryption",
                "eks-control-plane-logs",
                "eks-no-open-public-endpoint",
                "eks-nodes-imdsv2",
                "eks-nodes-imds-hop-limit",
                "cloudwatch-log-group-kms",
                "kms-key-explicit-policy",
                "vpc-flow-logs",
                "iam-trust-source-conditions",
                "eks-node-role-no-cni-policy",
                "iam-no-unconditioned-sg-ingress",
                "k8s-pinned-images",
                "k8s-hardened-security-context",
                "k8s-requests-and-limits",
                "k8s-default-deny-network-policy",
                "k8s-service-not-in-system-namespace",
                "mesh-peer-authentication-strict",
                "mesh-destination-rule-tls",
                "mesh-no-wildcard-allow",
                "mesh-default-deny",
                "mesh-request-authentication-paired",
                "mesh-sidecar-per-namespace",
                "mesh-registry-only-outside-dev",
                "mesh-gateway-https-only",
                "mesh-control-plane-ha",
                "mesh-gateway-certificate",
                "certificate-not-a-ca",
                "no-plaintext-secrets",
                "secret-values-seen",
            ],
        );
        for (const p of POLICIES) {
            // secret-values-seen is no rule: a remediation that changes nothing (policy/secrets.ts).
            assert.strictEqual(p.enforcementLevel, p.name === "secret-values-seen" ? "remediate" : "mandatory", p.name);
            assert.ok(p.description.length > 20, p.name);
        }
    });

    it("a good stack of each layer passes every policy", async () => {
        for (const stack of [globalStack(), commonStack(), serviceStack()]) {
            assert.deepStrictEqual(await violations(stack), []);
        }
    });
});
