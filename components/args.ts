import * as pulumi from "@pulumi/pulumi";

/**
 * Thrown by a component whose arguments are invalid, before it registers anything: lists every
 * problem (each naming the property, its value and the fix). A RunError, so `pulumi up` prints
 * the message without a stack trace from inside the component.
 */
export class ComponentArgsError extends pulumi.RunError {
    constructor(
        readonly component: string,
        readonly resourceName: string,
        readonly problems: readonly string[],
    ) {
        super(`invalid ${component} "${resourceName}" arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ComponentArgsError";
    }
}

/** Throws a ComponentArgsError when `problems` is not empty. */
export function assertValidArgs(component: string, resourceName: string, problems: readonly string[]): void {
    if (problems.length > 0) {
        throw new ComponentArgsError(component, resourceName, problems);
    }
}
