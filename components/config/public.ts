// The package's entry `@platform/components/config`: each component's config slice (its keys as
// schemas with defaults and descriptions, and how its settings are made of their values) and what a
// layer composes them with. Loads zod and @pulumi/pulumi's types only, no provider SDK.
export {
    REQUIRED,
    checked,
    closedMap,
    configKey,
    emptyMeansNone,
    field,
    integerIn,
    narrowed,
    oneOf,
    optionalString,
    requiredString,
    wholeNumber,
} from "./keys";
export type { KeyMeta, KeyShape } from "./keys";
export { keysOfSlices, settingsOfSlices } from "./slice";
export type { ConfigSlice, Intersection, SliceContext, SliceValues, Slices } from "./slice";
export { nearest } from "./nearest";
export { Problems } from "../problems";
export { ENVIRONMENT_CONFIG } from "../conventions/config";
export { NETWORK_CONFIG } from "../network/config";
export type { NetworkConfig } from "../network/config";
export { CLUSTER_CONFIG } from "../cluster/config";
export type { ClusterConfig } from "../cluster/config";
export { ISTIO_CONFIG } from "../mesh/config";
export type { IstioConfig } from "../mesh/config";
export { OBSERVABILITY_CONFIG } from "../observability/config";
export type { ObservabilityConfig } from "../observability/config";
export { CERT_MANAGER_CONFIG } from "../certificates/config";
export { CALLER_RULE, SERVICE_CONFIG } from "../service/config";
export { CHART_MIRROR_ALLOWED, parseChartMirror } from "../charts";
