// The package's entry `@platform/components/mesh`: Istio from its Helm charts, and the names of the
// mesh's data planes and namespace. Loads @pulumi/kubernetes.
export { Istio } from "./istio";
export { ISTIO_NAMESPACE } from "./specs";
export type {
    IstioArgs,
    IstiodWebhooks,
    LoadBalancerScheme,
    OutboundTrafficPolicy,
    TracingCollector,
    MeshDataPlane,
} from "./index";
