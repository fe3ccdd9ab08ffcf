import { CHARTS } from "../charts";

/**
 * The Istio release of the `base`, `istiod` and `gateway` charts, pinned with every other chart
 * in components/charts/sources.ts (which also says where charts and images come from). Istio 1.30
 * (May 2026) is a supported minor in late 2026 (https://istio.io/latest/docs/releases/supported-releases/);
 * 1.30.4 is its patch of 2026-08-27. Upgrade with a canary control plane (docs/common.md, "Mesh"):
 * set ISTIO_CANARY_VERSION to the new release and `meshCanaryRevision`, move the services over,
 * then promote it in components/charts/sources.ts.
 */
export const ISTIO_VERSION: string = CHARTS.istiod.version;

/**
 * The Istio release of the canary control plane (`meshCanaryRevision`); the same as
 * ISTIO_VERSION unless an upgrade is under way. While a canary runs, the `base` chart (CRDs,
 * backward compatible) is installed at this version too, as Istio's Helm upgrade asks.
 */
export const ISTIO_CANARY_VERSION: string = ISTIO_VERSION;

/** The three charts, in install order. */
export const ISTIO_CHARTS = ["base", "istiod", "gateway"] as const;
