import type { Region } from "@pulumi/aws/types/enums";

let regions: readonly string[] | undefined;

/**
 * The AWS regions an environment may use: the regions the AWS provider knows (its `Region` enum),
 * so the list follows the provider's releases, sorted. The one list: the config check and the
 * offline plan's fake availability zones both use it. Read from the provider's package when first
 * asked for: only a global stack's config has a region, and a service stack loads no part of
 * @pulumi/aws.
 */
export function awsRegions(): readonly string[] {
    if (regions === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
        const enums = require("@pulumi/aws/types/enums") as { Region: Record<string, Region> };
        regions = [...new Set<string>(Object.values(enums.Region))].sort();
    }
    return regions;
}

/** Whether `name` is a region of awsRegions(). */
export function isAwsRegion(name: string): boolean {
    return awsRegions().includes(name);
}
