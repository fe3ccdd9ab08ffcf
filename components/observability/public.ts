// The package's entry `@platform/components/observability`: Prometheus, Grafana, Jaeger and
// metrics-server, and the fence of their namespace. Loads @pulumi/kubernetes and @pulumi/random.
export { Observability } from "./observability";
export { ObservabilityFence } from "./fence";
export type { ObservabilityFenceArgs } from "./fence";
export type { ObservabilityArgs, ObservabilityStorage, PrometheusStackVersion } from "./index";
