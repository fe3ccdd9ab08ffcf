// Which resources of an environment are protected (`protect`) or retained on delete
// (`retainOnDelete`), as the engine receives them: the whole list, pinned. Each decision and its
// reason is written next to the resource in components/; docs/living-with-an-environment.md
// explains protection and the teardown of a review environment.
import * as assert from "assert";
import { manifestsOf } from "../../plan/plan";
import { devPlan } from "../helpers/dev-plan";

describe("protection: the resources of dev that a delete or a replacement may not take", () => {
    it("protect and retainOnDelete are on exactly these resources (stack, type, name)", async () => {
        const plans = await devPlan();
        const marked = plans.flatMap((p) =>
            p.evaluation.resources
                .filter((r) => r.options.protect || r.options.retainOnDelete)
                .map(
                    (r) =>
                        `${p.config.stack}: ${r.type} ${r.name} -> ${[
                            r.options.protect ? "protect" : "",
                            r.options.retainOnDelete ? "retainOnDelete" : "",
                        ]
                            .filter(Boolean)
                            .join(", ")}`,
                ),
        );
        assert.deepStrictEqual(marked.sort(), [
            "dev-common: aws:cloudwatch/logGroup:LogGroup dev-common-eks-log-group -> protect",
            "dev-common: aws:iam/role:Role dev-common-eks-cluster-role -> protect",
            "dev-common: aws:iam/role:Role dev-common-eks-node-role -> protect",
            "dev-common: aws:kms/key:Key dev-common-eks-log-key -> protect",
            "dev-common: aws:kms/key:Key dev-common-eks-secrets-key -> protect",
            "dev-common: eks:index:Cluster dev-common-eks-cluster -> protect",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-alertmanagerconfigs.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-alertmanagers.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-podmonitors.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-probes.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-prometheusagents.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-prometheuses.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-prometheusrules.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-scrapeconfigs.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-servicemonitors.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prometheus-operator-thanosrulers.monitoring.coreos.com -> retainOnDelete",
            "dev-common: kubernetes:cert-manager.io/v1:Certificate dev-common-ca -> protect",
            "dev-common: kubernetes:core/v1:Namespace cert-manager -> protect",
            "dev-common: kubernetes:core/v1:Namespace istio-system -> protect",
            "dev-common: kubernetes:core/v1:Namespace observability -> protect",
            "dev: aws:cloudwatch/logGroup:LogGroup dev-global-flow-log-group -> protect",
            "dev: aws:ec2/eip:Eip dev-global-nat-eip-0 -> protect",
            "dev: aws:ec2/subnet:Subnet dev-global-private-subnet-0 -> protect",
            "dev: aws:ec2/subnet:Subnet dev-global-private-subnet-1 -> protect",
            "dev: aws:ec2/subnet:Subnet dev-global-private-subnet-2 -> protect",
            "dev: aws:ec2/subnet:Subnet dev-global-public-subnet-0 -> protect",
            "dev: aws:ec2/subnet:Subnet dev-global-public-subnet-1 -> protect",
            "dev: aws:ec2/subnet:Subnet dev-global-public-subnet-2 -> protect",
            "dev: aws:ec2/vpc:Vpc dev-global-vpc -> protect",
            "dev: aws:kms/key:Key dev-global-flow-log-key -> protect",
            "dev: aws:route53/zone:Zone dev-global-private-zone -> protect",
        ]);
    });

    it("no resource of a service stack is protected: destroying a service needs no teardown", async () => {
        const services = (await devPlan()).filter((p) => p.layer === "service");
        assert.deepStrictEqual(
            services.map((p) => p.config.stack),
            ["dev-backend", "dev-frontend", "dev-payment"],
        );
        for (const p of services) {
            assert.deepStrictEqual(
                p.evaluation.resources.filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.name),
                [],
                p.config.stack,
            );
        }
    });

    it("the CA's root Certificate is deleted with propagation orphan, so its Secret (the CA's key) outlives it", async () => {
        const common = (await devPlan()).find((p) => p.config.stack === "dev-common")!;
        const roots = manifestsOf(common.evaluation.resources).filter(
            (m: Record<string, any>) => m.kind === "Certificate" && m.spec.isCA === true,
        );
        assert.deepStrictEqual(
            roots.map((m: Record<string, any>) => [
                m.metadata.name,
                m.spec.secretName,
                m.metadata.annotations["pulumi.com/deletionPropagationPolicy"],
            ]),
            [["dev-common-ca", "dev-common-ca", "orphan"]],
        );
    });
});
