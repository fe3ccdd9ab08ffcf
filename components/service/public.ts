// The package's entry `@platform/components/service`: one service in the mesh with its zero-trust
// policies, and what a stack of services needs beside it (the environment's access graph, the data
// planes a namespace can join, the namespaces a service must not take). Loads @pulumi/kubernetes
// only: a program of services has no use for the AWS SDKs the package's root loads.
export { Service } from "./service";
export { SERVICE_DEFAULTS, MESH_DEFAULTS } from "./defaults";
export type {
    ServiceArgs,
    ServiceSettings,
    MeshFacts,
    VersionSpec,
    CallerRule,
    JwtSpec,
    RateLimitSpec,
    AutoscalingSpec,
    ResourcesSpec,
    QuotaSpec,
    ExternalHostSpec,
    HttpMethod,
    Protocol,
    ExternalProtocol,
} from "./index";
export { calleesOf } from "./isolation";
export type { GraphService } from "./isolation";
export { exposedHost, hostZoneProblem } from "./settings";
export { dataPlaneModeProblems } from "./validation";
export { systemNamespaceOwner, systemNamespacesText } from "./system-namespaces";
export { DATA_PLANE_MODES, DEFAULT_DATA_PLANE } from "../mesh/dataplane";
export type { DataPlaneMode } from "../mesh/dataplane";
export { OBSERVABILITY_NAMESPACE } from "../observability/specs";
