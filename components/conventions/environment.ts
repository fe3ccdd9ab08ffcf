/**
 * The facts every resource of an environment carries: who owns it, where it runs and when a
 * scheduler may stop it. They are written once, in the global stack's config, and read by every
 * other stack of the environment through the global stack's outputs.
 */
export interface EnvironmentSettings {
    /** Environment name: lower-case letters and digits (`dev`, `int`, `prod`). */
    readonly env: string;
    /** AWS region of the environment, e.g. `eu-central-1`. */
    readonly region: string;
    /** Owning team, lower-case letters, digits and `-` (a valid Kubernetes label value). */
    readonly team: string;
    /** The team's e-mail address. */
    readonly contact: string;
    /** IANA time zone of the environment's working hours, e.g. `Europe/Berlin`. */
    readonly timeZone: string;
    /** `HH:MM` (24 h, in `timeZone`) when a scheduler may start the environment's resources. */
    readonly startTime: string;
    /** `HH:MM` (24 h, in `timeZone`) when a scheduler may stop the environment's resources. */
    readonly stopTime: string;
}

/** The owner of a resource: the environment plus the owning service (`global`, `common` or a service). */
export interface Owner {
    readonly environment: EnvironmentSettings;
    /** `global` and `common` for the shared layers, the service's name in the service layer. */
    readonly service: string;
}

/** Service names that belong to the shared layers and cannot be used by a service stack. */
export const RESERVED_SERVICE_NAMES: readonly string[] = ["global", "common"];

/** A service name: lower-case letters, digits and single `-`, starting with a letter. */
export const SERVICE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** The longest service name: it is a namespace name (63) and part of resource names. */
export const SERVICE_NAME_MAX = 40;
/** The service-name rule, as messages and docs state it. */
export const SERVICE_NAME_RULE = `lower-case letters, digits and single '-', starting with a letter, at most ${SERVICE_NAME_MAX} characters`;

/** Whether `name` follows the service-name rule (reserved names aside). */
export function isServiceName(name: string): boolean {
    return SERVICE_NAME.test(name) && name.length <= SERVICE_NAME_MAX;
}
