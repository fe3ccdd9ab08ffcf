// The layering of an environment, in one place: which layers there are and in which order they
// deploy, how their stacks are named, and which stacks each one reads. The program (its
// StackReferences), the offline plan (the order it evaluates stacks in) and `npm run env` (the
// order it runs them in) all take it from here.
import { LAYERS, Layer } from "./schema/keys";

export { LAYERS, Layer };

/** The global stack of an environment: `<env>`. */
export function globalStackName(env: string): string {
    return env;
}

/** The common stack of an environment: `<env>-common`. */
export function commonStackName(env: string): string {
    return `${env}-common`;
}

/** A service's stack: `<env>-<service>`. */
export function serviceStackName(env: string, service: string): string {
    return `${env}-${service}`;
}

/** The environment a stack belongs to: the part of its name before the first `-`. */
export function envOfStackName(stack: string): string {
    return stack.split("-")[0];
}

/** Whether a stack belongs to environment `env` (`<env>` or `<env>-*`). */
export function isStackOfEnvironment(stack: string, env: string): boolean {
    return envOfStackName(stack) === env;
}

/** The service of a service stack (`<env>-<service>`): the part after the environment. */
export function serviceOfStackName(stack: string): string {
    return stack.slice(envOfStackName(stack).length + 1);
}

/**
 * The name a StackReference gives another stack of the project: `<organization>/<project>/<stack>`
 * (with the file and S3 backends the organization is the literal `organization`).
 */
export function stackReferenceName(organization: string, project: string, stack: string): string {
    return `${organization}/${project}/${stack}`;
}

/**
 * The layer a stack's name gives it: `<env>` is global, `<env>-common` common, any other
 * `<env>-<name>` a service. The plan and `npm run env` order stacks by it; `platform:layer` must agree.
 */
export function layerOfStackName(stack: string): Layer {
    const dash = stack.indexOf("-");
    return dash < 0 ? "global" : stack.slice(dash + 1) === "common" ? "common" : "service";
}

/** The position of a layer in deploy order (global 0, common 1, service 2). */
export function layerRank(layer: Layer): number {
    return LAYERS.indexOf(layer);
}

/**
 * The stacks a stack reads through StackReferences, in deploy order: none for the global stack,
 * `<env>` for the common stack, `<env>` and `<env>-common` for a service stack. Each must be up
 * before it (and destroyed after it).
 */
export function stacksReadBy(stack: string): string[] {
    const env = envOfStackName(stack);
    switch (layerOfStackName(stack)) {
        case "global":
            return [];
        case "common":
            return [globalStackName(env)];
        case "service":
            return [globalStackName(env), commonStackName(env)];
    }
}

/**
 * Groups stacks by layer in deploy order, keeping the given order within a layer: one group per
 * layer that has stacks. The stacks of a group do not read one another, so they may run at once.
 */
export function layeredStacks(stacks: readonly string[]): { layer: Layer; stacks: string[] }[] {
    return LAYERS.map((layer) => ({ layer, stacks: stacks.filter((s) => layerOfStackName(s) === layer) })).filter(
        (g) => g.stacks.length > 0,
    );
}
