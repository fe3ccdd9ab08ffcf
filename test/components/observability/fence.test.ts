import * as assert from "assert";
import {
    observabilityAuthorizationPolicies,
    observabilityNetworkPolicies,
    sharedPrincipal,
} from "../../../components/observability";

const PROMETHEUS = {
    "app.kubernetes.io/name": "prometheus",
    "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
};
const GRAFANA = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" };
const JAEGER = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger" };

describe("the observability namespace's fence (components/observability/fence.ts)", () => {
    it("names the shared workloads by the service accounts their charts render", () => {
        assert.deepStrictEqual(
            (["prometheus", "grafana", "jaeger"] as const).map((w) => sharedPrincipal("example.org", w)),
            [
                "example.org/ns/observability/sa/kube-prometheus-stack-prometheus",
                "example.org/ns/observability/sa/kube-prometheus-stack-grafana",
                "example.org/ns/observability/sa/jaeger",
            ],
        );
    });

    it("AuthorizationPolicies: default deny; Prometheus' and Jaeger's query APIs for Grafana; trace export for any proxy; nothing for Grafana", () => {
        const grafana = [
            { source: { principals: ["cluster.local/ns/observability/sa/kube-prometheus-stack-grafana"] } },
        ];
        assert.deepStrictEqual(observabilityAuthorizationPolicies("cluster.local"), [
            { name: "allow-nothing", spec: {} },
            {
                name: "prometheus-from-grafana",
                spec: {
                    selector: { matchLabels: PROMETHEUS },
                    action: "ALLOW",
                    rules: [{ from: grafana, to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/v1/*"] } }] }],
                },
            },
            {
                name: "jaeger-query-from-grafana",
                spec: {
                    selector: { matchLabels: JAEGER },
                    action: "ALLOW",
                    rules: [{ from: grafana, to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }],
                },
            },
            {
                name: "jaeger-trace-export",
                spec: {
                    selector: { matchLabels: JAEGER },
                    action: "ALLOW",
                    rules: [
                        {
                            from: [{ source: { principals: ["*"] } }],
                            to: [
                                {
                                    operation: {
                                        methods: ["POST"],
                                        paths: ["/opentelemetry.proto.collector.trace.v1.TraceService/Export"],
                                    },
                                },
                            ],
                        },
                    ],
                },
            },
        ]);
    });

    it("NetworkPolicies: default deny ingress; Prometheus scrapes the namespace; Grafana's data sources; 4317 from any namespace; the operator's webhook", () => {
        assert.deepStrictEqual(observabilityNetworkPolicies(), [
            { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
            {
                name: "allow-from-prometheus",
                spec: {
                    podSelector: {},
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ podSelector: { matchLabels: PROMETHEUS } }] }],
                },
            },
            {
                name: "prometheus-from-grafana",
                spec: {
                    podSelector: { matchLabels: PROMETHEUS },
                    policyTypes: ["Ingress"],
                    ingress: [
                        { from: [{ podSelector: { matchLabels: GRAFANA } }], ports: [{ protocol: "TCP", port: 9090 }] },
                    ],
                },
            },
            {
                name: "jaeger-query-from-grafana",
                spec: {
                    podSelector: { matchLabels: JAEGER },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [{ podSelector: { matchLabels: GRAFANA } }],
                            ports: [{ protocol: "TCP", port: 16686 }],
                        },
                    ],
                },
            },
            {
                name: "jaeger-trace-export",
                spec: {
                    podSelector: { matchLabels: JAEGER },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 4317 }] }],
                },
            },
            {
                name: "operator-webhook",
                spec: {
                    podSelector: {
                        matchLabels: { app: "kube-prometheus-stack-operator", release: "kube-prometheus-stack" },
                    },
                    policyTypes: ["Ingress"],
                    ingress: [{ ports: [{ protocol: "TCP", port: 10250 }] }],
                },
            },
        ]);
    });
});
