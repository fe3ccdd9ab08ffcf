import { AWS_INVOKE_FAKES, AWS_RESOURCE_FAKES } from "./aws";
import { CLUSTER_INVOKE_FAKES, CLUSTER_RESOURCE_FAKES } from "./cluster";
import { InvokeFake, ResourceFake } from "./context";
import { NETWORK_INVOKE_FAKES, NETWORK_RESOURCE_FAKES } from "./network";
import { SERVICE_INVOKE_FAKES, SERVICE_RESOURCE_FAKES } from "./service";

export * from "./context";
export { fakeArn } from "./aws";

/**
 * Every resource type with fake outputs, by type token. Each layer's fakes live in their own
 * file; a resource not listed here gets its inputs back, a deterministic id and, for AWS, an ARN.
 */
export const RESOURCE_FAKES: Record<string, ResourceFake> = {
    ...AWS_RESOURCE_FAKES,
    ...NETWORK_RESOURCE_FAKES,
    ...CLUSTER_RESOURCE_FAKES,
    ...SERVICE_RESOURCE_FAKES,
};

/** Every invoke the program may make, by token. Any other invoke fails the evaluation. */
export const INVOKE_FAKES: Record<string, InvokeFake> = {
    ...AWS_INVOKE_FAKES,
    ...NETWORK_INVOKE_FAKES,
    ...CLUSTER_INVOKE_FAKES,
    ...SERVICE_INVOKE_FAKES,
};
