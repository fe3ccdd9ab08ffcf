/**
 * The Cluster component's arguments made whole, as plain functions: every default applied once
 * (`withClusterDefaults`, `CLUSTER_DEFAULTS`) and every argument checked (`validateClusterArgs`),
 * giving the settings the component builds from. Nothing here creates a resource.
 */
import { Defaults, WithDefaults, withDefaults } from "../args";
import { checkRetentionDays } from "../cloudwatch";
import { keyAdminArnsProblems } from "../kms";
import { Problem, Problems } from "../problems";
import type { ClusterArgs } from "./cluster";
import { ClusterAccess, endpointProblem, nodeGroupsProblems, roleArnProblem } from "./specs";

/** The arguments of the component that config or the stack set: not its owner or providers. */
export type ClusterOptions = Omit<ClusterArgs, "owner" | "providers">;

/**
 * The defaults of the optional ClusterArgs, each written here only (the TSDoc `@default` of each
 * field in ClusterArgs says the same).
 */
export const CLUSTER_DEFAULTS = {
    endpointPublicAccess: false,
    endpointPublicAccessCidrs: [],
    access: {},
    logRetentionDays: 30,
    scheduledScaling: false,
} as const satisfies Defaults<ClusterOptions>;

/** ClusterOptions with every default applied (both access lists too): what the component builds. */
export type ClusterSettings = Omit<WithDefaults<ClusterOptions, typeof CLUSTER_DEFAULTS>, "access"> & {
    readonly access: ClusterAccess;
};

/** `args` with every default applied (`undefined` means the default; any other value is kept as given, to be checked). Pure. */
export function withClusterDefaults(args: ClusterOptions): ClusterSettings {
    const resolved = withDefaults(args, CLUSTER_DEFAULTS);
    const access: Partial<ClusterAccess> = resolved.access;
    return {
        ...resolved,
        access: withDefaults(access, { adminRoleArns: [], viewerRoleArns: [] }),
    };
}

/**
 * Applies the defaults and checks every argument; pure. Returns the settings, or every problem:
 * the property, its value, what is wrong and what is allowed.
 */
export function validateClusterArgs(args: ClusterOptions): { settings?: ClusterSettings; problems: Problem[] } {
    const settings = withClusterDefaults(args);
    const problems = new Problems();
    if (settings.privateSubnetIds.length < 2) {
        problems.add(
            "privateSubnetIds",
            settings.privateSubnetIds,
            "EKS needs subnets in at least two availability zones",
        );
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
    problems.add("logRetentionDays", settings.logRetentionDays, checkRetentionDays(settings.logRetentionDays));
    problems.addAll("nodeGroups", nodeGroupsProblems(settings.nodeGroups as unknown as Record<string, unknown>[]));
    return problems.empty ? { settings, problems: [] } : { problems: [...problems.all] };
}

/** Every problem with `args` (its providers apart); empty when the cluster can be created. Pure. */
export function clusterArgsProblems(args: ClusterOptions): Problem[] {
    return validateClusterArgs(args).problems;
}
