import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { AWS_POLICIES } from "./aws";
import { CERTIFICATE_POLICIES } from "./certificates";
import { IAM_POLICIES } from "./iam";
import { KUBERNETES_POLICIES } from "./kubernetes";
import { MESH_POLICIES } from "./mesh";
import { SECRET_POLICIES } from "./secrets";

/**
 * Every policy of the pack, in one array so that tests and the offline plan
 * (plan/policy-run.ts) run exactly what `pulumi preview --policy-pack policy` runs.
 */
export const POLICIES: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    ...AWS_POLICIES,
    ...IAM_POLICIES,
    ...KUBERNETES_POLICIES,
    ...MESH_POLICIES,
    ...CERTIFICATE_POLICIES,
    ...SECRET_POLICIES,
];
