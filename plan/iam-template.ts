// The plan's IAM as a CloudFormation template, so that checkov's IAM checks (written for
// CloudFormation and Terraform, not Pulumi) read the roles the program makes: each
// aws:iam/role:Role becomes an AWS::IAM::Role with its trust policy, its inline policies
// (aws:iam/rolePolicy:RolePolicy) and its managed policies (aws:iam/rolePolicyAttachment), matched
// by role name. Nothing is deployed from it; test/checkov.test.ts runs checkov over it.
import { RecordedResource } from "./recorder";

/** A CloudFormation template of IAM roles only. */
export interface IamTemplate {
    readonly AWSTemplateFormatVersion: "2010-09-09";
    readonly Resources: Record<string, { Type: "AWS::IAM::Role"; Properties: Record<string, unknown> }>;
}

/** A resource's `name` input when it is a string, else its Pulumi name. */
function nameOf(resource: RecordedResource): string {
    return typeof resource.inputs.name === "string" ? resource.inputs.name : resource.name;
}

/** A policy document as the plan records it (a JSON string) or already an object. */
function document(value: unknown): unknown {
    return typeof value === "string" ? JSON.parse(value) : value;
}

/** A CloudFormation logical id (alphanumeric) from a resource name: `dev-common-eks-node-role` -> `DevCommonEksNodeRole`. */
export function logicalId(name: string): string {
    return name
        .split(/[^A-Za-z0-9]+/)
        .filter((part) => part !== "")
        .map((part) => part[0].toUpperCase() + part.slice(1))
        .join("");
}

/** The roles of `resources` with their trust, inline and managed policies, as a CloudFormation template. */
export function iamTemplate(resources: readonly RecordedResource[]): IamTemplate {
    const of = (type: string) => resources.filter((r) => r.type === type);
    const template: IamTemplate = { AWSTemplateFormatVersion: "2010-09-09", Resources: {} };
    for (const role of of("aws:iam/role:Role")) {
        const roleName = nameOf(role);
        const inline = of("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleName);
        const managed = of("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
            (a) => a.inputs.role === roleName,
        );
        template.Resources[logicalId(roleName)] = {
            Type: "AWS::IAM::Role",
            Properties: {
                RoleName: roleName,
                AssumeRolePolicyDocument: document(role.inputs.assumeRolePolicy),
                ...(inline.length === 0
                    ? {}
                    : {
                          Policies: inline.map((p) => ({
                              PolicyName: nameOf(p),
                              PolicyDocument: document(p.inputs.policy),
                          })),
                      }),
                ...(managed.length === 0 ? {} : { ManagedPolicyArns: managed.map((a) => a.inputs.policyArn) }),
            },
        };
    }
    return template;
}
