import { CHARTS } from "../charts";

/**
 * The Istio release of the `base`, `istiod` and `gateway` charts, pinned with every other chart
 * in components/charts/sources.ts (which also says where charts and images come from). Istio 1.30
 * (May 2026) is a supported minor in late 2026 (https://istio.io/latest/docs/releases/supported-releases/);
 * 1.30.4 is its patch of 2026-08-27. A control plane may run another release within one minor of
 * it (config `meshVersion`, `meshCanaryVersion`: components/mesh/revisions.ts); upgrade with a
 * canary control plane and revision tags (docs/common.md, "Upgrading Istio by canary revision").
 */
export const ISTIO_VERSION: string = CHARTS.istiod.version;

/** The three charts, in install order. */
export const ISTIO_CHARTS = ["base", "istiod", "gateway"] as const;
