import { z } from "zod";
import { SliceContext, SliceValues, configKey } from "../../components/config";
import { SERVICE_CONFIG } from "../../components/service/config";
import { ServiceSettings } from "../../components/service/types";
import { SHARED_SHAPE } from "../schema/shared";

export { CALLER_RULE } from "../../components/service/config";

/**
 * Every key a service stack reads, in Pulumi.yaml's order: the shared organization, the Service's
 * slice (components/service/config.ts: what the stack says about its service), then the layer's
 * own choice of control plane.
 */
export const SERVICE_LAYER_SHAPE = {
    organization: SHARED_SHAPE.organization,
    ...SERVICE_CONFIG.keys,
    useCanaryMeshRevision: configKey(z.boolean(), false, {
        description:
            "Inject this service's pods from the common stack's canary control plane (meshCanaryRevision) instead of the main one.",
    }),
};

/** The parsed values of a service stack's keys. */
export type ServiceValues = SliceValues<typeof SERVICE_LAYER_SHAPE>;

/** The validated config of a service stack. */
export interface ServiceConfig {
    readonly layer: "service";
    readonly stack: string;
    readonly env: string;
    /** The service: its namespace, service account and the owner-service of its resources. */
    readonly service: string;
    /** Pulumi organization used to name the StackReferences to the global and common stacks. */
    readonly organization: string;
    /** What the stack's config says about the service: the Service's slice, checked once. */
    readonly settings: ServiceSettings;
    /** Whether the service's namespace is injected by the mesh's canary control plane. */
    readonly useCanaryMeshRevision: boolean;
}

/** The service stack's config from its parsed keys: the Service's slice, with its checks. */
export function parseServiceConfig(
    v: ServiceValues,
    context: SliceContext,
    env: string,
    serviceName: string,
): ServiceConfig {
    return {
        layer: "service",
        stack: context.stack,
        env,
        service: serviceName,
        organization: v.organization,
        settings: SERVICE_CONFIG.settings(v, context, { service: serviceName }),
        useCanaryMeshRevision: v.useCanaryMeshRevision,
    };
}
