import { EnvironmentSettings } from "@platform/components/conventions";
import {
    ENVIRONMENT_CONFIG,
    NETWORK_CONFIG,
    NetworkConfig,
    SliceContext,
    SliceValues,
    configKey,
} from "@platform/components/config";
import { z } from "zod";

/**
 * The global layer's keys (stack `<env>`): the environment's settings and its network, each the
 * slice of the component that owns them (components/conventions/config.ts,
 * components/network/config.ts), in Pulumi.yaml's order.
 */
export const GLOBAL_SHAPE = {
    ...ENVIRONMENT_CONFIG.keys,
    // The layer's own key, no component's: whether the environment may be torn down. True by
    // default, so a file written without the key (or a key lost in a copy) can never make an
    // environment removable. Marking one disposable is a reviewed change of this file and an `up`
    // of the global stack (the teardown reads the deployed output too), then a destroy that names
    // the environment.
    production: configKey(z.boolean(), true, {
        description:
            "Whether the environment is production: true (the default) refuses its teardown (npm run env -- destroy --unprotect); set false in the global stack of a review or throw-away environment, then deploy it, to allow one. Protected resources are protected either way.",
    }),
    ...NETWORK_CONFIG.keys,
};

/** The parsed values of the global layer's keys. */
export type GlobalValues = SliceValues<typeof GLOBAL_SHAPE>;

/** The validated config of a global stack. */
export interface GlobalConfig {
    readonly layer: "global";
    readonly stack: string;
    readonly environment: EnvironmentSettings;
    /** Whether the environment is production (its teardown is refused). */
    readonly production: boolean;
    readonly vpcCidr: string;
    /** The Network's arguments from config, checked by its own validation. */
    readonly network: NetworkConfig;
}

/**
 * The global stack's config from its parsed keys: each slice's settings, with its checks across
 * keys (stopTime against startTime, the subnet plan and the rest of the network); problems go to
 * `context.problems`.
 */
export function parseGlobalConfig(v: GlobalValues, context: SliceContext, env: string): GlobalConfig {
    const environment = ENVIRONMENT_CONFIG.settings(v, context, env);
    return {
        layer: "global",
        stack: context.stack,
        environment,
        production: v.production,
        vpcCidr: v.vpcCidr,
        network: NETWORK_CONFIG.settings(v, context, { env, region: v.region }),
    };
}
