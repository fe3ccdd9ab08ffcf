import * as assert from "assert";
import {
    ENDPOINTS,
    ISTIO_DASHBOARDS,
    JAEGER_CHART,
    JAEGER_COLLECTOR_ENDPOINT,
    KUBE_PROMETHEUS_STACK_CHART,
    envoyPodMonitorSpec,
    istiodServiceMonitorSpec,
    jaegerValues,
    observabilityArgsProblems,
    prometheusStackValues,
    retentionProblem,
    storageSizeProblem,
} from "../../../components/observability";

describe("observability specs (components/observability/specs.ts)", () => {
    it("pins the chart versions in one place", () => {
        assert.deepStrictEqual(KUBE_PROMETHEUS_STACK_CHART, {
            chart: "kube-prometheus-stack",
            version: "81.6.2",
            repository: "https://prometheus-community.github.io/helm-charts",
        });
        assert.deepStrictEqual(JAEGER_CHART, { chart: "jaeger", version: "3.4.1", repository: "https://jaegertracing.github.io/helm-charts" });
    });

    it("builds kube-prometheus-stack's values: every monitor selected, retention and storage, Grafana without a password", () => {
        const values = prometheusStackValues({ retention: "7d", storageSize: "20Gi" }) as any;
        assert.deepStrictEqual(values.prometheus.prometheusSpec, {
            scrapeInterval: "15s",
            retention: "7d",
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            storageSpec: {
                volumeClaimTemplate: {
                    spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
                },
            },
        });
        assert.deepStrictEqual(values.grafana.admin, { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        assert.doesNotMatch(JSON.stringify(values), /password"\s*:\s*"(?!admin-password)/i);
        assert.strictEqual(values.grafana.sidecar.datasources.defaultDatasourceEnabled, true);
        assert.deepStrictEqual(values.grafana.additionalDataSources, [
            {
                name: "Jaeger",
                type: "jaeger",
                uid: "jaeger",
                access: "proxy",
                url: "http://jaeger-query.observability.svc.cluster.local:16686",
                editable: false,
            },
        ]);
    });

    it("provisions Istio's mesh, service, workload and control-plane dashboards from grafana.com", () => {
        const values = prometheusStackValues({ retention: "3d", storageSize: "10Gi" }) as any;
        assert.deepStrictEqual(ISTIO_DASHBOARDS, { "istio-mesh": 7639, "istio-service": 7636, "istio-workload": 7630, "istio-control-plane": 7645 });
        assert.deepStrictEqual(values.grafana.dashboards.istio["istio-control-plane"], {
            url: "https://grafana.com/api/dashboards/7645/revisions/latest/download",
            datasource: "Prometheus",
        });
        assert.deepStrictEqual(Object.keys(values.grafana.dashboards.istio), Object.keys(ISTIO_DASHBOARDS));
        assert.strictEqual(values.grafana.dashboardProviders["dashboardproviders.yaml"].providers[0].options.path, "/var/lib/grafana/dashboards/istio");
    });

    it("runs Jaeger all-in-one with in-memory storage and exposes OTLP on the collector", () => {
        assert.deepStrictEqual(jaegerValues(), {
            provisionDataStore: { cassandra: false, elasticsearch: false, kafka: false },
            storage: { type: "memory" },
            allInOne: { enabled: true },
            agent: { enabled: false },
            collector: { enabled: false },
            query: { enabled: false },
        });
        assert.strictEqual(JAEGER_COLLECTOR_ENDPOINT, "jaeger-collector.observability.svc.cluster.local:4317");
        assert.strictEqual(ENDPOINTS.prometheusUrl, "http://kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090");
        assert.strictEqual(ENDPOINTS.grafanaUrl, "http://kube-prometheus-stack-grafana.observability.svc.cluster.local:80");
    });

    it("scrapes istiod and the Envoy sidecars every 15 s", () => {
        assert.deepStrictEqual(istiodServiceMonitorSpec("istio-system"), {
            jobLabel: "istio",
            namespaceSelector: { matchNames: ["istio-system"] },
            selector: { matchExpressions: [{ key: "istio", operator: "In", values: ["pilot"] }] },
            endpoints: [{ port: "http-monitoring", interval: "15s" }],
        });
        const pod = envoyPodMonitorSpec() as any;
        assert.deepStrictEqual(pod.namespaceSelector, { any: true });
        assert.strictEqual(pod.podMetricsEndpoints.length, 1);
        assert.strictEqual(pod.podMetricsEndpoints[0].interval, "15s");
        assert.strictEqual(pod.podMetricsEndpoints[0].path, "/stats/prometheus");
        assert.deepStrictEqual(pod.podMetricsEndpoints[0].relabelings[0], {
            action: "keep",
            sourceLabels: ["__meta_kubernetes_pod_container_name"],
            regex: "istio-proxy",
        });
        const address = pod.podMetricsEndpoints[0].relabelings.find((r: any) => r.targetLabel === "__address__");
        // The regex must turn "<port>;<pod ip>" into "<pod ip>:<port>".
        assert.strictEqual("15020;10.20.3.4".replace(new RegExp(`^${address.regex}$`), address.replacement), "10.20.3.4:15020");
    });

    it("checks retention and storage sizes", () => {
        assert.strictEqual(retentionProblem("3d"), undefined);
        assert.strictEqual(storageSizeProblem("10Gi"), undefined);
        assert.deepStrictEqual(
            observabilityArgsProblems({
                owner: {} as never,
                kubernetesProvider: {} as never,
                grafanaAdminPassword: "x",
                prometheusRetention: "3 days",
                prometheusStorageSize: "10GB",
            }),
            [
                'prometheusRetention = "3 days": not a Prometheus retention; allowed: a whole number and h, d, w or y, e.g. 3d or 2w',
                'prometheusStorageSize = "10GB": not a volume size; allowed: a whole number and Gi or Ti, e.g. 10Gi',
            ],
        );
    });
});
