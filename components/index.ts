// The public API of @platform/components: everything a program outside this repository may import
// (`import { Service } from "@platform/components"`), and nothing else. Each name is re-exported on
// purpose from its area; whatever an area exports beyond these (pure builders, checkers, specs,
// internal settings) is internal: not reachable through the package's `exports` map, free to change
// in any release. docs/package.md lists the same names, and test/package/exports.test.ts checks that
// the packed package exports exactly them.

// --- Components and their arguments ---
export { Network } from "./network";
export type { NetworkArgs, NatStrategy, SubnetPlan } from "./network";
export { Cluster } from "./cluster";
export type { ClusterArgs, ClusterAccess, NodeGroupSpec, NodeTaint, CapacityType, TaintEffect } from "./cluster";
export { LoadBalancerController } from "./cluster";
export type { LoadBalancerControllerArgs, LoadBalancerControllerOptions } from "./cluster";
export { ExternalDns } from "./cluster";
export type { ExternalDnsArgs, ExternalDnsOptions, DnsZone } from "./cluster";
export { Istio } from "./mesh";
export type {
    IstioArgs,
    IstiodWebhooks,
    LoadBalancerScheme,
    OutboundTrafficPolicy,
    TracingCollector,
    DataPlaneMode,
    MeshDataPlane,
} from "./mesh";
export { Observability } from "./observability";
export type { ObservabilityArgs, ObservabilityStorage, PrometheusStackVersion } from "./observability";
export { CertManager } from "./certificates";
export type { CertManagerArgs, CertManagerMode, CertificateIssuer } from "./certificates";
export { Service, SERVICE_DEFAULTS, MESH_DEFAULTS } from "./service";
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
} from "./service";

// --- What every component takes ---
export type { ComponentProviders, ProviderPackage } from "./args";
export type { ChartMirror } from "./charts";

// --- Conventions: owner, names, tags, labels ---
export type { EnvironmentSettings, Owner, NameParts, NameKind, TagKey, WorkloadLabels } from "./conventions";
export {
    resourceName,
    clusterNameFor,
    isServiceName,
    ownerTags,
    resourceTags,
    TAG_KEYS,
    kubernetesLabels,
    kubernetesAnnotations,
    kubernetesMetadata,
} from "./conventions";

// --- The error every component throws for bad arguments, before it creates anything ---
export { ProblemError } from "./problems";
export type { Problem, ProblemKind } from "./problems";
