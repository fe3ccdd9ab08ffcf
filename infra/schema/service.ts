import { KeySpec } from "./keys";
import { ConfigReader } from "./reader";

/** Keys of the service layer (stack `<env>-<service>`). */
export const SERVICE_KEYS: readonly KeySpec[] = [];

/** The validated config of a service stack. */
export interface ServiceConfig {
    readonly layer: "service";
    readonly stack: string;
    readonly env: string;
    /** The service: its namespace, service account and the owner-service of its resources. */
    readonly service: string;
    /** Pulumi organization used to name the StackReferences to the global and common stacks. */
    readonly organization: string;
}

/** Reads and checks the service layer's keys; problems are recorded in `reader.problems`. */
export function parseServiceConfig(reader: ConfigReader, env: string, service: string): ServiceConfig {
    return {
        layer: "service",
        stack: reader.stack,
        env,
        service,
        organization: reader.string("organization", undefined, true),
    };
}
