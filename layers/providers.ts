import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Owner, ownerTags } from "../components/conventions";

/**
 * The stack's aws provider: the environment's region and, as `defaultTags`, the eight owner tags
 * every AWS resource carries besides its `Name`. Default providers are disabled in Pulumi.yaml,
 * so every AWS resource must be given this one.
 */
export function awsProvider(owner: Owner): aws.Provider {
    return new aws.Provider("aws", {
        region: owner.environment.region as aws.Region,
        defaultTags: { tags: ownerTags(owner) },
    });
}

/**
 * A kubernetes provider from a kubeconfig (a secret). Never an ambient kubeconfig: `kubeconfig`
 * is always given, and server-side apply keeps field ownership explicit.
 */
export function kubernetesProvider(
    name: string,
    kubeconfig: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions = {},
): k8s.Provider {
    return new k8s.Provider(name, { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true }, opts);
}
