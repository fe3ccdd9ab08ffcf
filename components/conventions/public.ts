// The package's entry `@platform/components/conventions`: what every component shares (the owner,
// names, tags and labels of the conventions, the providers a component takes, where charts come
// from, the error thrown for bad arguments). Loads @pulumi/pulumi only.
export type { EnvironmentSettings, Owner, NameParts, NameKind, TagKey, WorkloadLabels } from "./index";
export {
    resourceName,
    clusterNameFor,
    isServiceName,
    RESERVED_SERVICE_NAMES,
    SERVICE_NAME,
    SERVICE_NAME_MAX,
    SERVICE_NAME_RULE,
    ownerTags,
    resourceTags,
    TAG_KEYS,
    kubernetesLabels,
    kubernetesAnnotations,
    kubernetesMetadata,
} from "./index";
export type { ComponentProviders, ProviderPackage } from "../args";
export type { ChartMirror } from "../charts";
export { ProblemError, describeProblem } from "../problems";
export type { Problem, ProblemKind } from "../problems";
