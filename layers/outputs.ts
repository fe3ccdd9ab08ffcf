import * as pulumi from "@pulumi/pulumi";

/** The JSON shape of a stack output, checked when another stack reads it. */
export type OutputKind = "string" | "number" | "boolean" | "string[]" | "object";

/** How one output is documented and read: its README description, its shape and whether it is secret. */
export interface OutputDoc {
    readonly description: string;
    readonly kind: OutputKind;
    /** A secret output (e.g. a kubeconfig): exported as a secret and read back as a secret Output. */
    readonly secret?: boolean;
    /** An output that only some stacks export (e.g. `url` of an exposed service). */
    readonly optional?: boolean;
}

/** One OutputDoc per output of a layer: the README's outputs table and the StackReference reader's checks. */
export type OutputDocs<T> = { readonly [K in keyof T]-?: OutputDoc };

/** What a layer's deploy function returns: each output as a value or an Output of it. */
export type StackOutputs<T> = {
    [K in keyof T]: T[K] extends pulumi.Output<infer U> ? pulumi.Input<U> : pulumi.Input<T[K]>;
};

/** Whether `value` has the JSON shape of `kind`. */
export function hasKind(value: unknown, kind: OutputKind): boolean {
    switch (kind) {
        case "string[]":
            return Array.isArray(value) && value.every((v) => typeof v === "string");
        case "object":
            return typeof value === "object" && value !== null && !Array.isArray(value);
        default:
            return typeof value === kind;
    }
}
