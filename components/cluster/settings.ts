/**
 * The Cluster component's arguments made whole, as plain functions: every default applied once
 * (`withClusterDefaults`, `CLUSTER_DEFAULTS`), every argument checked (`validateClusterArgs`), and
 * the settings the component builds from (`clusterSettings`). Nothing here creates a resource.
 */
import { Defaults, WithDefaults, providerProblems, settingsOrThrow, withDefaults } from "../args";
import { checkRetentionDays } from "../cloudwatch";
import { keyAdminArnsProblems } from "../kms/policies";
import { Problem, Problems } from "../problems";
import type { ClusterArgs } from "./cluster";
import { KUBERNETES_VERSION, kubernetesVersionProblem } from "./versions";
import { ClusterAccess, endpointProblem, nodeGroupsProblems, roleArnProblem } from "./specs";

/** The arguments of the cluster that are not its owner or providers (what config sets). */
export type ClusterOptions = Omit<ClusterArgs, "owner" | "providers">;

/**
 * The defaults of the optional ClusterArgs, each written here only (the common layer's config
 * keys take theirs from here). `access` is completed by CLUSTER_ACCESS_DEFAULTS.
 */
export const CLUSTER_DEFAULTS = {
    endpointPublicAccess: false,
    endpointPublicAccessCidrs: [],
    access: {},
    logRetentionDays: 30,
    scheduledScaling: false,
    kubernetesVersion: "",
} as const satisfies Defaults<ClusterOptions>;

/** The defaults of each list of `access`: no roles. */
export const CLUSTER_ACCESS_DEFAULTS = {
    adminRoleArns: [],
    viewerRoleArns: [],
} as const satisfies Defaults<ClusterAccess>;

/** ClusterOptions with every default applied (`access` whole): what the component builds from, once checked. */
export type ClusterSettings = Omit<WithDefaults<ClusterOptions, typeof CLUSTER_DEFAULTS>, "access"> & {
    readonly access: ClusterAccess;
};

/** `args` with every default applied (`undefined` means the default; any other value is kept as given, to be checked). Pure. */
export function withClusterDefaults(args: ClusterOptions): ClusterSettings {
    const resolved = withDefaults(args, CLUSTER_DEFAULTS);
    return { ...resolved, access: withDefaults(resolved.access, CLUSTER_ACCESS_DEFAULTS) };
}

/**
 * Applies the defaults and checks every argument; pure. Returns the settings, or every problem:
 * the property, its value, what is wrong and what is allowed.
 */
export function validateClusterArgs(args: ClusterOptions): { settings?: ClusterSettings; problems: Problem[] } {
    const settings = withClusterDefaults(args);
    const problems = new Problems();
    if (settings.privateSubnetIds.length < 2) {
        const twoZones = "EKS needs subnets in at least two availability zones";
        problems.add("privateSubnetIds", settings.privateSubnetIds, twoZones);
    }
    const endpoint = endpointProblem(settings.endpointPublicAccess, settings.endpointPublicAccessCidrs);
    problems.addAll("", endpoint ? [endpoint] : []);
    for (const [property, arns] of [
        ["access.adminRoleArns", settings.access.adminRoleArns],
        ["access.viewerRoleArns", settings.access.viewerRoleArns],
    ] as const) {
        arns.forEach((arn, i) => problems.add(`${property}[${i}]`, arn, roleArnProblem(arn)));
    }
    problems.addAll("kmsKeyAdminArns", keyAdminArnsProblems(settings.kmsKeyAdminArns));
    problems.add("kubernetesVersion", settings.kubernetesVersion, kubernetesVersionProblem(settings.kubernetesVersion));
    problems.add("logRetentionDays", settings.logRetentionDays, checkRetentionDays(settings.logRetentionDays));
    problems.addAll("nodeGroups", nodeGroupsProblems(settings.nodeGroups as unknown as Record<string, unknown>[]));
    return problems.empty ? { problems: [], settings } : { problems: [...problems.all] };
}

/**
 * The settings the Cluster component `name` builds from: its providers checked (aws and eks),
 * then its arguments. Pure; throws one ProblemError (ComponentArgsError) listing every problem,
 * the providers' first.
 */
export function clusterSettings(name: string, args: ClusterArgs): ClusterSettings {
    const { owner: _owner, providers, ...options } = args;
    return settingsOrThrow("Cluster", name, providerProblems(providers, ["aws", "eks"]), validateClusterArgs(options));
}

/** The cluster's Kubernetes minor: the one `kubernetesVersion` names, or the pinned KUBERNETES_VERSION. */
export function kubernetesVersionOf(settings: Pick<ClusterSettings, "kubernetesVersion">): string {
    return settings.kubernetesVersion === "" ? KUBERNETES_VERSION : settings.kubernetesVersion;
}
