import { GATEWAY_NAME, GATEWAY_NAMESPACE, ISTIO_NAMESPACE, TRUST_DOMAIN } from "../mesh/specs";
import { OBSERVABILITY_NAMESPACE } from "../observability/specs";
import type { MeshFacts } from "./policies";
import { Protocol, QuotaSpec, ResourcesSpec } from "./types";

/** The defaults of ServiceSettings, in one place. */
export const SERVICE_DEFAULTS = {
    replicas: 3,
    port: 8080,
    protocol: "http" as Protocol,
    healthPath: "/healthz",
    resources: {
        cpuRequest: "100m",
        memoryRequest: "128Mi",
        cpuLimit: "500m",
        memoryLimit: "256Mi",
        ephemeralStorageRequest: "64Mi",
        ephemeralStorageLimit: "1Gi",
    } as ResourcesSpec,
    quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 30 } as QuotaSpec,
    timeout: "15s",
    retries: 2,
} as const;

/**
 * The mesh as the platform's common layer installs it (its outputs say the same): the facts a
 * program passes as `MeshFacts` for a cluster with that install and no revision.
 */
export const MESH_DEFAULTS: MeshFacts = {
    trustDomain: TRUST_DOMAIN,
    revision: "",
    gatewayNamespace: GATEWAY_NAMESPACE,
    gatewayName: GATEWAY_NAME,
    istioNamespace: ISTIO_NAMESPACE,
    observabilityNamespace: OBSERVABILITY_NAMESPACE,
};
