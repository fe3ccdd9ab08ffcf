// The three enforcement points agree: each service namespace's Sidecar egress and NetworkPolicies
// are compared with the access matrix that the AuthorizationPolicies of the same dev plan give.
import * as assert from "assert";
import { GATEWAY, accessMeshOf, accessPlan, namespaceCaller } from "../plan/access-plan";
import { devPlan } from "./helpers/dev-plan";
import { StackPlan } from "../plan/plan";
import { RecordedResource } from "../plan/recorder";

const SHARED_EGRESS = [
    "istio-system/*",
    "kube-system/kube-dns.kube-system.svc.cluster.local",
    "observability/jaeger.observability.svc.cluster.local",
];

function objects(plan: StackPlan, kind: string): RecordedResource[] {
    return plan.evaluation.resources.filter((r) => r.custom && r.inputs.kind === kind);
}

/** The namespaces a NetworkPolicy admits to the service port (matchExpressions on the namespace name). */
function admitted(policy: RecordedResource): string[] {
    const spec = policy.inputs.spec as {
        ingress?: { from: { namespaceSelector: { matchExpressions: { values: string[] }[] } }[] }[];
    };
    return (spec.ingress ?? [])
        .flatMap((i) => i.from.flatMap((f) => f.namespaceSelector.matchExpressions.flatMap((e) => e.values)))
        .sort();
}

