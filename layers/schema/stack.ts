import { RESERVED_SERVICE_NAMES, SERVICE_NAME_RULE, isServiceName } from "@platform/components/conventions";
import { systemNamespaceOwner, systemNamespacesText } from "@platform/components/service";

export { SERVICE_NAME, SERVICE_NAME_MAX } from "@platform/components/conventions";
import { Layer } from "./keys";
import { envOfStackName, layerOfStackName, serviceOfStackName } from "../layering";

/** From layers/layering.ts, the one place that knows the layering; re-exported for the schema. */
export { layerOfStackName };
import { Problems } from "./problems";

/** An environment name: lower-case letters and digits, starting with a letter; no `-`. */
export const ENV_NAME = /^[a-z][a-z0-9]*$/;

/** What a stack name says: the environment and, for a service stack, the service. */
export interface StackName {
    readonly env: string;
    readonly service?: string;
}

/** What the layers are, for messages: `global (stack <env>), common (stack <env>-common), ...`. */
export const LAYER_CHOICES = "global (stack <env>), common (stack <env>-common), service (stack <env>-<service>)";

const SHAPES: Record<Layer, string> = {
    global: "<env>, e.g. dev",
    common: "<env>-common, e.g. dev-common",
    service: "<env>-<service>, e.g. dev-backend",
};

/**
 * Reads a stack name for its layer, with the helpers of layers/layering.ts (the one home of the
 * layering: what a name's parts are and which layer a name says). Environment names have no `-`,
 * so `<env>-<service>` splits one way only. Problems are recorded against `platform:layer`, the
 * key that decides the shape.
 */
export function parseStackName(stack: string, layer: Layer, problems: Problems): StackName {
    const env = envOfStackName(stack);
    const fail = (why: string): StackName => {
        problems.add(
            "layer",
            layer,
            `stack name "${stack}" does not fit the ${layer} layer: ${why}; a ${layer} stack is named ${SHAPES[layer]} (environment names are lower-case letters and digits, no '-')`,
        );
        return { env };
    };
    if (!ENV_NAME.test(env)) {
        return fail(`"${env}" is not an environment name`);
    }
    // The layer the name itself says, and the part after the environment ("" when there is none).
    const named = layerOfStackName(stack);
    const rest = serviceOfStackName(stack);
    switch (layer) {
        case "global":
            return named === "global" ? { env } : fail(`it has a part after the environment ("${rest}")`);
        case "common":
            return named === "common" ? { env } : fail(`it does not end in "-common"`);
        case "service": {
            if (named === "global") {
                return fail("it has no service part");
            }
            if (named === "common") {
                problems.add(
                    "layer",
                    layer,
                    `stack "${stack}" is the environment's common stack (its name ends in "-common"), so its layer is common; set platform:layer: common in Pulumi.${stack}.yaml (a service needs a stack <env>-<service> with a name other than ${RESERVED_SERVICE_NAMES.join(" or ")})`,
                );
                return { env, service: rest };
            }
            if (RESERVED_SERVICE_NAMES.includes(rest)) {
                problems.add(
                    "layer",
                    layer,
                    `stack "${stack}" names the service "${rest}", which is reserved for the ${rest} layer; choose another service name (allowed: lower-case letters, digits and '-', not ${RESERVED_SERVICE_NAMES.join(" or ")})`,
                );
                return { env, service: rest };
            }
            if (!isServiceName(rest)) {
                return fail(`"${rest}" is not a service name (${SERVICE_NAME_RULE})`);
            }
            const system = systemNamespaceOwner(rest);
            if (system !== undefined) {
                problems.add(
                    "layer",
                    layer,
                    `stack "${stack}" names the service "${rest}", but a service's name is its namespace and ${system}: the service's policies would apply to what runs there and destroying the service would delete the namespace; choose another service name (allowed: ${SERVICE_NAME_RULE}, not ${RESERVED_SERVICE_NAMES.join(", ")}, ${systemNamespacesText()})`,
                );
            }
            return { env, service: rest };
        }
    }
}
