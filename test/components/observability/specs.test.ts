import * as assert from "assert";
import {
    ENDPOINTS,
    ISTIO_DASHBOARDS,
    JAEGER_COLLECTOR_ENDPOINT,
    envoyPodMonitorSpec,
    istiodServiceMonitorSpec,
    jaegerConfig,
    jaegerValues,
    metricsServerValues,
    prometheusStackValues,
    retentionProblem,
    storageSizeProblem,
} from "../../../components/observability";

describe("observability specs (components/observability/specs.ts)", () => {
    it("builds kube-prometheus-stack's values: every monitor selected, retention and storage, Grafana without a password", () => {
        const values = prometheusStackValues({ retention: "7d", storageSize: "20Gi", storageClass: "gp3" }) as any;
        assert.deepStrictEqual(values.prometheus.prometheusSpec, {
            scrapeInterval: "15s",
            retention: "7d",
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            storageSpec: {
                volumeClaimTemplate: {
                    spec: {
                        storageClassName: "gp3",
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: "20Gi" } },
                    },
                },
            },
        });
        assert.deepStrictEqual(values.grafana.admin, {
            existingSecret: "grafana-admin",
            userKey: "admin-user",
            passwordKey: "admin-password",
        });
        assert.doesNotMatch(JSON.stringify(values), /password"\s*:\s*"(?!admin-password)/i);
        assert.strictEqual(values.grafana.sidecar.datasources.defaultDatasourceEnabled, true);
        assert.deepStrictEqual(values.grafana.additionalDataSources, [
            {
                name: "Jaeger",
                type: "jaeger",
                uid: "jaeger",
                access: "proxy",
                url: "http://jaeger.observability.svc.cluster.local:16686",
                editable: false,
            },
        ]);
    });

    it("leaves Prometheus' volume on the cluster's default StorageClass when none is named", () => {
        const values = prometheusStackValues({ retention: "3d", storageSize: "10Gi" }) as any;
        assert.deepStrictEqual(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec, {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "10Gi" } },
        });
    });

    it("loads Istio's dashboards from labelled ConfigMaps, filed by folder annotation; nothing from grafana.com", () => {
        const values = prometheusStackValues({ retention: "3d", storageSize: "10Gi" }) as any;
        assert.deepStrictEqual(ISTIO_DASHBOARDS, {
            "istio-mesh": "istio-mesh.json",
            "istio-service": "istio-service.json",
            "istio-workload": "istio-workload.json",
            "istio-control-plane": "istio-control-plane.json",
        });
        assert.deepStrictEqual(values.grafana.sidecar.dashboards, {
            folderAnnotation: "grafana_folder",
            provider: { foldersFromFilesStructure: true },
        });
        assert.strictEqual(values.grafana.dashboards, undefined);
        assert.doesNotMatch(JSON.stringify(values), /grafana\.com|gnetId/);
    });

    it("runs Jaeger v2 with OTLP in and an in-memory store of 100000 traces", () => {
        assert.deepStrictEqual(jaegerValues(), { userconfig: jaegerConfig() });
        assert.deepStrictEqual(jaegerConfig(), {
            service: {
                extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
                pipelines: {
                    traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
                },
            },
            extensions: {
                healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
                jaeger_query: { storage: { traces: "memory_store" } },
                jaeger_storage: { backends: { memory_store: { memory: { max_traces: 100000 } } } },
            },
            receivers: {
                otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } },
            },
            processors: { batch: {} },
            exporters: { jaeger_storage_exporter: { trace_storage: "memory_store" } },
        });
        assert.strictEqual(JAEGER_COLLECTOR_ENDPOINT, "jaeger.observability.svc.cluster.local:4317");
        assert.strictEqual(ENDPOINTS.jaegerQueryUrl, "http://jaeger.observability.svc.cluster.local:16686");
        assert.strictEqual(
            ENDPOINTS.prometheusUrl,
            "http://kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090",
        );
        assert.strictEqual(
            ENDPOINTS.grafanaUrl,
            "http://kube-prometheus-stack-grafana.observability.svc.cluster.local:80",
        );
    });

    it("runs two metrics-server replicas with a disruption budget", () => {
        assert.deepStrictEqual(metricsServerValues(), {
            replicas: 2,
            podDisruptionBudget: { enabled: true, minAvailable: 1 },
        });
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
        assert.strictEqual(
            "15020;10.20.3.4".replace(new RegExp(`^${address.regex}$`), address.replacement),
            "10.20.3.4:15020",
        );
    });

    it("checks retention and storage sizes", () => {
        assert.strictEqual(retentionProblem("3d"), undefined);
        assert.strictEqual(storageSizeProblem("10Gi"), undefined);
        assert.strictEqual(
            retentionProblem("3 days"),
            "not a Prometheus retention; allowed: a whole number and h, d, w or y, e.g. 3d or 2w",
        );
        assert.strictEqual(
            storageSizeProblem("10GB"),
            "not a volume size; allowed: a whole number and Gi or Ti, e.g. 10Gi",
        );
    });
});
