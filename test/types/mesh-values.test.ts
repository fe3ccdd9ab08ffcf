import * as assert from "assert";
import { LoadBalancerControllerValues } from "../../components/cluster/load-balancer-controller";
import { ExternalDnsValues } from "../../components/cluster/external-dns";
import { MetricsServerValues } from "../../components/observability/values";
import {
    BaseValues,
    GatewayValues,
    IstiodValues,
    peerAuthenticationSpec,
    telemetrySpec,
} from "../../components/mesh/specs";

// Compiled by `tsc --noEmit` in `npm test`: each directive fails the build if its misspelled
// field ever became valid, so these lines prove a typo in the mesh's values or specs is a compile error.
describe("mesh values and Istio specs are typed", () => {
    it("rejects misspelled fields at compile time", () => {
        // @ts-expect-error `istioNamespce` is not a field of the base chart's `global`
        const base: BaseValues = { global: { istioNamespce: "istio-system" } };
        // @ts-expect-error `autoscalling` is not a key of the gateway chart
        const gatewayTypo: Pick<GatewayValues, "revision"> = { revision: "", autoscalling: {} };
        // @ts-expect-error `mtl` is not a PeerAuthentication field
        const pa: ReturnType<typeof peerAuthenticationSpec> = { mtl: { mode: "STRICT" } };
        // @ts-expect-error `randomSamplingPercent` is not a Telemetry tracing field
        const tel: ReturnType<typeof telemetrySpec> = { tracing: [{ randomSamplingPercent: 1 }] };
        // @ts-expect-error `autoscaleMinimum` is not a key of the istiod chart
        const istiod: Pick<IstiodValues, "revision"> = { revision: "", autoscaleMinimum: 2 };
        // @ts-expect-error `replica` is not a key of the metrics-server chart
        const metrics: MetricsServerValues = { replica: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
        // @ts-expect-error `txtOwner` is not a key of the external-dns chart
        const dns: Pick<ExternalDnsValues, "policy"> = { policy: "sync", txtOwner: "x" };
        // @ts-expect-error `vpcID` is not a key of the aws-load-balancer-controller chart
        const lbc: Pick<LoadBalancerControllerValues, "region"> = { region: "eu-west-1", vpcID: "vpc-1" };
        // @ts-expect-error `topologykey` is not a field of a TopologySpreadConstraint (kubernetes-models)
        const spread: IstiodValues["topologySpreadConstraints"] = [{ maxSkew: 1, topologykey: "zone" }];
        const schedule: GatewayValues["topologySpreadConstraints"] = [
            // @ts-expect-error `whenUnsatisfiable` is DoNotSchedule or ScheduleAnyway
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "Schedule" },
        ];
        assert.strictEqual([base, gatewayTypo, pa, tel, istiod, metrics, dns, lbc, spread, schedule].length, 10);
    });
});
