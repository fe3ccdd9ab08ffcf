import { z } from "zod";
import { SERVICE_CONFIG, SliceContext, SliceValues, configKey, optionalString } from "@platform/components/config";
import { DATA_PLANE_MODES, DataPlaneMode, ServiceSettings } from "@platform/components/service";
import { SHARED_SHAPE } from "../schema/shared";

export { CALLER_RULE } from "@platform/components/config";

/**
 * Every key a service stack reads, in Pulumi.yaml's order: the shared organization, the Service's
 * slice (components/service/config.ts: what the stack says about its service), then the layer's
 * own choice of control plane and of data plane.
 */
export const SERVICE_LAYER_SHAPE = {
    organization: SHARED_SHAPE.organization,
    ...SERVICE_CONFIG.keys,
    useCanaryMeshRevision: configKey(z.boolean(), false, {
        description:
            "Inject this service's pods from the common stack's canary control plane (meshCanaryRevision) instead of the main one.",
    }),
    meshRevisionTag: configKey(z.string(), "", {
        description:
            "The common stack's revision tag (its meshRevisionTags, e.g. stable) whose control plane injects this service's pods: the namespace is labelled istio.io/rev=<tag>, so moving the tag in the common stack moves this service too. Empty for the main control plane (or the canary, useCanaryMeshRevision).",
    }),
    // Not `dataPlane`: a project has one declaration per key, and the common layer's default
    // (sidecar) would read as this service's explicit choice in every service stack.
    serviceDataPlane: configKey(optionalString(dataPlaneChoiceProblem), "", {
        description:
            "The data plane this service's namespace joins: empty for the environment's (the common stack's dataPlane), sidecar, or ambient (only where the common stack runs dataPlane ambient). Moves one namespace at a time between the two (docs/service.md, \"Moving a service between data planes\").",
    }),
};

/** Why a service's own data plane is not one: what is allowed instead. */
function dataPlaneChoiceProblem(value: string): string | undefined {
    return DATA_PLANE_MODES.some((m) => m === value)
        ? undefined
        : `allowed: empty (the environment's data plane), ${DATA_PLANE_MODES.join(", ")}`;
}

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
    /** The revision tag whose control plane injects the service's pods; '' for none. */
    readonly meshRevisionTag: string;
    /** The data plane the service's namespace joins instead of the environment's; unset: the environment's. */
    readonly serviceDataPlane?: DataPlaneMode;
}

/** The service's own data plane as a field of its config: absent when it takes the environment's. */
function choice(mode: DataPlaneMode | undefined): { serviceDataPlane?: DataPlaneMode } {
    return mode === undefined ? {} : { serviceDataPlane: mode };
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
        meshRevisionTag: v.meshRevisionTag,
        ...choice(DATA_PLANE_MODES.find((m) => m === v.serviceDataPlane)),
    };
}
