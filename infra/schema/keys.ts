/**
 * The declaration of a config key: what `Pulumi.yaml` declares for it (description, type,
 * default — in that order, as the project's conventions ask of variables) and which layers read it.
 * `Pulumi.yaml` and the README's config table are generated from these declarations
 * (`npm run gen`), and a test fails when they drift apart.
 */

/** The three layers, each one Pulumi stack per environment (and per service). */
export const LAYERS = ["global", "common", "service"] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * The type of a config value. Pulumi.yaml can type `string`, `integer`, `boolean` and arrays of
 * those; objects and arrays of objects are declared without a `type` there and are checked,
 * field by field, by infra/config.ts.
 */
export type KeyType = "string" | "integer" | "boolean" | "string[]" | "integer[]" | "object" | "object[]";

export interface KeySpec {
    /** The key without its namespace: `vpcCidr` for `platform:vpcCidr`. */
    readonly key: string;
    /** What the key means, its unit and its allowed values. */
    readonly description: string;
    readonly type: KeyType;
    /**
     * The default the engine applies when a stack does not set the key. Keys that a layer
     * requires have an empty default (`""`) and are checked by that layer's parser.
     */
    readonly default: unknown;
    /** The layers that read the key. */
    readonly layers: readonly Layer[];
    /** Set with `pulumi config set --secret`; read as a secret Output. */
    readonly secret?: boolean;
    /** The layers for which the key must be set (it has no usable default there). */
    readonly requiredIn?: readonly Layer[];
}

/** Keys every layer reads. */
export const SHARED_KEYS: readonly KeySpec[] = [
    {
        key: "layer",
        description:
            "Which layer this stack is: global (stack <env>), common (stack <env>-common) or service (stack <env>-<service>).",
        type: "string",
        default: "",
        layers: ["global", "common", "service"],
        requiredIn: ["global", "common", "service"],
    },
    {
        key: "organization",
        description:
            "Pulumi organization of the environment's stacks, used to name StackReferences (<organization>/platform/<stack>). Keep 'organization' for the local file and S3 backends; set your org for Pulumi Cloud.",
        type: "string",
        default: "organization",
        layers: ["common", "service"],
    },
];
