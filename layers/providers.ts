import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

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
