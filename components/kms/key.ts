import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A customer-managed key and its alias. */
export interface ManagedKey {
    readonly key: aws.kms.Key;
    readonly alias: aws.kms.Alias;
}

/**
 * A customer-managed symmetric key with an explicit policy, yearly rotation and a 30-day deletion
 * window, and its alias `alias/<name>`. Created with the caller's options (parent and provider),
 * so the keys keep their place in the caller's tree. The key is protected, the alias is not.
 */
export function managedKey(
    name: string,
    args: { readonly description: string; readonly policy: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions,
): ManagedKey {
    const key = new aws.kms.Key(
        name,
        {
            description: args.description,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: args.policy,
            tags: { Name: name },
        },
        // Protected: whatever the key encrypted (the cluster's Secrets, a log group) cannot be read
        // once it is deleted. A deletion is only scheduled (30 days, cancellable), but a delete or
        // replace should never be the side effect of an update. Not retained on delete: AWS already
        // holds the key for its deletion window, and a kept key would outlive the log groups it
        // encrypts. The alias only names the key and is made again at will.
        { ...opts, protect: true },
    );
    const alias = new aws.kms.Alias(name, { name: `alias/${name}`, targetKeyId: key.keyId }, opts);
    return { key, alias };
}
