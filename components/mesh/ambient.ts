/**
 * The mesh's data plane as the common layer installs it, as plain functions: which data plane an
 * environment runs (config `dataPlane`) and, for ambient mode, the values of Istio's `cni` and
 * `ztunnel` charts beside istiod's ambient profile. Nothing here creates a resource.
 *
 * Ambient mode (https://istio.io/latest/docs/ambient/install/helm/): istiod with the `ambient`
 * profile, the Istio CNI node agent (chart `cni`, profile `ambient`: it redirects the traffic of
 * pods in namespaces labelled `istio.io/dataplane-mode=ambient` to the node's ztunnel) and the
 * ztunnel DaemonSet (chart `ztunnel`: the node proxy enforcing L4 AuthorizationPolicies and mTLS
 * over HBONE, port 15008), installed in that order after `base`; L7 needs a waypoint (a Gateway
 * API `Gateway` of class `istio-waypoint`), so the Gateway API CRDs come first (./gateway-api.ts).
 * istiod's sidecar injector keeps working in ambient mode: a service may stay on sidecars (a mixed
 * mesh), and the ingress gateway stays an injected Envoy.
 */
import { ISTIO_IMAGE_HUB } from "../charts";

/**
 * The data planes an environment can run: `sidecar` (an Envoy injected into every pod) or
 * `ambient` (ztunnel on every node, waypoints for L7). Each service's own strategy is decided by
 * the data-plane seam (./dataplane.ts).
 */
export const MESH_DATA_PLANES = ["sidecar", "ambient"] as const;
export type MeshDataPlane = (typeof MESH_DATA_PLANES)[number];

/** The data plane of an environment that names none: today's, so existing environments keep it. */
export const DEFAULT_MESH_DATA_PLANE: MeshDataPlane = "sidecar";

/** The Helm profile (the charts' files/profile-ambient.yaml) that istiod and the CNI agent take in ambient mode. */
export const AMBIENT_PROFILE = "ambient";

/** The release names of the ambient data plane's charts, in the control plane's namespace. */
export const CNI_RELEASE = "istio-cni";
export const ZTUNNEL_RELEASE = "ztunnel";

/**
 * ztunnel's pods: their `app` label and the name of their metrics port (15020), both the chart's
 * (templates/daemonset.yaml): Prometheus scrapes `/metrics` there (components/observability).
 */
export const ZTUNNEL_APP = "ztunnel";
export const ZTUNNEL_METRICS_PORT_NAME = "ztunnel-stats";

/** Why `value` cannot be a data plane, or undefined. */
export function dataPlaneProblem(value: string): string | undefined {
    return MESH_DATA_PLANES.some((m) => m === value) ? undefined : `allowed: ${MESH_DATA_PLANES.join(", ")}`;
}

/**
 * Why a canary control plane cannot run with this data plane, or undefined. In ambient mode the
 * node-wide ztunnel and CNI agent serve every namespace and are upgraded in place (Istio's ambient
 * upgrade guide, https://istio.io/latest/docs/ambient/upgrade/helm/), which this platform does not
 * drive yet: a canary revision is refused rather than left half-installed.
 */
export function ambientCanaryProblem(dataPlane: string, canaryRevision: string): string | undefined {
    return dataPlane === "ambient" && canaryRevision !== ""
        ? "a canary control plane with dataPlane ambient (ztunnel and the CNI agent are node-wide and upgraded in place, not per revision); allowed: empty, or dataPlane sidecar"
        : undefined;
}

/** The subset of the `cni` chart's values.yaml we set (field names and nesting as the chart's). */
export interface CniValues {
    /** The chart's `ambient` profile: ambient redirection on, selecting `istio.io/dataplane-mode=ambient` pods. */
    readonly profile: typeof AMBIENT_PROFILE;
    /** The control plane the agent belongs to ('' for the default one). */
    readonly revision: string;
    readonly global: { readonly hub: string };
}

/**
 * Values of the `cni` chart: the ambient profile, the main control plane's revision, and the image
 * hub set explicitly (the 1.30 chart's falls back to `global.hub`, the retiring registry.istio.io).
 */
export function cniValues(revision: string): CniValues {
    return { profile: AMBIENT_PROFILE, revision, global: { hub: ISTIO_IMAGE_HUB } };
}

/** The subset of the `ztunnel` chart's values.yaml we set (field names and nesting as the chart's). */
export interface ZtunnelValues {
    /** The control plane whose xDS and CA ztunnel uses ('' for `istiod`, else `istiod-<revision>`). */
    readonly revision: string;
    /** ztunnel reads its own top-level `hub`, not `global.hub`. */
    readonly hub: string;
    /** Logs as JSON, like the mesh's access logs (istiod's `accessLogEncoding`). */
    readonly logAsJson: boolean;
}

/** Values of the `ztunnel` chart: the main control plane's revision, the image hub, JSON logs. */
export function ztunnelValues(revision: string): ZtunnelValues {
    return { revision, hub: ISTIO_IMAGE_HUB, logAsJson: true };
}
