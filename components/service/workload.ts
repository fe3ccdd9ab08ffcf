/**
 * The workload of a service as plain Kubernetes specs: namespace labels, quota, limits,
 * Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler. Pure functions of plain
 * data, tested directly.
 */
import type * as k8s from "@pulumi/kubernetes";
import { AutoscalingSpec, QuotaSpec, ResourcesSpec, ServiceSettings, VersionSpec } from "./spec";

/** The cluster's DNS domain (the kubelet default; EKS does not change it). */
export const CLUSTER_DOMAIN = "cluster.local";
/** The port the Service exposes in the mesh; it forwards to the container's `port`. */
export const SERVICE_PORT = 80;
/** The name of the metrics container port the PodMonitor scrapes. */
export const METRICS_PORT_NAME = "http-metrics";

/** In-cluster FQDN of a service: `<service>.<namespace>.svc.cluster.local`. */
export function serviceHost(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** Sidecar injection labels of the namespace: the revision label when the mesh runs one. */
export function injectionLabels(revision: string): Record<string, string> {
    return revision === "" ? { "istio-injection": "enabled" } : { "istio.io/rev": revision };
}

/** The namespace's ResourceQuota spec. */
export function resourceQuotaSpec(quota: QuotaSpec): { hard: Record<string, string> } {
    return {
        hard: {
            "requests.cpu": quota.requestsCpu,
            "requests.memory": quota.requestsMemory,
            "limits.cpu": quota.limitsCpu,
            "limits.memory": quota.limitsMemory,
            pods: String(quota.pods),
        },
    };
}

/**
 * The namespace's LimitRange spec: containers without requests and limits (e.g. a debug pod) get
 * the service's, so the quota can always be computed.
 */
export function limitRangeSpec(resources: ResourcesSpec): k8s.types.input.core.v1.LimitRangeSpec {
    return {
        limits: [
            {
                type: "Container",
                default: { cpu: resources.cpuLimit, memory: resources.memoryLimit },
                defaultRequest: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
            },
        ],
    };
}

/** Labels of a version's pods: `app` and `version` (Istio's subsets and telemetry read them). */
export function podLabels(service: string, version: string): Record<string, string> {
    return { app: service, version };
}

/** The hardened container security context. */
export const CONTAINER_SECURITY_CONTEXT = {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * The Deployment spec of one version. `metadataLabels` are our labels for the pod template (the
 * caller adds them to `app` and `version`); without autoscaling the replica count is fixed here,
 * with it the HPA owns it.
 */
export function deploymentSpec(
    service: string,
    version: VersionSpec,
    settings: ServiceSettings,
    templateMetadata: { labels: Record<string, string>; annotations: Record<string, string> },
): k8s.types.input.apps.v1.DeploymentSpec {
    const selector = podLabels(service, version.name);
    const ports: k8s.types.input.core.v1.ContainerPort[] = [{ name: settings.protocol, containerPort: settings.port, protocol: "TCP" }];
    const annotations: Record<string, string> = { ...templateMetadata.annotations };
    if (settings.metricsPort !== undefined) {
        ports.push({ name: METRICS_PORT_NAME, containerPort: settings.metricsPort, protocol: "TCP" });
        // Prometheus scrapes the metrics port in plain text, outside the mesh's mTLS and policies.
        annotations["traffic.sidecar.istio.io/excludeInboundPorts"] = String(settings.metricsPort);
    }
    const probe = (initialDelaySeconds: number) => ({
        httpGet: { path: settings.healthPath, port: settings.protocol },
        initialDelaySeconds,
        periodSeconds: 10,
        timeoutSeconds: 2,
        failureThreshold: 3,
    });
    return {
        ...(settings.autoscaling ? {} : { replicas: version.replicas ?? settings.replicas }),
        selector: { matchLabels: selector },
        template: {
            metadata: { labels: { ...templateMetadata.labels, ...selector }, annotations },
            spec: {
                serviceAccountName: service,
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: { matchLabels: selector },
                    },
                    {
                        maxSkew: 1,
                        topologyKey: "kubernetes.io/hostname",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: { matchLabels: selector },
                    },
                ],
                containers: [
                    {
                        name: service,
                        image: version.image,
                        ports,
                        livenessProbe: probe(10),
                        readinessProbe: probe(5),
                        resources: {
                            requests: { cpu: settings.resources.cpuRequest, memory: settings.resources.memoryRequest },
                            limits: { cpu: settings.resources.cpuLimit, memory: settings.resources.memoryLimit },
                        },
                        securityContext: { ...CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
                        // The root filesystem is read-only: a writable /tmp for the application.
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    },
                ],
                volumes: [{ name: "tmp", emptyDir: {} }],
            },
        },
    };
}

/** The Service spec: a named port (`http`, `http2` or `grpc`) tells Istio the protocol. */
export function serviceSpec(service: string, settings: ServiceSettings): Record<string, unknown> {
    const ports: Record<string, unknown>[] = [
        { name: settings.protocol, port: SERVICE_PORT, targetPort: settings.protocol, protocol: "TCP" },
    ];
    if (settings.metricsPort !== undefined) {
        ports.push({ name: METRICS_PORT_NAME, port: settings.metricsPort, targetPort: METRICS_PORT_NAME, protocol: "TCP" });
    }
    return { selector: { app: service }, ports };
}

/** The PodDisruptionBudget spec: at most one pod of the service down at a time during drains. */
export function podDisruptionBudgetSpec(service: string): Record<string, unknown> {
    return { maxUnavailable: 1, selector: { matchLabels: { app: service } } };
}

/** The HorizontalPodAutoscaler (autoscaling/v2) spec of one version's Deployment. */
export function autoscalerSpec(deployment: string, autoscaling: AutoscalingSpec): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [
            {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCpuUtilization } },
            },
        ],
    };
}
