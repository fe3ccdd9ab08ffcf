import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { z } from "zod";
import {
    CERT_MANAGER_CONFIG,
    CHART_MIRROR_ALLOWED,
    CLUSTER_CONFIG,
    ClusterConfig,
    ISTIO_CONFIG,
    OBSERVABILITY_CONFIG,
    SliceContext,
    SliceValues,
    configKey,
    keysOfSlices,
    oneOf,
    parseChartMirror,
    settingsOfSlices,
} from "@platform/components/config";
import { ChartMirror } from "@platform/components/conventions";
import { keySpecs } from "../schema/keys";
import { SHARED_SHAPE } from "../schema/shared";

/**
 * The config slice of each add-on of the layer's composition (./addons.ts) that has keys, by the
 * add-on's settings' name. Here rather than with the composition: every stack's config check loads
 * this module, and the add-ons' code would load their cloud SDKs.
 */
export const ADDON_CONFIG = {
    observability: OBSERVABILITY_CONFIG,
    istio: ISTIO_CONFIG,
    certManager: CERT_MANAGER_CONFIG,
};

/** Each add-on's settings from its slice, as the layer's config holds them. */
export type AddOnSettings = ReturnType<typeof settingsOfSlices<typeof ADDON_CONFIG>>;

/** Where the common layer's cluster comes from: created (EKS) or given (a kubeconfig). */
export const CLUSTER_MODES = ["eks", "existing"] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];

/** A chart mirror (components/charts): its text parsed, or the mirror's own message. */
const chartMirror = z.string().transform((value, ctx): ChartMirror => {
    const mirror = parseChartMirror(value);
    if (typeof mirror === "string") {
        ctx.issues.push({ code: "custom", message: mirror, input: value });
        return { kind: "upstream" };
    }
    return mirror;
});

/** The common layer's own keys: where its cluster comes from, and where every add-on's chart does. */
const COMMON_OWN_SHAPE = {
    clusterMode: configKey(oneOf(CLUSTER_MODES), "eks", {
        description:
            "eks: create the environment's EKS cluster; existing: install the mesh and observability on an existing cluster given by kubeconfig (the EKS keys are then not read).",
    }),
    kubeconfig: configKey(z.string(), "", {
        description:
            "Kubeconfig of the existing cluster (clusterMode existing only), set with pulumi config set --secret kubeconfig < file (a plain-text value is refused).",
        secret: true,
    }),
    chartMirror: configKey(chartMirror, "", {
        description: `Where every Helm chart comes from: ${CHART_MIRROR_ALLOWED}. Charts and versions: components/charts/sources.ts.`,
    }),
};

/**
 * Every key a common stack reads, in Pulumi.yaml's order: the shared organization, the layer's
 * own keys, the Cluster's slice, then each add-on's (ADDON_CONFIG); a slice's keys, schemas,
 * defaults and checks are in its component's folder.
 */
export const COMMON_LAYER_SHAPE = {
    organization: SHARED_SHAPE.organization,
    ...COMMON_OWN_SHAPE,
    ...CLUSTER_CONFIG.keys,
    ...keysOfSlices(ADDON_CONFIG),
};

/** The parsed values of a common stack's keys. */
export type CommonValues = SliceValues<typeof COMMON_LAYER_SHAPE>;

/**
 * The validated config of a common stack: its own settings, the cluster's, and each add-on's
 * slice whole (`istio`, `observability`, `certManager`: ADDON_CONFIG).
 */
export interface CommonConfig extends AddOnSettings {
    readonly layer: "common";
    readonly stack: string;
    readonly env: string;
    /** Pulumi organization used to name the StackReference to the global stack. */
    readonly organization: string;
    /** eks: the stack creates the cluster; existing: it is given by `kubeconfig`. */
    readonly clusterMode: ClusterMode;
    /** The existing cluster's kubeconfig (secret); set exactly when clusterMode is existing. */
    readonly kubeconfig?: pulumi.Output<string>;
    /** Where every chart comes from. */
    readonly chartMirror: ChartMirror;
    /** The EKS cluster's settings; set exactly when clusterMode is eks. */
    readonly cluster?: ClusterConfig;
}

/**
 * The common stack's config from its parsed keys: the cluster mode and what it allows, then each
 * component's slice with its checks across keys; problems go to `context.problems`.
 */
export function parseCommonConfig(v: CommonValues, context: SliceContext, env: string): CommonConfig {
    const { stack, problems, secrets } = context;
    const kubeconfig = secrets.kubeconfig;
    let cluster: ClusterConfig | undefined;
    if (v.clusterMode === "existing") {
        if (kubeconfig === undefined) {
            problems.add(
                "kubeconfig",
                undefined,
                `required in stack "${stack}" with clusterMode existing; allowed: the existing cluster's kubeconfig, set with pulumi config set --secret kubeconfig < <file>`,
            );
        }
        // The Cluster's keys configure the EKS cluster this stack would create; kmsKeyAdminArns is
        // mandatory in every common stack (the environment's key administrators), so it may stay set.
        for (const spec of keySpecs(CLUSTER_CONFIG.keys).filter((k) => k.key !== "kmsKeyAdminArns")) {
            const value: unknown = v[spec.key as keyof CommonValues];
            if (!isDeepStrictEqual(value, spec.schema.parse(spec.default))) {
                problems.add(
                    spec.key,
                    value,
                    "not read with clusterMode existing (it configures the EKS cluster this stack would create); allowed: unset",
                );
            }
        }
    } else {
        cluster = CLUSTER_CONFIG.settings(v, context, undefined);
        if (kubeconfig !== undefined) {
            problems.add(
                "kubeconfig",
                "[secret]",
                `not read with clusterMode eks (the stack creates the cluster and its kubeconfig); allowed: unset, or set clusterMode to existing`,
            );
        }
    }
    const addOns = settingsOfSlices(ADDON_CONFIG, v, context);
    return {
        layer: "common",
        stack,
        env,
        organization: v.organization,
        clusterMode: v.clusterMode,
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        chartMirror: v.chartMirror,
        ...(cluster === undefined ? {} : { cluster }),
        ...addOns,
    };
}
