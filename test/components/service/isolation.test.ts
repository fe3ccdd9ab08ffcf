import * as assert from "assert";
import { admittedNamespaces, calleesOf, networkPolicySpecs, sidecarSpec } from "../../../components/service";
import { MESH, settings } from "./settings";

const GRAPH = [
    { name: "backend", allowedCallers: [{ service: "frontend", methods: ["GET" as const] }] },
    { name: "frontend", allowedCallers: [] },
    { name: "payment", allowedCallers: [{ namespace: "backend" }, { namespace: "batch" }] },
    { name: "search", allowedCallers: [{ service: "frontend" }, { service: "search" }] },
];

describe("service isolation: Sidecar and NetworkPolicies (components/service/isolation.ts)", () => {
    it("derives callees as the reverse of the allowed callers, by service and by namespace, never itself", () => {
        assert.deepStrictEqual(calleesOf("frontend", GRAPH), ["backend", "search"]);
        assert.deepStrictEqual(calleesOf("backend", GRAPH), ["payment"]);
        assert.deepStrictEqual(calleesOf("payment", GRAPH), []);
        assert.deepStrictEqual(calleesOf("search", GRAPH), []);
        assert.deepStrictEqual(calleesOf("unknown", GRAPH), []);
    });

    it("gives the Sidecar egress to exactly the callees' hosts plus istio-system, DNS and Jaeger's collector", () => {
        assert.deepStrictEqual(sidecarSpec(["search", "backend"], MESH), {
            egress: [
                {
                    hosts: [
                        "istio-system/*",
                        "kube-system/kube-dns.kube-system.svc.cluster.local",
                        "observability/jaeger.observability.svc.cluster.local",
                        "backend/backend.backend.svc.cluster.local",
                        "search/search.search.svc.cluster.local",
                    ],
                },
            ],
        });
        assert.deepStrictEqual(sidecarSpec([], MESH).egress[0].hosts, [
            "istio-system/*",
            "kube-system/kube-dns.kube-system.svc.cluster.local",
            "observability/jaeger.observability.svc.cluster.local",
        ]);
    });

    it("admits the callers' namespaces and, when exposed, the gateway's: sorted, once each", () => {
        assert.deepStrictEqual(
            admittedNamespaces(
                {
                    allowedCallers: [
                        { namespace: "backend" },
                        { service: "backend", paths: ["/a"] },
                        { service: "audit" },
                    ],
                    exposed: true,
                },
                MESH,
            ),
            ["audit", "backend", "istio-ingress"],
        );
        assert.deepStrictEqual(admittedNamespaces({ allowedCallers: [], exposed: false }, MESH), []);
    });

    it("denies ingress by default, admits callers on the service port and Prometheus on the merged metrics port, fences egress", () => {
        const byNamespace = (values: string[]) => ({
            namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values }] },
        });
        const observabilityPods = (matchLabels: Record<string, string>) => ({
            ...byNamespace(["observability"]),
            podSelector: { matchLabels },
        });
        const network = { callees: ["search", "audit"], vpcCidr: "10.1.0.0/16" };
        assert.deepStrictEqual(
            networkPolicySpecs(
                "payment",
                settings({ allowedCallers: [{ namespace: "backend", methods: ["POST"] }], port: 9000 }),
                MESH,
                network,
            ),
            [
                { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
                {
                    name: "allow-callers",
                    spec: {
                        podSelector: { matchLabels: { app: "payment" } },
                        policyTypes: ["Ingress"],
                        ingress: [{ from: [byNamespace(["backend"])], ports: [{ protocol: "TCP", port: 9000 }] }],
                    },
                },
                {
                    name: "allow-prometheus",
                    spec: {
                        podSelector: {},
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: [
                                    observabilityPods({
                                        "app.kubernetes.io/name": "prometheus",
                                        "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
                                    }),
                                ],
                                ports: [{ protocol: "TCP", port: 15020 }],
                            },
                        ],
                    },
                },
                {
                    name: "allow-egress",
                    spec: {
                        podSelector: {},
                        policyTypes: ["Egress"],
                        egress: [
                            {
                                to: [
                                    {
                                        ...byNamespace(["kube-system"]),
                                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                                    },
                                ],
                                ports: [
                                    { protocol: "UDP", port: 53 },
                                    { protocol: "TCP", port: 53 },
                                ],
                            },
                            { to: [byNamespace(["istio-system"])], ports: [{ protocol: "TCP", port: 15012 }] },
                            {
                                to: [
                                    observabilityPods({
                                        "app.kubernetes.io/name": "jaeger",
                                        "app.kubernetes.io/instance": "jaeger",
                                    }),
                                ],
                                ports: [{ protocol: "TCP", port: 4317 }],
                            },
                            { to: [byNamespace(["audit", "search"])] },
                            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.1.0.0/16"] } }] },
                            { to: [{ ipBlock: { cidr: "10.1.0.0/16" } }], ports: [{ protocol: "TCP", port: 443 }] },
                        ],
                    },
                },
            ],
        );
    });

    it("has no allow-callers NetworkPolicy when nobody may call (default deny, Prometheus and egress only)", () => {
        assert.deepStrictEqual(
            networkPolicySpecs("lonely", settings(), MESH, { callees: [], vpcCidr: "10.0.0.0/16" }).map((p) => p.name),
            ["default-deny-ingress", "allow-prometheus", "allow-egress"],
        );
        // Calling nobody: no rule for callees' namespaces (an empty `In` list is invalid).
        const egress = networkPolicySpecs("lonely", settings(), MESH, { callees: [], vpcCidr: "10.0.0.0/16" })[2].spec
            .egress as { to: unknown[]; ports?: unknown[] }[];
        assert.deepStrictEqual(
            egress.map((e) => e.ports ?? "any port"),
            [
                [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
                [{ protocol: "TCP", port: 15012 }],
                [{ protocol: "TCP", port: 4317 }],
                "any port",
                [{ protocol: "TCP", port: 443 }],
            ],
        );
    });
});
