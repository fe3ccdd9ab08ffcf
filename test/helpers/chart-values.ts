import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CHARTS, ChartName } from "../../components/charts";

/**
 * Checks Helm values against a chart's own values files: Helm ignores keys a chart does not know,
 * so a misspelled key is silently lost. The charts' files are vendored under
 * test/fixtures/chart-values/ (see SOURCE.md there).
 */

/** The offline chart set, when one is here: $PLATFORM_CHARTS_DIR, else $SHARED_DIR/charts, else ../shared/charts. */
export const OFFLINE_CHARTS =
    process.env.PLATFORM_CHARTS_DIR ??
    path.join(process.env.SHARED_DIR ?? path.resolve(__dirname, "..", "..", "..", "shared"), "charts");

/**
 * The offline chart set's folder (../shared/charts, and the vendored values files) of each pinned
 * chart. Istio's is 1.30.3 while the platform pins 1.30.4 (the set has no 1.30.4): a patch apart.
 */
export const OFFLINE_CHART_FOLDERS: Readonly<Record<ChartName, string>> = {
    base: "base-1.30.3",
    istiod: "istiod-1.30.3",
    gateway: "gateway-1.30.3",
    cni: "cni-1.30.3",
    ztunnel: "ztunnel-1.30.3",
    "kube-prometheus-stack": `kube-prometheus-stack-${CHARTS["kube-prometheus-stack"].version}`,
    jaeger: `jaeger-${CHARTS.jaeger.version}`,
    "metrics-server": `metrics-server-${CHARTS["metrics-server"].version}`,
    "aws-load-balancer-controller": `aws-load-balancer-controller-${CHARTS["aws-load-balancer-controller"].version}`,
    // Not in the offline set: vendored from the upstream tag (test/fixtures/chart-values/SOURCE.md).
    "external-dns": `external-dns-${CHARTS["external-dns"].version}`,
    // Not in the offline set: the whole chart vendored from the upstream tag (same SOURCE.md).
    "cert-manager": `cert-manager-${CHARTS["cert-manager"].version}`,
};

/** The folder of the vendored values files, one `<chart>-<version>/` each. */
export const CHART_VALUES_DIR = path.resolve(__dirname, "..", "fixtures", "chart-values");

/** Istio's charts wrap their defaults in this key (a Helm workaround); users set the fields directly. */
const ISTIO_DEFAULTS_KEY = "_internal_defaults_do_not_set";

type Values = Record<string, unknown>;

function isMap(v: unknown): v is Values {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readValues(file: string): Values {
    const parsed = yaml.load(fs.readFileSync(file, "utf8"));
    return isMap(parsed) ? parsed : {};
}

/** `over` on top of `under`, maps merged key by key (as Helm merges a parent's values into a subchart's). */
function deepMerge(under: Values, over: Values): Values {
    const merged: Values = { ...under };
    for (const [key, value] of Object.entries(over)) {
        const below = merged[key];
        merged[key] = isMap(value) && isMap(below) ? deepMerge(below, value) : value;
    }
    return merged;
}

/**
 * The defaults a chart reads: its values.yaml, Istio's wrapped defaults unwrapped, and each
 * vendored subchart's values.yaml under the subchart's name (the parent's entries on top).
 */
export function chartDefaults(folder: string): Values {
    const own = readValues(path.join(folder, "values.yaml"));
    const { [ISTIO_DEFAULTS_KEY]: wrapped, ...rest } = own;
    // Istio's charts also read `profile`, which no values.yaml lists: templates/zzz_profile.yaml
    // merges files/profile-<profile>.yaml between the defaults and the user's values.
    const istioProfile: Values = isMap(wrapped) ? { profile: "" } : {};
    const defaults: Values = { ...istioProfile, ...(isMap(wrapped) ? wrapped : {}), ...rest };
    const subcharts = path.join(folder, "charts");
    if (fs.existsSync(subcharts)) {
        for (const name of fs.readdirSync(subcharts).sort()) {
            const parent = defaults[name];
            defaults[name] = deepMerge(chartDefaults(path.join(subcharts, name)), isMap(parent) ? parent : {});
        }
    }
    return defaults;
}

/**
 * Every key path of `values` that the chart's `defaults` do not have, as
 * dotted paths. Below a default that is empty, null or
 * a list (free-form: annotations, a whole configuration file) anything is accepted, and so it is
 * below the paths in `freeForm` (maps whose keys are another API, e.g. Istio's MeshConfig).
 */
export function unknownValuePaths(
    values: Values,
    defaults: Values,
    freeForm: ReadonlySet<string> = new Set(),
    prefix = "",
): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        const keyPath = prefix === "" ? key : `${prefix}.${key}`;
        if (!(key in defaults)) {
            problems.push(keyPath);
            continue;
        }
        const fallback = defaults[key];
        if (isMap(value) && isMap(fallback) && Object.keys(fallback).length > 0 && !freeForm.has(keyPath)) {
            problems.push(...unknownValuePaths(value, fallback, freeForm, keyPath));
        }
    }
    return problems;
}
