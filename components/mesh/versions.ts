/**
 * The Istio release, pinned here and nowhere else: the `base`, `istiod` and `gateway` charts are
 * installed at this version from this repository. Istio 1.30 (May 2026) is a supported minor in
 * late 2026 (https://istio.io/latest/docs/releases/supported-releases/); 1.30.4 is its patch of
 * 2026-08-27. Upgrade with a canary control plane (docs/common.md, "Mesh"): set
 * ISTIO_CANARY_VERSION to the new release and `meshCanaryRevision`, move the services over, then
 * promote it to ISTIO_VERSION.
 */
export const ISTIO_VERSION = "1.30.4";

/**
 * The Istio release of the canary control plane (`meshCanaryRevision`); the same as
 * ISTIO_VERSION unless an upgrade is under way. While a canary runs, the `base` chart (CRDs,
 * backward compatible) is installed at this version too, as Istio's Helm upgrade asks.
 */
export const ISTIO_CANARY_VERSION: string = ISTIO_VERSION;

/** The official Istio Helm repository (https://istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_CHART_REPOSITORY = "https://istio-release.storage.googleapis.com/charts";

/** The three charts, in install order. */
export const ISTIO_CHARTS = ["base", "istiod", "gateway"] as const;
