/**
 * The one Helm add-on of the package: a chart from the pinned table (components/charts/sources.ts),
 * installed as a Helm release in its namespace, from the stack's chart mirror, with its timeout
 * and after what it waits for, plus the namespace it may bring. Istio, Observability, CertManager,
 * ExternalDns and the LoadBalancerController install their charts with it; a new add-on does too
 * (docs/recipes.md, "Add an add-on").
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartMirror, ChartName, releaseChart } from "../charts";
import { Owner, WorkloadLabels, kubernetesMetadata } from "../conventions";

/**
 * How an add-on's CRDs are handled. `chart`: the chart installs them, and its values decide whether
 * they are kept when the release goes (cert-manager's `crds.keep`, Istio's base chart); right for a
 * chart that templates its CRDs (they upgrade with the release), not for one that ships them in its
 * `crds/` folder (Helm installs those once and never upgrades them). `platform`: the add-on applies
 * the CRDs itself, before the release (which it passes in `dependsOn`), and Helm skips the chart's
 * `crds/` folder (`skipCrds`): kube-prometheus-stack (components/observability/crds.ts).
 */
export type CrdHandling = "chart" | "platform";

/** One Helm release of an add-on. */
export interface HelmReleaseSpec {
    /** The chart, by its name in the pinned table. */
    readonly chart: ChartName;
    /** Another version than the pinned one (Istio's canary control plane). @default the pin */
    readonly version?: string;
    /** The release's name, also its logical name. */
    readonly release: string;
    /** The namespace it is installed in (made by the add-on, `addOnNamespace`, or the cluster's own). */
    readonly namespace: string;
    /** The chart's values (typed per chart by the add-on). */
    readonly values: object;
    /** Seconds Helm may take to install or upgrade it before the update fails. */
    readonly timeoutSeconds: number;
    /**
     * Wait until its workloads are ready (`skipAwait: false`): for a release others need running,
     * such as a webhook. @default the provider's default
     */
    readonly waitForReady?: boolean;
    /** How its CRDs are handled. @default "chart" */
    readonly crds?: CrdHandling;
}

/** Where an add-on's objects go: under its component, with the stack's kubernetes provider, charts from the mirror. */
export interface AddOnPlacement {
    readonly parent: pulumi.Resource;
    readonly provider: k8s.Provider;
    /** Where the charts come from (config `chartMirror`). @default upstream */
    readonly mirror?: ChartMirror;
}

/** The Helm release of `spec`, after `dependsOn`. */
export function helmRelease(
    spec: HelmReleaseSpec,
    placement: AddOnPlacement,
    dependsOn: readonly pulumi.Resource[],
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        spec.release,
        {
            name: spec.release,
            namespace: spec.namespace,
            ...releaseChart(spec.chart, placement.mirror, spec.version),
            values: { ...spec.values },
            ...(spec.waitForReady === undefined ? {} : { skipAwait: !spec.waitForReady }),
            ...(spec.crds === "platform" ? { skipCrds: true } : {}),
            timeout: spec.timeoutSeconds,
        },
        { parent: placement.parent, provider: placement.provider, dependsOn: [...dependsOn] },
    );
}

/**
 * A namespace an add-on makes for its releases (its labels: the owner's, the add-on's workload,
 * `labels`). `protect` when the namespace holds state that a deletion would lose (the add-on says
 * why where it asks): deleting a namespace deletes everything in it.
 */
export function addOnNamespace(
    owner: Owner,
    name: string,
    labels: { readonly workload: WorkloadLabels; readonly labels?: Record<string, string> },
    placement: AddOnPlacement,
    dependsOn: readonly pulumi.Resource[],
    protect = false,
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        name,
        { metadata: kubernetesMetadata(owner, name, labels) },
        { parent: placement.parent, provider: placement.provider, dependsOn: [...dependsOn], protect },
    );
}
