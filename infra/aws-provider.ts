import * as aws from "@pulumi/aws";
import { Owner, ownerTags } from "@platform/components/conventions";

/**
 * The stack's aws provider: the environment's region and, as `defaultTags`, the eight owner tags
 * every AWS resource carries besides its `Name`. Default providers are disabled in Pulumi.yaml,
 * so every AWS resource must be given this one. Apart from layers/providers.ts so that only the
 * layers with AWS resources (global, common) load @pulumi/aws.
 */
export function awsProvider(owner: Owner): aws.Provider {
    return new aws.Provider("aws", {
        region: owner.environment.region as aws.Region,
        defaultTags: { tags: ownerTags(owner) },
    });
}
