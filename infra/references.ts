import * as pulumi from "@pulumi/pulumi";
import { COMMON_OUTPUTS, CommonOutputs } from "../layers/common/outputs";
import { GLOBAL_OUTPUTS, GlobalOutputs } from "../layers/global/outputs";
import { OutputDocs, hasKind } from "../layers/outputs";
import { commonStackName, globalStackName, stackReferenceName } from "../layers/layering";

/**
 * Reads every output documented in `docs` from another stack, checks that each is there and has
 * its documented shape, and returns them typed. Secret outputs come back as secret Outputs.
 * Fails with one error that names the stack and every missing or malformed output.
 */
export async function readStackOutputs<T>(
    organization: string,
    stack: string,
    docs: OutputDocs<T>,
    opts: pulumi.CustomResourceOptions = {},
): Promise<T> {
    const name = stackReferenceName(organization, pulumi.getProject(), stack);
    const ref = new pulumi.StackReference(name, { name }, opts);
    const result: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const key of Object.keys(docs) as (keyof T & string)[]) {
        const doc = docs[key];
        const details = await ref.getOutputDetails(key);
        const value: unknown = doc.secret
            ? (details.secretValue ?? details.value)
            : (details.value ?? details.secretValue);
        if (value === undefined || value === null) {
            if (!doc.optional) {
                problems.push(`${key} is missing`);
            }
        } else if (!hasKind(value, doc.kind)) {
            problems.push(`${key} is not a ${doc.kind} (got ${JSON.stringify(value)})`);
        } else {
            result[key] = doc.secret ? pulumi.secret(value) : value;
        }
    }
    if (problems.length > 0) {
        throw new pulumi.RunError(
            `Stack "${name}" does not have the outputs this stack reads: ${problems.join("; ")}. ` +
                `Run "pulumi up" on stack "${stack}" first (layers deploy in order: global, common, services).`,
        );
    }
    return result as T;
}

/** The global stack's outputs (`<env>`): network and the environment's settings. */
export function readGlobalOutputs(organization: string, env: string): Promise<GlobalOutputs> {
    return readStackOutputs(organization, globalStackName(env), GLOBAL_OUTPUTS);
}

/** The common stack's outputs (`<env>-common`): cluster, mesh and observability. */
export function readCommonOutputs(organization: string, env: string): Promise<CommonOutputs> {
    return readStackOutputs(organization, commonStackName(env), COMMON_OUTPUTS);
}

/**
 * This common stack's own outputs of its last deployment that its next update checks against
 * (the cluster's Kubernetes minor), read through a StackReference to itself: none before the
 * first deployment.
 */
export function readDeployedCommonOutputs(
    organization: string,
    stack: string,
): Promise<Pick<CommonOutputs, "kubernetesVersion">> {
    return readStackOutputs<Pick<CommonOutputs, "kubernetesVersion">>(organization, stack, {
        kubernetesVersion: COMMON_OUTPUTS.kubernetesVersion,
    });
}
