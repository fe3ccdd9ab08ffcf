/**
 * The workload of a service as plain Kubernetes specs: namespace labels, quota, limits,
 * Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler. Pure functions of plain
 * data, tested directly.
 */
import type * as k8s from "@pulumi/kubernetes";
import { zoneSpread } from "../mesh/specs";
import { ROLLOUT_SURGE_PODS } from "./quota";
import { AutoscalingSpec, QuotaSpec, ResourcesSpec, ServiceSettings, VersionSpec } from "./types";

/** The cluster's DNS domain (the kubelet default; EKS does not change it). */
export const CLUSTER_DOMAIN = "cluster.local";
/** The port the Service exposes in the mesh; it forwards to the container's `port`. */
export const SERVICE_PORT = 80;
/** The name of the metrics container port (the sidecar agent reads it on localhost). */
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
export function resourceQuotaSpec(quota: QuotaSpec): k8s.types.input.core.v1.ResourceQuotaSpec {
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
                default: {
                    cpu: resources.cpuLimit,
                    memory: resources.memoryLimit,
                    "ephemeral-storage": resources.ephemeralStorageLimit,
                },
                defaultRequest: {
                    cpu: resources.cpuRequest,
                    memory: resources.memoryRequest,
                    "ephemeral-storage": resources.ephemeralStorageRequest,
                },
            },
        ],
    };
}

/** Labels of a version's pods: `app` and `version` (Istio's subsets and telemetry read them). */
export function podLabels(service: string, version: string): Record<string, string> {
    return { app: service, version };
}

/**
 * The user and group every pod runs as unless its image says otherwise: a high ID, outside the
 * range of the node's system accounts and of common image users (kube-score, checkov CKV_K8S_40).
 */
export const RUN_AS_ID = 10001;

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
    const ports: k8s.types.input.core.v1.ContainerPort[] = [
        { name: settings.protocol, containerPort: settings.port, protocol: "TCP" },
    ];
    const annotations: Record<string, string> = { ...templateMetadata.annotations };
    if (settings.metricsPort !== undefined) {
        ports.push({ name: METRICS_PORT_NAME, containerPort: settings.metricsPort, protocol: "TCP" });
        // Istio's metrics merging: the injector moves these to the sidecar agent, which serves the
        // application's metrics with Envoy's on 15020 (/stats/prometheus); the metrics port stays
        // behind the sidecar. https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging
        annotations["prometheus.io/scrape"] = "true";
        annotations["prometheus.io/port"] = String(settings.metricsPort);
        annotations["prometheus.io/path"] = "/metrics";
    }
    const httpGet = { path: settings.healthPath, port: settings.protocol };
    return {
        ...(settings.autoscaling ? {} : { replicas: version.replicas ?? settings.replicas }),
        // A rollout adds one pod at a time and removes none before its replacement is ready: no
        // capacity lost, and a known number of extra pods for the quota (ROLLOUT_SURGE_PODS).
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: ROLLOUT_SURGE_PODS, maxUnavailable: 0 } },
        selector: { matchLabels: selector },
        template: {
            metadata: { labels: { ...templateMetadata.labels, ...selector }, annotations },
            spec: {
                serviceAccountName: service,
                automountServiceAccountToken: false,
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: RUN_AS_ID,
                    runAsGroup: RUN_AS_ID,
                    fsGroup: RUN_AS_ID,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                // Spread over zones and nodes: preferred, never blocking (ScheduleAnyway), so a cluster
                // with fewer nodes than replicas still schedules them. The anti-affinity says the same
                // for tools that only read affinity (kube-score).
                affinity: {
                    podAntiAffinity: {
                        preferredDuringSchedulingIgnoredDuringExecution: [
                            {
                                weight: 100,
                                podAffinityTerm: {
                                    topologyKey: "kubernetes.io/hostname",
                                    labelSelector: { matchLabels: selector },
                                },
                            },
                        ],
                    },
                },
                topologySpreadConstraints: zoneSpread(selector),
                containers: [
                    {
                        name: service,
                        image: version.image,
                        ports,
                        // Readiness takes a pod out of the load balancing fast; liveness restarts it only
                        // after a minute of failures, so a slow moment is not turned into a restart.
                        readinessProbe: {
                            httpGet,
                            initialDelaySeconds: 5,
                            periodSeconds: 5,
                            timeoutSeconds: 2,
                            failureThreshold: 3,
                        },
                        livenessProbe: {
                            httpGet,
                            initialDelaySeconds: 10,
                            periodSeconds: 10,
                            timeoutSeconds: 2,
                            failureThreshold: 6,
                        },
                        resources: {
                            requests: {
                                cpu: settings.resources.cpuRequest,
                                memory: settings.resources.memoryRequest,
                                "ephemeral-storage": settings.resources.ephemeralStorageRequest,
                            },
                            limits: {
                                cpu: settings.resources.cpuLimit,
                                memory: settings.resources.memoryLimit,
                                "ephemeral-storage": settings.resources.ephemeralStorageLimit,
                            },
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

/**
 * The Service spec: a named port (`http`, `http2` or `grpc`) tells Istio the protocol. The metrics
 * port is not a Service port: Prometheus reads it through the sidecar's merged endpoint.
 */
export function serviceSpec(service: string, settings: ServiceSettings): k8s.types.input.core.v1.ServiceSpec {
    return {
        selector: { app: service },
        ports: [{ name: settings.protocol, port: SERVICE_PORT, targetPort: settings.protocol, protocol: "TCP" }],
    };
}

/**
 * The PodDisruptionBudget spec: at most one pod of the service down at a time during drains.
 * Pods that are not ready (e.g. crash-looping) may always be evicted, so a broken pod cannot block
 * a node drain (`unhealthyPodEvictionPolicy: AlwaysAllow`, stable since Kubernetes 1.31).
 */
export function podDisruptionBudgetSpec(service: string): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
    return {
        maxUnavailable: 1,
        selector: { matchLabels: { app: service } },
        unhealthyPodEvictionPolicy: "AlwaysAllow",
    };
}

/** The HorizontalPodAutoscaler (autoscaling/v2) spec of one version's Deployment. */
export function autoscalerSpec(
    deployment: string,
    autoscaling: AutoscalingSpec,
): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [
            {
                type: "Resource",
                resource: {
                    name: "cpu",
                    target: { type: "Utilization", averageUtilization: autoscaling.targetCpuUtilization },
                },
            },
        ],
    };
}
