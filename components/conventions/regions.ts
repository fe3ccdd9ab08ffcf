import { Region } from "@pulumi/aws/types/enums";

/**
 * The AWS regions an environment may use: the regions the AWS provider knows (its `Region` enum),
 * so the list follows the provider's releases. The one list: the config check and the offline
 * plan's fake availability zones both use it.
 */
export const AWS_REGIONS: readonly string[] = [...new Set<string>(Object.values(Region))].sort();

/** Whether `name` is a region of AWS_REGIONS. */
export function isAwsRegion(name: string): boolean {
    return AWS_REGIONS.includes(name);
}
