import * as assert from "assert";
import { describeProblem, isConfigError, parseConfig } from "../../../infra/config";
import {
    COMMON_LAYER_NAMESPACES,
    systemNamespaceOwner,
    systemNamespacesText,
} from "../../../components/service/system-namespaces";
import { devPlan } from "../../helpers/dev-plan";

const SERVICE = {
    layer: "service",
    versions: JSON.stringify([{ name: "v1", image: "registry.example.com/app:1.0.0", weight: 100 }]),
};

/** The problems (as printed) that parsing a minimal service stack `stack` reports. */
function problems(stack: string): string[] {
    try {
        parseConfig(stack, SERVICE);
    } catch (err) {
        if (isConfigError(err)) {
            return err.problems.map(describeProblem);
        }
        throw err;
    }
    return [];
}

const ALLOWED =
    "allowed: lower-case letters, digits and single '-', starting with a letter, at most 40 characters, not global, common, default, kube-*, istio-*, cert-manager, observability";

/** The exact message for a service named `name`, which `why` explains. */
function refusal(name: string, why: string): string {
    return `platform:layer = "service": stack "dev-${name}" names the service "${name}", but a service's name is its namespace and ${why}: the service's policies would apply to what runs there and destroying the service would delete the namespace; choose another service name (${ALLOWED})`;
}

describe("service names that are system namespaces (components/service/system-namespaces.ts)", () => {
    const cases: [name: string, why: string][] = [
        ["default", "default is Kubernetes' default namespace"],
        [
            "kube-system",
            "kube-system is a namespace of the common layer (metrics-server, the AWS Load Balancer Controller, ExternalDNS)",
        ],
        [
            "kube-public",
            "kube-public is a system namespace: Kubernetes reserves kube-* for its system namespaces (kube-system, kube-public, kube-node-lease)",
        ],
        [
            "kube-node-lease",
            "kube-node-lease is a system namespace: Kubernetes reserves kube-* for its system namespaces (kube-system, kube-public, kube-node-lease)",
        ],
        ["istio-system", "istio-system is a namespace of the common layer (istiod, the mesh's root namespace)"],
        [
            "istio-ingress",
            "istio-ingress is a namespace of the common layer (the ingress gateway and the exposed hosts' certificates)",
        ],
        [
            "istio-cni",
            "istio-cni is a system namespace: Istio's namespaces are istio-* (istio-system, istio-ingress, and those of its add-ons)",
        ],
        ["observability", "observability is a namespace of the common layer (Prometheus, Grafana and Jaeger)"],
        ["cert-manager", "cert-manager is a namespace of the common layer (cert-manager)"],
    ];
    for (const [name, why] of cases) {
        it(`refuses a service named ${name}, naming the stack, the name and what is allowed`, () => {
            assert.deepStrictEqual(problems(`dev-${name}`), [refusal(name, why)]);
        });
    }

    it("refuses every namespace the common layer's code names, and lists the rule in the message", () => {
        for (const ns of COMMON_LAYER_NAMESPACES.keys()) {
            assert.ok(systemNamespaceOwner(ns), ns);
            assert.strictEqual(problems(`dev-${ns}`).length, 1, ns);
        }
        assert.strictEqual(systemNamespacesText(), "default, kube-*, istio-*, cert-manager, observability");
    });

    it("leaves ordinary service names alone, also ones that only contain a reserved word", () => {
        for (const name of ["backend", "kube", "istio", "my-istio-system", "observability-proxy", "defaults"]) {
            assert.strictEqual(systemNamespaceOwner(name), undefined, name);
            assert.deepStrictEqual(problems(`dev-${name}`), [], name);
        }
    });

    it("every namespace the dev-common plan puts an object or a release into is reserved", async () => {
        const common = (await devPlan()).find((p) => p.layer === "common")!;
        const used = new Set<string>();
        for (const r of common.evaluation.resources) {
            const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
            if (r.type === "kubernetes:core/v1:Namespace" && md?.name) {
                used.add(md.name);
            } else if (typeof md?.namespace === "string") {
                used.add(md.namespace);
            } else if (r.type === "kubernetes:helm.sh/v3:Release" && typeof r.inputs.namespace === "string") {
                used.add(r.inputs.namespace);
            }
        }
        assert.ok(used.size >= 5, [...used].join(", "));
        for (const ns of used) {
            assert.ok(systemNamespaceOwner(ns), `${ns}: the common layer uses it, but a service may take it`);
        }
    });
});