describe("Sidecars and NetworkPolicies match the access matrix (dev plan)", () => {
    let services: StackPlan[];
    /** service -> its callers in the matrix (any method and path allowed), from AuthorizationPolicies alone. */
    const callersOf = new Map<string, Set<string>>();
    /** service -> the external hosts the matrix lets it reach through a ServiceEntry. */
    const externalOf = new Map<string, string[]>();
    before(async () => {
        const plans = await devPlan();
        services = plans.filter((p) => p.layer === "service");
        const plan = accessPlan(plans, accessMeshOf(plans));
        // The services' rows: the shared workloads' (observability.*) are test/plan/shared-access.test.ts's.
        for (const row of plan.rows.filter((r) => r.allowed && !r.to.startsWith("observability."))) {
            callersOf.set(row.to, (callersOf.get(row.to) ?? new Set()).add(row.from));
        }
        for (const row of (plan.outbound ?? []).filter((r) => r.allowed && r.reason.startsWith("ServiceEntry "))) {
            externalOf.set(row.from, [...(externalOf.get(row.from) ?? []), row.host]);
        }
    });

    it("plans every service of dev with one Sidecar and its NetworkPolicies", () => {
        assert.deepStrictEqual(
            services.map((p) => [
                p.config.stack,
                objects(p, "Sidecar").length,
                objects(p, "NetworkPolicy")
                    .map((n) => (n.inputs.metadata as { name: string }).name)
                    .sort(),
            ]),
            [
                ["dev-backend", 1, ["allow-callers", "allow-egress", "allow-prometheus", "default-deny-ingress"]],
                ["dev-frontend", 1, ["allow-callers", "allow-egress", "allow-prometheus", "default-deny-ingress"]],
                ["dev-payment", 1, ["allow-callers", "allow-egress", "allow-prometheus", "default-deny-ingress"]],
            ],
        );
    });

    it("gives each Sidecar egress to exactly the services and external hosts the matrix lets it reach, plus the shared hosts; so does the egress NetworkPolicy", () => {
        for (const plan of services) {
            const service = plan.config.stack.slice("dev-".length);
            const callees = [...callersOf.entries()]
                .filter(([, callers]) => callers.has(service))
                .map(([to]) => to)
                .sort();
            const sidecar = objects(plan, "Sidecar")[0];
            assert.deepStrictEqual(
                (sidecar.inputs.spec as { egress: { hosts: string[] }[] }).egress[0].hosts,
                [
                    ...SHARED_EGRESS,
                    ...callees.map((c) => `${c}/${c}.${c}.svc.cluster.local`),
                    ...(externalOf.get(service) ?? []).map((h) => `./${h}`),
                ],
                service,
            );
            const egress = objects(plan, "NetworkPolicy").find(
                (n) => (n.inputs.metadata as { name: string }).name === "allow-egress",
            )!;
            const rules = (
                egress.inputs.spec as {
                    egress: {
                        to: {
                            namespaceSelector?: { matchExpressions: { values: string[] }[] };
                            podSelector?: unknown;
                        }[];
                    }[];
                }
            ).egress;
            const namespaces = rules.flatMap((r) =>
                r.to
                    .filter((t) => t.namespaceSelector && !t.podSelector)
                    .flatMap((t) => t.namespaceSelector!.matchExpressions[0].values),
            );
            assert.deepStrictEqual(namespaces, ["istio-system", ...callees], service);
            // Of the observability namespace, only Jaeger's pods on the collector's port (trace export).
            assert.deepStrictEqual(
                rules
                    .filter((r) =>
                        r.to.some(
                            (t) =>
                                t.podSelector && t.namespaceSelector?.matchExpressions[0].values[0] === "observability",
                        ),
                    )
                    .map((r) => [r.to, (r as { ports?: unknown }).ports]),
                [
                    [
                        [
                            {
                                namespaceSelector: {
                                    matchExpressions: [
                                        {
                                            key: "kubernetes.io/metadata.name",
                                            operator: "In",
                                            values: ["observability"],
                                        },
                                    ],
                                },
                                podSelector: {
                                    matchLabels: {
                                        "app.kubernetes.io/name": "jaeger",
                                        "app.kubernetes.io/instance": "jaeger",
                                    },
                                },
                            },
                        ],
                        [{ protocol: "TCP", port: 4317 }],
                    ],
                ],
                service,
            );
        }
        // The dev graph as the matrix sees it, so the comparison above cannot pass vacuously.
        assert.deepStrictEqual(
            [...callersOf.entries()].map(([to, from]) => `${[...from].sort().join(",")} -> ${to}`).sort(),
            // payment's rule is namespace-wide: another workload of backend's namespace may call it too.
            [`backend,${namespaceCaller("backend")} -> payment`, "frontend -> backend", `${GATEWAY} -> frontend`],
        );
        assert.deepStrictEqual([...externalOf.entries()], [["payment", ["api.payments.example.com"]]]);
    });

    it("admits to each service port exactly the namespaces of its callers in the matrix (the gateway's for the gateway)", () => {
        for (const plan of services) {
            const service = plan.config.stack.slice("dev-".length);
            // A caller's namespace: the gateway's, a service's own, or that of a namespace-wide rule's other workload.
            const namespaceOf = (c: string) =>
                c === GATEWAY
                    ? "istio-ingress"
                    : ([...callersOf.keys(), ...services.map((p) => p.config.stack.slice("dev-".length))].find(
                          (n) => c === n || c === namespaceCaller(n),
                      ) ?? c);
            const expected = [...new Set([...(callersOf.get(service) ?? [])].map(namespaceOf))].sort();
            const allow = objects(plan, "NetworkPolicy").find(
                (n) => (n.inputs.metadata as { name: string }).name === "allow-callers",
            );
            assert.ok(allow, service);
            assert.deepStrictEqual(admitted(allow), expected, service);
            assert.deepStrictEqual((allow.inputs.spec as { podSelector: unknown }).podSelector, {
                matchLabels: { app: service },
            });
        }
    });

    it("denies all other ingress in every service namespace, Prometheus aside on the merged metrics port", () => {
        for (const plan of services) {
            const byName = (name: string) =>
                objects(plan, "NetworkPolicy").find((n) => (n.inputs.metadata as { name: string }).name === name);
            assert.deepStrictEqual(byName("default-deny-ingress")?.inputs.spec, {
                podSelector: {},
                policyTypes: ["Ingress"],
            });
            assert.deepStrictEqual(admitted(byName("allow-prometheus")!), ["observability"]);
            assert.deepStrictEqual(
                (byName("allow-prometheus")!.inputs.spec as { ingress: { ports: unknown }[] }).ingress[0].ports,
                [{ protocol: "TCP", port: 15020 }],
            );
        }
    });
});
