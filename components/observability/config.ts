/** The Observability component's config slice: the common stack's keys of Prometheus and Grafana. */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configKey, configSlice, requiredString } from "../config";
import type { ObservabilityArgs } from "./observability";
import { OBSERVABILITY_DEFAULTS } from "./settings";
import { retentionProblem, storageSizeProblem } from "./specs";

/**
 * What the common layer passes Observability from config. Without `grafanaAdminPassword` (unset)
 * the layer generates one.
 */
export type ObservabilityConfig = Required<Pick<ObservabilityArgs, "prometheusRetention" | "prometheusStorageSize">> & {
    readonly grafanaAdminPassword?: pulumi.Output<string>;
};

export const OBSERVABILITY_CONFIG = configSlice(
    {
        prometheusRetention: configKey(requiredString(retentionProblem), OBSERVABILITY_DEFAULTS.prometheusRetention, {
            description: "How long Prometheus keeps samples, e.g. 3d or 2w.",
        }),
        prometheusStorageSize: configKey(
            requiredString(storageSizeProblem),
            OBSERVABILITY_DEFAULTS.prometheusStorageSize,
            { description: "Size of Prometheus' gp3 volume, e.g. 10Gi." },
        ),
        grafanaAdminPassword: configKey(z.string(), "", {
            description:
                "Grafana's admin password, set with pulumi config set --secret (a plain-text value is refused); when unset, one is generated and kept secret in the state.",
            secret: true,
        }),
    },
    (v, { secrets }): ObservabilityConfig => ({
        prometheusRetention: v.prometheusRetention,
        prometheusStorageSize: v.prometheusStorageSize,
        grafanaAdminPassword: secrets.grafanaAdminPassword,
    }),
);
