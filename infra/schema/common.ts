import { KeySpec } from "./keys";
import { ConfigReader } from "./reader";

/** Keys of the common layer (stack `<env>-common`). */
export const COMMON_KEYS: readonly KeySpec[] = [];

/** The validated config of a common stack. */
export interface CommonConfig {
    readonly layer: "common";
    readonly stack: string;
    readonly env: string;
    /** Pulumi organization used to name the StackReference to the global stack. */
    readonly organization: string;
}

/** Reads and checks the common layer's keys; problems are recorded in `reader.problems`. */
export function parseCommonConfig(reader: ConfigReader, env: string): CommonConfig {
    return {
        layer: "common",
        stack: reader.stack,
        env,
        organization: reader.string("organization", undefined, true),
    };
}
