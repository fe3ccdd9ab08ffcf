import * as assert from "assert";
import type * as k8s from "@pulumi/kubernetes";
import { DestinationRuleSpec, deploymentSpec } from "../../components/service";
import { ServiceMonitorSpec } from "../../components/observability";

// Compiled by `tsc --noEmit` in `npm test`: each directive fails the build if its misspelled field
// ever became valid. This is what replaced the runtime unknown-field check of
// test/helpers/conformance.ts: every spec is built by a function typed with the models (or with
// @pulumi/kubernetes' input types), so a wrong field in a spec is a compile error.
describe("Kubernetes and Istio specs are typed", () => {
    it("rejects a misspelled spec field at compile time", () => {
        const deployment: ReturnType<typeof deploymentSpec> = {
            selector: {},
            template: {},
            // @ts-expect-error `replica` is not a DeploymentSpec field (@pulumi/kubernetes input types)
            replica: 2,
        };
        const quota: k8s.types.input.core.v1.ResourceQuotaSpec = {
            // @ts-expect-error `hardLimits` is not a ResourceQuotaSpec field
            hardLimits: { pods: "10" },
        };
        const rule: DestinationRuleSpec = {
            host: "backend",
            // @ts-expect-error `trafficPolcy` is not a DestinationRule field (@kubernetes-models/istio)
            trafficPolcy: {},
        };
        const monitor: ServiceMonitorSpec = {
            selector: {},
            // @ts-expect-error `endpoint` is not a ServiceMonitor field (@kubernetes-models/prometheus-operator)
            endpoint: [],
        };
        assert.strictEqual([deployment, quota, rule, monitor].length, 4);
    });
});
