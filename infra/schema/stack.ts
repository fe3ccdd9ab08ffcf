import { RESERVED_SERVICE_NAMES } from "../../components/conventions";
import { Layer } from "./keys";
import { Problems } from "./problems";

/** An environment name: lower-case letters and digits, starting with a letter; no `-`. */
export const ENV_NAME = /^[a-z][a-z0-9]*$/;
/** A service name: lower-case letters, digits and single `-`, starting with a letter. */
export const SERVICE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** The longest service name: it is a namespace name (63) and part of resource names. */
export const SERVICE_NAME_MAX = 40;

/** What a stack name says: the environment and, for a service stack, the service. */
export interface StackName {
    readonly env: string;
    readonly service?: string;
}

const SHAPES: Record<Layer, string> = {
    global: "<env>, e.g. dev",
    common: "<env>-common, e.g. dev-common",
    service: "<env>-<service>, e.g. dev-backend",
};

/**
 * Splits a stack name for its layer. Environment names have no `-`, so `<env>-<service>` splits
 * one way only. Problems are recorded against `platform:layer`, the key that decides the shape.
 */
export function parseStackName(stack: string, layer: Layer, problems: Problems): StackName {
    const fail = (why: string): StackName => {
        problems.add(
            "layer",
            layer,
            `stack name "${stack}" does not fit the ${layer} layer: ${why}; a ${layer} stack is named ${SHAPES[layer]} (environment names are lower-case letters and digits, no '-')`,
        );
        return { env: stack.split("-")[0] };
    };
    const dash = stack.indexOf("-");
    const env = dash < 0 ? stack : stack.slice(0, dash);
    const rest = dash < 0 ? undefined : stack.slice(dash + 1);
    if (!ENV_NAME.test(env)) {
        return fail(`"${env}" is not an environment name`);
    }
    switch (layer) {
        case "global":
            return rest === undefined ? { env } : fail(`it has a part after the environment ("${rest}")`);
        case "common":
            return rest === "common" ? { env } : fail(`it does not end in "-common"`);
        case "service": {
            if (rest === undefined) {
                return fail("it has no service part");
            }
            if (RESERVED_SERVICE_NAMES.includes(rest)) {
                problems.add(
                    "layer",
                    layer,
                    `stack "${stack}" names the service "${rest}", which is reserved for the ${rest} layer; choose another service name (allowed: lower-case letters, digits and '-', not ${RESERVED_SERVICE_NAMES.join(" or ")})`,
                );
                return { env, service: rest };
            }
            if (!SERVICE_NAME.test(rest) || rest.length > SERVICE_NAME_MAX) {
                return fail(
                    `"${rest}" is not a service name (lower-case letters, digits and single '-', starting with a letter, at most ${SERVICE_NAME_MAX} characters)`,
                );
            }
            return { env, service: rest };
        }
    }
}
