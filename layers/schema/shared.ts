import { z } from "zod";
import { configKey, requiredString } from "@platform/components/config";

/** Keys every layer reads (`layer`) or that name the stacks a layer reads (`organization`, common and service). */
export const SHARED_SHAPE = {
    layer: configKey(z.string(), "", {
        description:
            "Which layer this stack is: global (stack <env>), common (stack <env>-common) or service (stack <env>-<service>).",
        mandatory: true,
    }),
    organization: configKey(requiredString(), "organization", {
        description:
            "Pulumi organization of the environment's stacks, used to name StackReferences (<organization>/platform/<stack>). Keep 'organization' for the local file and S3 backends; set your org for Pulumi Cloud.",
    }),
};
