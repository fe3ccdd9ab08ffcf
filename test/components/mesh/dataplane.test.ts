import * as assert from "assert";
import {
    AMBIENT_DATA_PLANE,
    DATA_PLANES,
    DataPlane,
    SIDECAR_DATA_PLANE,
    SIDECAR_RESOURCES,
    dataPlaneOf,
    dataPlaneOfNamespace,
} from "../../../components/mesh";
import { envoyPodMonitorSpec } from "../../../components/observability";
import {
    destinationRuleSpec,
    localRateLimitSpec,
    serviceProblems,
    sidecarSpec,
    virtualServiceSpec,
} from "../../../components/service";
import { describeProblem } from "../../../components/problems";
import { MESH, settings } from "../service/settings";

describe("the data plane (components/mesh/dataplane.ts): how a service joins the mesh", () => {
    it("has two strategies, sidecar (the default and the one of any namespace no other claims) and ambient", () => {
        assert.deepStrictEqual(Object.keys(DATA_PLANES), ["sidecar", "ambient"]);
        assert.strictEqual(dataPlaneOf(), SIDECAR_DATA_PLANE);
        assert.strictEqual(dataPlaneOf("ambient"), AMBIENT_DATA_PLANE);
        assert.strictEqual(dataPlaneOfNamespace({ "istio.io/dataplane-mode": "ambient" }), AMBIENT_DATA_PLANE);
        assert.strictEqual(dataPlaneOfNamespace({ "istio.io/rev": "1-30" }), SIDECAR_DATA_PLANE);
        assert.strictEqual(dataPlaneOfNamespace({}), SIDECAR_DATA_PLANE);
    });

    it("sidecar: a namespace joins by the injection label (the revision's when there is one)", () => {
        const plane = SIDECAR_DATA_PLANE;
        assert.deepStrictEqual(plane.namespaceLabels(""), { "istio-injection": "enabled" });
        assert.deepStrictEqual(plane.namespaceLabels("1-30"), { "istio.io/rev": "1-30" });
        assert.ok(plane.isMember({ "istio-injection": "enabled" }) && plane.isMember({ "istio.io/rev": "1-31" }));
        assert.ok(!plane.isMember({ "istio-injection": "disabled" }));
    });

    it("sidecar: every pod runs a proxy whose resources count in the quota; policies bind by selector; a Sidecar scopes egress", () => {
        const plane = SIDECAR_DATA_PLANE;
        assert.deepStrictEqual(plane.podOverhead, { name: "the sidecar", ...SIDECAR_RESOURCES });
        assert.strictEqual(plane.policyBinding, "selector");
        assert.deepStrictEqual(plane.egressScope, { apiVersion: "networking.istio.io/v1", kind: "Sidecar" });
    });

    it("a caller's data plane decides whether its request for a Service behind a waypoint goes to the waypoint: ztunnel's does, a sidecar's goes to the pods", () => {
        assert.strictEqual(AMBIENT_DATA_PLANE.sendsToWaypoints, true);
        assert.strictEqual(SIDECAR_DATA_PLANE.sendsToWaypoints, false);
    });

    it("sidecar: the objects it makes for a service are the Sidecar, the EnvoyFilter, the DestinationRule and VirtualService", () => {
        const plane = SIDECAR_DATA_PLANE;
        const s = settings({ rateLimit: { maxTokens: 10, tokensPerFill: 5, fillInterval: "1s" } });
        const host = "backend.backend.svc.cluster.local";
        assert.deepStrictEqual(plane.egressObjects(["payment"], MESH, []), [
            {
                id: "sidecar",
                apiVersion: "networking.istio.io/v1",
                kind: "Sidecar",
                name: "default",
                spec: sidecarSpec(["payment"], MESH, []),
            },
        ]);
        assert.deepStrictEqual(plane.rateLimitObjects("backend", s.rateLimit!), [
            {
                id: "local-rate-limit",
                apiVersion: "networking.istio.io/v1alpha3",
                kind: "EnvoyFilter",
                name: "local-rate-limit",
                spec: localRateLimitSpec("backend", s.rateLimit!),
            },
        ]);
        const exposure = { gateway: "backend/backend", host: "shop.dev.internal.example.com" };
        assert.deepStrictEqual(
            plane.routingObjects("backend", host, s, exposure).map((o) => [o.id, o.kind, o.name, o.spec]),
            [
                ["", "DestinationRule", "backend", destinationRuleSpec(host, s)],
                ["", "VirtualService", "backend", virtualServiceSpec(host, s, exposure)],
            ],
        );
        assert.deepStrictEqual(plane.proxyMonitors(), [
            { id: "envoy-pod-monitor", name: "envoy-stats", spec: envoyPodMonitorSpec() },
        ]);
    });

    it("the quota check asks the data plane what each pod runs beside its container", () => {
        const s = settings({
            versions: [{ name: "v1", image: "registry.example.com/a:1.0.0", weight: 100 }],
            replicas: 9,
            quota: { requestsCpu: "2", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 30 },
        });
        const cpuRequests = (plane?: DataPlane) =>
            serviceProblems(s, plane && { dataPlane: plane })
                .filter((p) => p.path === "quota.requestsCpu")
                .map(describeProblem);
        // 10 pods (9 + a rollout's) × (100m + the sidecar's 100m) = 2 CPU: just fits.
        assert.deepStrictEqual(cpuRequests(), []);
        const heavier: DataPlane = {
            ...SIDECAR_DATA_PLANE,
            podOverhead: { ...SIDECAR_RESOURCES, name: "the proxy", requests: { cpu: "200m", memory: "128Mi" } },
        };
        assert.deepStrictEqual(cpuRequests(heavier), [
            'quota.requestsCpu = "2": the service needs 3 CPU at its replicas during a rollout: 10 pods (v1 10) × (resources.cpuRequest 100m + the proxy\'s 200m); raise it to at least 3, or lower the replicas or resources.cpuRequest',
        ]);
    });
});
