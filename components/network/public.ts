// The package's entry `@platform/components/network`: the environment's VPC. Loads @pulumi/aws.
export { Network } from "./network";
export type { NetworkArgs, NatStrategy, SubnetPlan } from "./index";
