import * as assert from "assert";
import {
    autoscalerSpec,
    deploymentSpec,
    injectionLabels,
    limitRangeSpec,
    podDisruptionBudgetSpec,
    resourceQuotaSpec,
    serviceHost,
    serviceSpec,
} from "../../../components/service";
import { settings } from "./settings";

const META = {
    labels: { environment: "dev", "owner-service": "backend" },
    annotations: { contact: "team@example.com" },
};

describe("service workload (components/service/workload.ts)", () => {
    it("labels the namespace for injection: istio-injection, or the mesh's revision", () => {
        assert.deepStrictEqual(injectionLabels(""), { "istio-injection": "enabled" });
        assert.deepStrictEqual(injectionLabels("1-27"), { "istio.io/rev": "1-27" });
    });

    it("the in-cluster host is <service>.<namespace>.svc.cluster.local", () => {
        assert.strictEqual(serviceHost("backend", "backend"), "backend.backend.svc.cluster.local");
    });

    it("quota and limit range come from the settings", () => {
        assert.deepStrictEqual(resourceQuotaSpec(settings().quota), {
            hard: {
                "requests.cpu": "4",
                "requests.memory": "8Gi",
                "limits.cpu": "8",
                "limits.memory": "16Gi",
                pods: "30",
            },
        });
        assert.deepStrictEqual(limitRangeSpec(settings().resources), {
            limits: [
                {
                    type: "Container",
                    default: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "1Gi" },
                    defaultRequest: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
                },
            ],
        });
    });

    it("a version's Deployment: pinned image, replicas, app/version labels, probes, resources, hardened context, zone and node spread", () => {
        const s = settings();
        const spec = deploymentSpec("backend", s.versions[0], s, META) as any;
        assert.strictEqual(spec.replicas, 3);
        assert.deepStrictEqual(spec.selector, { matchLabels: { app: "backend", version: "v1" } });
        assert.deepStrictEqual(spec.template.metadata.labels, {
            environment: "dev",
            "owner-service": "backend",
            app: "backend",
            version: "v1",
        });
        const pod = spec.template.spec;
        assert.strictEqual(pod.serviceAccountName, "backend");
        assert.strictEqual(pod.automountServiceAccountToken, false);
        assert.deepStrictEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepStrictEqual(pod.affinity, {
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: {
                            topologyKey: "kubernetes.io/hostname",
                            labelSelector: { matchLabels: { app: "backend", version: "v1" } },
                        },
                    },
                ],
            },
        });
        assert.deepStrictEqual(
            pod.topologySpreadConstraints,
            ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
                maxSkew: 1,
                topologyKey,
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { app: "backend", version: "v1" } },
            })),
        );
        const [c] = pod.containers;
        assert.strictEqual(c.image, "registry.example.com/shop/backend:2.7.0");
        assert.deepStrictEqual(c.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        // Readiness reacts fast; liveness waits a minute of failures before a restart: the two differ.
        assert.deepStrictEqual(c.readinessProbe, {
            httpGet: { path: "/healthz", port: "http" },
            initialDelaySeconds: 5,
            periodSeconds: 5,
            timeoutSeconds: 2,
            failureThreshold: 3,
        });
        assert.deepStrictEqual(c.livenessProbe, {
            httpGet: { path: "/healthz", port: "http" },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 2,
            failureThreshold: 6,
        });
        assert.deepStrictEqual(c.resources, {
            requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
            limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "1Gi" },
        });
        assert.deepStrictEqual(c.securityContext, {
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepStrictEqual(c.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
    });

    it("a version's own replicas win; with autoscaling the HPA owns the replica count", () => {
        const s = settings({ versions: [{ name: "v2", image: "a:2", weight: 100, replicas: 1 }] });
        assert.strictEqual((deploymentSpec("backend", s.versions[0], s, META) as any).replicas, 1);
        const scaled = settings({ autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 } });
        assert.strictEqual("replicas" in deploymentSpec("backend", scaled.versions[0], scaled, META), false);
        assert.deepStrictEqual(autoscalerSpec("backend-v1", scaled.autoscaling!), {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "backend-v1" },
            minReplicas: 3,
            maxReplicas: 10,
            metrics: [
                {
                    type: "Resource",
                    resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
                },
            ],
        });
    });

    it("a metrics port is merged into the sidecar's endpoint (prometheus.io annotations), not excluded from it nor a Service port", () => {
        const s = settings({ metricsPort: 9090 });
        const spec = deploymentSpec("frontend", s.versions[0], s, META) as any;
        assert.deepStrictEqual(spec.template.spec.containers[0].ports[1], {
            name: "http-metrics",
            containerPort: 9090,
            protocol: "TCP",
        });
        assert.deepStrictEqual(spec.template.metadata.annotations, {
            contact: "team@example.com",
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "9090",
            "prometheus.io/path": "/metrics",
        });
        assert.deepStrictEqual((serviceSpec("frontend", s) as any).ports, [
            { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
        ]);
    });

    it("the Service names its port after the protocol so Istio knows it; the PDB keeps all but one healthy pod", () => {
        assert.deepStrictEqual(serviceSpec("backend", settings({ protocol: "grpc" })), {
            selector: { app: "backend" },
            ports: [{ name: "grpc", port: 80, targetPort: "grpc", protocol: "TCP" }],
        });
        assert.deepStrictEqual(podDisruptionBudgetSpec("backend"), {
            maxUnavailable: 1,
            selector: { matchLabels: { app: "backend" } },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
    });
});
