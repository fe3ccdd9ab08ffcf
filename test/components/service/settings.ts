import { SERVICE_DEFAULTS, ServiceSettings } from "../../../components/service";

/** A valid ServiceSettings with the defaults, for the pure builders' tests; override what a test needs. */
export function settings(overrides: Partial<ServiceSettings> = {}): ServiceSettings {
    return {
        versions: [{ name: "v1", image: "registry.example.com/shop/backend:2.7.0", weight: 100 }],
        replicas: SERVICE_DEFAULTS.replicas,
        port: SERVICE_DEFAULTS.port,
        protocol: SERVICE_DEFAULTS.protocol,
        healthPath: SERVICE_DEFAULTS.healthPath,
        resources: SERVICE_DEFAULTS.resources,
        quota: SERVICE_DEFAULTS.quota,
        allowedCallers: [],
        exposed: false,
        deniedSourceCidrs: [],
        requiredHeaders: [],
        timeout: SERVICE_DEFAULTS.timeout,
        retries: SERVICE_DEFAULTS.retries,
        ...overrides,
    };
}

export const MESH = {
    trustDomain: "cluster.local",
    revision: "",
    gatewayNamespace: "istio-ingress",
    gatewayName: "istio-ingressgateway",
    istioNamespace: "istio-system",
    observabilityNamespace: "observability",
};
