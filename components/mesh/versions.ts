/**
 * The Istio release, pinned here and nowhere else: the `base`, `istiod` and `gateway` charts are
 * installed at this version from this repository. Istio 1.30 (May 2026) is a supported minor in
 * late 2026 (https://istio.io/latest/docs/releases/supported-releases/); 1.30.4 is its patch of
 * 2026-08-27. Upgrade by installing a second control plane with a `revision` (canary), moving
 * namespaces over, then removing the old one.
 */
export const ISTIO_VERSION = "1.30.4";

/** The official Istio Helm repository (https://istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_CHART_REPOSITORY = "https://istio-release.storage.googleapis.com/charts";

/** The three charts, in install order. */
export const ISTIO_CHARTS = ["base", "istiod", "gateway"] as const;
