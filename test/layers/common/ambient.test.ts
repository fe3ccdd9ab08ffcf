import * as assert from "assert";
import { ISTIO_VERSION } from "../../../components/mesh";
import { GATEWAY_API_VERSION, gatewayApiObjects } from "../../../components/mesh/gateway-api";
import { MINIMAL_COMMON_CONFIG, platformConfig } from "../../helpers/config";
import { devStackOutputs } from "../../helpers/fixtures";
import { Evaluation, evaluate } from "../../../plan/evaluate";
import { RecordedResource } from "../../../plan/recorder";
import { formatPolicyViolation, runPolicies } from "../../../plan/policy-run";
import { conventionViolations } from "../../../plan/conventions-check";

/** A common stack with the layer's minimal config and `extra`. */
function evaluateCommon(extra: Record<string, unknown> = {}): Promise<Evaluation> {
    return evaluate({
        stack: "dev-common",
        config: platformConfig({ ...MINIMAL_COMMON_CONFIG, ...extra }),
        secretKeys: [],
        stackOutputs: devStackOutputs(),
    });
}

function one(result: Evaluation, type: string, name: string): RecordedResource {
    const found = result.resources.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type} ${name}, found ${found.length}`);
    return found[0];
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAP_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";

/** The Gateway API CRDs of the standard channel v1.5.1, by name. */
const GATEWAY_API_CRDS = [
    "backendtlspolicies.gateway.networking.k8s.io",
    "gatewayclasses.gateway.networking.k8s.io",
    "gateways.gateway.networking.k8s.io",
    "grpcroutes.gateway.networking.k8s.io",
    "httproutes.gateway.networking.k8s.io",
    "listenersets.gateway.networking.k8s.io",
    "referencegrants.gateway.networking.k8s.io",
    "tlsroutes.gateway.networking.k8s.io",
];

describe("common layer in ambient mode (config dataPlane)", () => {
    let sidecar: Evaluation;
    let ambient: Evaluation;
    before(async () => {
        sidecar = await evaluateCommon();
        ambient = await evaluateCommon({ dataPlane: "ambient" });
    });

    it("keeps sidecars by default: output dataPlane sidecar, no cni, ztunnel or Gateway API CRDs, istiod without a profile", () => {
        assert.strictEqual(sidecar.outputs.dataPlane, "sidecar");
        // The mesh's own: the observability component's CRDs (the Prometheus operator's) are not Istio's.
        const kinds = new Set(sidecar.resources.filter((r) => r.parent === "istio").map((r) => r.type));
        assert.ok(!kinds.has(CRD) && !kinds.has(VAP) && !kinds.has(VAP_BINDING));
        const charts = sidecar.resources.filter((r) => r.type === RELEASE).map((r) => String(r.inputs.chart));
        assert.deepStrictEqual(
            charts.filter((c) => /\/(cni|ztunnel)$/.test(c)),
            [],
        );
        assert.ok(!("profile" in (one(sidecar, RELEASE, "istiod").inputs.values as object)));
    });

    it("exports dataPlane ambient and installs base -> Gateway API CRDs -> istiod (ambient profile) -> istio-cni -> ztunnel, pinned", () => {
        assert.strictEqual(ambient.outputs.dataPlane, "ambient");
        const mesh = ambient.resources.filter((r) => r.type === RELEASE && r.parent === "istio");
        assert.deepStrictEqual(mesh.map((r) => [r.name, r.inputs.chart, r.inputs.version, r.inputs.namespace]).sort(), [
            ["istio-base", "oci://ghcr.io/istio/release/charts/base", ISTIO_VERSION, "istio-system"],
            ["istio-cni", "oci://ghcr.io/istio/release/charts/cni", ISTIO_VERSION, "istio-system"],
            ["istio-ingressgateway", "oci://ghcr.io/istio/release/charts/gateway", ISTIO_VERSION, "istio-ingress"],
            ["istiod", "oci://ghcr.io/istio/release/charts/istiod", ISTIO_VERSION, "istio-system"],
            ["ztunnel", "oci://ghcr.io/istio/release/charts/ztunnel", ISTIO_VERSION, "istio-system"],
        ]);
        const istiod = one(ambient, RELEASE, "istiod");
        assert.strictEqual((istiod.inputs.values as any).profile, "ambient");
        assert.deepStrictEqual(
            [...istiod.dependsOn].sort(),
            [
                "istio-base",
                ...GATEWAY_API_CRDS.map((n) => `gateway-api-${n}`),
                "gateway-api-safe-upgrades.gateway.networking.k8s.io",
                "gateway-api-safe-upgrades.gateway.networking.k8s.io-binding",
            ].sort(),
        );
        const cni = one(ambient, RELEASE, "istio-cni");
        assert.deepStrictEqual(cni.inputs.values, {
            profile: "ambient",
            revision: "",
            global: { hub: "docker.io/istio" },
        });
        assert.deepStrictEqual(cni.dependsOn, ["istiod"]);
        const ztunnel = one(ambient, RELEASE, "ztunnel");
        assert.deepStrictEqual(ztunnel.inputs.values, { revision: "", hub: "docker.io/istio", logAsJson: true });
        assert.deepStrictEqual(ztunnel.dependsOn, ["istio-cni"]);
        // The ingress gateway stays an injected Envoy, after istiod.
        assert.ok(one(ambient, RELEASE, "istio-ingressgateway").dependsOn.includes("istiod"));
    });

    it("installs the Gateway API v1.5.1 standard channel as vendored: eight CRDs, then the safe-upgrades policy and its binding", () => {
        const crds = ambient.resources.filter((r) => r.type === CRD && r.parent === "istio");
        assert.deepStrictEqual(crds.map((r) => (r.inputs.metadata as any).name).sort(), GATEWAY_API_CRDS);
        const vendored = gatewayApiObjects();
        for (const crd of crds) {
            const metadata = crd.inputs.metadata as any;
            assert.strictEqual(metadata.annotations["gateway.networking.k8s.io/bundle-version"], GATEWAY_API_VERSION);
            assert.strictEqual(metadata.annotations["gateway.networking.k8s.io/channel"], "standard");
            assert.strictEqual(metadata.labels.environment, "dev");
            assert.deepStrictEqual(crd.inputs.spec, vendored.find((o) => o.name === metadata.name)?.spec);
            assert.strictEqual(crd.parent, "istio");
            // Kept when the stack goes: deleting a CRD deletes every object of its kind in the cluster.
            assert.strictEqual(crd.options.retainOnDelete, true);
            assert.ok(crd.dependsOn.includes("dev-common-general-node-group"));
        }
        const policy = one(ambient, VAP, "gateway-api-safe-upgrades.gateway.networking.k8s.io");
        const binding = one(ambient, VAP_BINDING, "gateway-api-safe-upgrades.gateway.networking.k8s.io-binding");
        assert.strictEqual((binding.inputs.spec as any).policyName, "safe-upgrades.gateway.networking.k8s.io");
        assert.ok(binding.dependsOn.includes(policy.name));
        assert.deepStrictEqual([policy.options.retainOnDelete, binding.options.retainOnDelete], [false, false]);
        assert.ok(GATEWAY_API_CRDS.every((n) => binding.dependsOn.includes(`gateway-api-${n}`)));
    });

    it("runs ztunnel and the CNI agent on the main control plane's revision", async () => {
        const result = await evaluateCommon({ dataPlane: "ambient", meshRevision: "1-30" });
        assert.strictEqual((one(result, RELEASE, "istio-cni").inputs.values as any).revision, "1-30");
        assert.strictEqual((one(result, RELEASE, "ztunnel").inputs.values as any).revision, "1-30");
        assert.deepStrictEqual(one(result, RELEASE, "istio-cni").dependsOn, ["istiod-1-30"]);
    });

    it("scrapes ztunnel at /metrics on its stats port, and keeps it out of the Envoy monitor", () => {
        const ztunnel = one(ambient, POD_MONITOR, "ztunnel-pod-monitor");
        assert.deepStrictEqual((ztunnel.inputs.metadata as any).name, "ztunnel");
        assert.deepStrictEqual(ztunnel.inputs.spec, {
            jobLabel: "app",
            namespaceSelector: { matchNames: ["istio-system"] },
            selector: { matchLabels: { app: "ztunnel" } },
            podMetricsEndpoints: [{ port: "ztunnel-stats", path: "/metrics", interval: "15s" }],
        });
        assert.deepStrictEqual(ztunnel.dependsOn, ["kube-prometheus-stack"]);
        const envoy = (one(ambient, POD_MONITOR, "envoy-pod-monitor").inputs.spec as any).podMetricsEndpoints[0];
        assert.deepStrictEqual(envoy.relabelings[0], {
            action: "drop",
            sourceLabels: ["__meta_kubernetes_pod_label_app"],
            regex: "ztunnel",
        });
        // In sidecar mode the Envoy monitor is unchanged and there is no ztunnel monitor.
        const sidecarEnvoy = (one(sidecar, POD_MONITOR, "envoy-pod-monitor").inputs.spec as any).podMetricsEndpoints[0];
        assert.deepStrictEqual(sidecarEnvoy.relabelings, envoy.relabelings.slice(1));
        assert.ok(!sidecar.resources.some((r) => r.name === "ztunnel-pod-monitor"));
    });

    it("breaks no policy of the pack (as pulumi preview --policy-pack policy) and follows the naming and tagging conventions", async () => {
        assert.deepStrictEqual((await runPolicies(ambient.resources)).map(formatPolicyViolation), []);
        assert.deepStrictEqual(conventionViolations(ambient.resources), []);
    });

    it("refuses an unknown data plane, and a canary control plane in ambient mode, naming the key, value and what is allowed", async () => {
        for (const [extra, message] of [
            [{ dataPlane: "istio-ambient" }, 'platform:dataPlane = "istio-ambient": allowed: sidecar, ambient'],
            [
                { dataPlane: "ambient", meshRevision: "1-30", meshCanaryRevision: "1-31" },
                'platform:meshCanaryRevision = "1-31": a canary control plane with dataPlane ambient (ztunnel and the CNI agent are node-wide and upgraded in place, not per revision); allowed: empty, or dataPlane sidecar',
            ],
        ] as const) {
            await assert.rejects(evaluateCommon(extra), (err: Error) => {
                assert.ok(err.message.includes(message), err.message);
                return true;
            });
        }
    });
});
