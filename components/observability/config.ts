/** The Observability component's config slice: the common stack's keys of Prometheus and Grafana. */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configKey, configSlice, requiredString } from "../config";
import type { ObservabilityArgs } from "./observability";
import { OBSERVABILITY_DEFAULTS } from "./settings";
import { retentionProblem, storageSizeProblem } from "./specs";
import { PROMETHEUS_STACK_VERSIONS, PrometheusStackVersion, prometheusStackVersionProblem } from "./crds";

/**
 * What the common layer passes Observability from config. Without `grafanaAdminPassword` (unset)
 * the layer generates one.
 */
export type ObservabilityConfig = Required<
    Pick<ObservabilityArgs, "prometheusRetention" | "prometheusStorageSize" | "prometheusStackVersion">
> & {
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
        prometheusStackVersion: configKey(
            z.enum(PROMETHEUS_STACK_VERSIONS as [PrometheusStackVersion, ...PrometheusStackVersion[]], {
                error: (issue) => prometheusStackVersionProblem(String(issue.input)),
            }),
            OBSERVABILITY_DEFAULTS.prometheusStackVersion,
            {
                description: `The kube-prometheus-stack chart version (Prometheus, its operator, Grafana): ${PROMETHEUS_STACK_VERSIONS.join(" or ")}. Changing it applies that version's Prometheus-operator CRDs first, then upgrades the release (docs/common.md, "CRDs and chart upgrades").`,
            },
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
        prometheusStackVersion: v.prometheusStackVersion,
        grafanaAdminPassword: secrets.grafanaAdminPassword,
    }),
);
