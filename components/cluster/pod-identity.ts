import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Owner, namer } from "../conventions";
import { IamPolicyDocument, ServiceAccountRef, TrustScope, partitionOfRegion, podIdentityTrustPolicy } from "./specs";

/** The service account whose pods get a role through EKS Pod Identity. */
export interface PodIdentitySubject extends ServiceAccountRef {
    readonly clusterName: pulumi.Input<string>;
}

/**
 * A trust policy built once the account is known (JSON): the account of the stack's aws provider
 * (`aws.getCallerIdentity`), the region's partition, and the cluster.
 */
export function trustPolicyJson(
    owner: Owner,
    clusterName: pulumi.Input<string>,
    build: (scope: TrustScope) => IamPolicyDocument,
    opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
    const region = owner.environment.region;
    const partition = partitionOfRegion(region);
    return pulumi
        .all([aws.getCallerIdentityOutput({}, opts).accountId, clusterName])
        .apply(([accountId, name]) => JSON.stringify(build({ accountId, partition, region, clusterName: name })));
}

/**
 * AWS permissions for the pods of one service account through EKS Pod Identity: a role
 * `<env>-common-<prefix>-role` only the Pod Identity agent may assume, for this cluster of this
 * account and this service account only (specs.ts podIdentityTrustPolicy), its inline policy
 * `<prefix>-policy`, and the association `<prefix>-pod-identity` (made after the policy, so the
 * pods never start with a role that cannot do its job). Returns the association: what the
 * workload's release waits for.
 */
export function podIdentityRole(
    owner: Owner,
    prefix: string,
    subject: PodIdentitySubject,
    policy: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): aws.eks.PodIdentityAssociation {
    const resourceName = namer(owner);
    const roleName = resourceName(`${prefix}-role`, undefined, "iamRole");
    const trust = trustPolicyJson(owner, subject.clusterName, (scope) => podIdentityTrustPolicy(scope, subject), {
        parent: opts.parent,
        provider: opts.provider,
    });
    const role = new aws.iam.Role(
        roleName,
        { name: roleName, assumeRolePolicy: trust, tags: { Name: roleName } },
        opts,
    );
    const policyName = resourceName(`${prefix}-policy`, undefined, "iamPolicy");
    const rolePolicy = new aws.iam.RolePolicy(policyName, { name: policyName, role: role.name, policy }, opts);
    const associationName = resourceName(`${prefix}-pod-identity`);
    return new aws.eks.PodIdentityAssociation(
        associationName,
        { ...subject, roleArn: role.arn, tags: { Name: associationName } },
        { ...opts, dependsOn: [...toArray(opts.dependsOn), rolePolicy] },
    );
}

function toArray(dependsOn: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    return dependsOn === undefined
        ? []
        : Array.isArray(dependsOn)
          ? dependsOn
          : [dependsOn as pulumi.Input<pulumi.Resource>];
}
