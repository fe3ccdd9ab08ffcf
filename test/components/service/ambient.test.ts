import * as assert from "assert";
import { AMBIENT_DATA_PLANE, SIDECAR_DATA_PLANE } from "../../../components/mesh";
import {
    ambientNetworkPolicySpecs,
    ambientPolicies,
    ambientProblems,
    httpRouteSpec,
    waypointDestinationRules,
    needsWaypoint,
    waypointReasons,
} from "../../../components/service/ambient";
import { dataPlaneProblems } from "../../../components/service/validation";
import { describeProblem } from "../../../components/problems";
import { MESH, settings } from "./settings";
import type { AuthorizationPolicySpec } from "../../../components/service/policies";

const WAYPOINT_REF = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }];
const NETWORK = { callees: ["payment"], vpcCidr: "10.20.0.0/16" };
const namespaces = (values: string[]) => ({
    namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values }] },
});

/** An L4-only service: callers by principal and namespace, one version, the default timeout. */
const L4 = settings({ allowedCallers: [{ service: "frontend" }, { namespace: "backend" }] });
/** An L7 service: a caller with methods and paths, JWT, a required header, a denied block and a canary. */
const L7 = settings({
    versions: [
        { name: "v1", image: "registry.example.com/a:1.0.0", weight: 90 },
        { name: "v2", image: "registry.example.com/a:1.1.0", weight: 10 },
    ],
    allowedCallers: [{ service: "frontend", methods: ["GET"], paths: ["/api/*"] }],
    jwt: { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" },
    requiredHeaders: ["x-tenant-id"],
    deniedSourceCidrs: ["203.0.113.0/24"],
    timeout: "10s",
});

describe("ambient services (components/service/ambient.ts)", () => {
    it("needs a waypoint exactly for what only an L7 proxy honours, and says which keys", () => {
        assert.deepStrictEqual(waypointReasons(L4), []);
        assert.strictEqual(needsWaypoint(L4), false);
        assert.deepStrictEqual(waypointReasons(L7), [
            "allowedCallers[0] names methods or paths",
            "jwt",
            "requiredHeaders",
            "deniedSourceCidrs",
            "versions (a weighted split)",
            "timeout",
        ]);
        assert.deepStrictEqual(waypointReasons(settings({ allowedCallers: [{ namespace: "a", paths: ["/x"] }] })), [
            "allowedCallers[0] names methods or paths",
        ]);
    });

    it("L4 only: the namespace joins ambient (no injection label) and ztunnel enforces the callers by selector", () => {
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.namespaceLabels("1-30", L4), {
            "istio.io/dataplane-mode": "ambient",
        });
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.authorizationObjects("payment", L4, MESH), [
            {
                id: "allow-callers",
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                name: "allow-callers",
                spec: {
                    selector: { matchLabels: { app: "payment" } },
                    action: "ALLOW",
                    rules: [
                        { from: [{ source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } }] },
                        { from: [{ source: { namespaces: ["backend"] } }] },
                    ],
                },
            },
        ]);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.routingObjects("payment", "h", L4, undefined), []);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.versionServices("payment", L4), []);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.egressObjects(["backend"], MESH, []), []);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.proxyMonitors(), []);
        assert.strictEqual(AMBIENT_DATA_PLANE.podOverhead, undefined);
        assert.strictEqual(AMBIENT_DATA_PLANE.egressScope, undefined);
    });

    it("L4 only: NetworkPolicies admit the callers on the service's port and HBONE, no sidecar metrics port", () => {
        assert.deepStrictEqual(ambientNetworkPolicySpecs("payment", L4, MESH, NETWORK).slice(0, 2), [
            { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
            {
                name: "allow-callers",
                spec: {
                    podSelector: { matchLabels: { app: "payment" } },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [namespaces(["backend", "frontend"])],
                            ports: [
                                { protocol: "TCP", port: 8080 },
                                { protocol: "TCP", port: 15008 },
                            ],
                        },
                    ],
                },
            },
        ]);
        const names = ambientNetworkPolicySpecs("payment", L4, MESH, NETWORK).map((np) => np.name);
        assert.deepStrictEqual(names, ["default-deny-ingress", "allow-callers", "allow-egress"]);
    });

    it("L7: a waypoint; ztunnel admits only the waypoint; the rules, DENY policies and JWT attach to it by targetRefs", () => {
        const mesh = { ...MESH, revision: "1-30" };
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.namespaceLabels("1-30", L7), {
            "istio.io/dataplane-mode": "ambient",
            "istio.io/use-waypoint": "waypoint",
        });
        const objects = AMBIENT_DATA_PLANE.authorizationObjects("backend", L7, mesh);
        assert.deepStrictEqual(objects[0], {
            id: "waypoint",
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            name: "waypoint",
            spec: {
                gatewayClassName: "istio-waypoint",
                listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }],
            },
            labels: { "istio.io/waypoint-for": "service", "istio.io/rev": "1-30" },
        });
        assert.deepStrictEqual(
            objects.slice(1).map((o) => [o.kind, o.id, o.name, o.spec]),
            [
                [
                    "AuthorizationPolicy",
                    "allow-waypoint",
                    "allow-waypoint",
                    {
                        selector: { matchLabels: { app: "backend" } },
                        action: "ALLOW",
                        rules: [{ from: [{ source: { principals: ["cluster.local/ns/backend/sa/waypoint"] } }] }],
                    },
                ],
                [
                    "AuthorizationPolicy",
                    "waypoint-allow-nothing",
                    "waypoint-allow-nothing",
                    { targetRefs: WAYPOINT_REF },
                ],
                [
                    "AuthorizationPolicy",
                    "allow-callers",
                    "allow-callers",
                    {
                        targetRefs: WAYPOINT_REF,
                        action: "ALLOW",
                        rules: [
                            {
                                from: [
                                    {
                                        source: {
                                            principals: ["cluster.local/ns/frontend/sa/frontend"],
                                            requestPrincipals: ["*"],
                                        },
                                    },
                                ],
                                to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }],
                            },
                        ],
                    },
                ],
                [
                    "AuthorizationPolicy",
                    "deny-source-ips",
                    "deny-source-ips",
                    {
                        targetRefs: WAYPOINT_REF,
                        action: "DENY",
                        rules: [
                            {
                                from: [
                                    { source: { ipBlocks: ["203.0.113.0/24"] } },
                                    { source: { remoteIpBlocks: ["203.0.113.0/24"] } },
                                ],
                            },
                        ],
                    },
                ],
                [
                    "AuthorizationPolicy",
                    "deny-missing-headers",
                    "deny-missing-headers",
                    {
                        targetRefs: WAYPOINT_REF,
                        action: "DENY",
                        rules: [{ when: [{ key: "request.headers[x-tenant-id]", notValues: ["*"] }] }],
                    },
                ],
                [
                    "RequestAuthentication",
                    "jwt",
                    "jwt",
                    {
                        targetRefs: WAYPOINT_REF,
                        jwtRules: [
                            {
                                issuer: "https://auth.example.com/",
                                jwksUri: "https://auth.example.com/jwks.json",
                                forwardOriginalToken: true,
                            },
                        ],
                    },
                ],
            ],
        );
        // No policy both selects pods and attaches to the waypoint (Istio refuses that).
        for (const p of ambientPolicies("backend", L7, MESH)) {
            assert.ok(!("selector" in p.spec && "targetRefs" in p.spec), p.name);
        }
    });

    it("L7: the HTTPRoute (Service as parent) weighs the versions' own Services, with the timeout; no VirtualService", () => {
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.routingObjects("backend", "h", L7, undefined).slice(0, 1), [
            {
                id: "",
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                name: "backend",
                spec: {
                    parentRefs: [{ group: "", kind: "Service", name: "backend", port: 80 }],
                    rules: [
                        {
                            backendRefs: [
                                { name: "backend-v1", port: 80, weight: 90 },
                                { name: "backend-v2", port: 80, weight: 10 },
                            ],
                            timeouts: { request: "10s" },
                        },
                    ],
                },
            },
        ]);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.versionServices("backend", L7), [
            { name: "backend-v1", version: "v1" },
            { name: "backend-v2", version: "v2" },
        ]);
        assert.deepStrictEqual(httpRouteSpec("a", settings({ timeout: "3s" })).rules, [
            { backendRefs: [{ name: "a", port: 80 }], timeouts: { request: "3s" } },
        ]);
    });

    it("L7: a DestinationRule per Service the route sends to, which the waypoint applies; none without a waypoint", () => {
        const rules = (s: ReturnType<typeof settings>) =>
            AMBIENT_DATA_PLANE.routingObjects("backend", "h", s, undefined)
                .filter((o) => o.kind === "DestinationRule")
                .map((o) => [o.id, o.name, (o.spec as { host: string }).host]);
        assert.deepStrictEqual(rules(L7), [
            ["v1", "backend-v1", "backend-v1.backend.svc.cluster.local"],
            ["v2", "backend-v2", "backend-v2.backend.svc.cluster.local"],
        ]);
        assert.deepStrictEqual(rules(settings({ timeout: "3s" })), [
            ["", "backend", "backend.backend.svc.cluster.local"],
        ]);
        assert.deepStrictEqual(rules(settings()), []);
        const [one] = waypointDestinationRules("backend", settings({ timeout: "3s" }));
        assert.deepStrictEqual(one.spec.trafficPolicy?.loadBalancer, { simple: "LEAST_REQUEST" });
        assert.ok(!("tls" in one.spec.trafficPolicy) && !("subsets" in one.spec));
    });

    it("L7: NetworkPolicies admit the callers and the waypoint (a pod of the namespace) on HBONE, and egress reaches it", () => {
        const nps = ambientNetworkPolicySpecs("backend", L7, MESH, NETWORK);
        assert.deepStrictEqual(nps[1], {
            name: "allow-callers",
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [namespaces(["frontend"]), { podSelector: {} }],
                        ports: [
                            { protocol: "TCP", port: 8080 },
                            { protocol: "TCP", port: 15008 },
                        ],
                    },
                ],
            },
        });
        assert.deepStrictEqual((nps[2].spec.egress as unknown[]).at(-1), { to: [{ podSelector: {} }] });
    });

    it("exposed: the gateway's route binds the gateway alone; behind a waypoint the namespace sends the gateway through it, L4 only the gateway reaches the pods", () => {
        const exposure = { gateway: "backend/backend", host: "backend.example.com" };
        const route = {
            id: "",
            apiVersion: "networking.istio.io/v1",
            kind: "VirtualService",
            name: "backend",
            spec: {
                hosts: ["backend.example.com"],
                gateways: ["backend/backend"],
                http: [{ route: [{ destination: { host: "h", port: { number: 80 } } }], timeout: L7.timeout }],
            },
        };
        const exposedL7 = { ...L7, exposed: true };
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.routingObjects("backend", "h", exposedL7, exposure).at(-1), route);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.namespaceLabels("", exposedL7), {
            "istio.io/dataplane-mode": "ambient",
            "istio.io/use-waypoint": "waypoint",
            "istio.io/ingress-use-waypoint": "true",
        });
        // The waypoint admits the gateway (its allow-callers, by targetRefs), with a token (L7 has jwt).
        const atWaypoint = ambientPolicies("backend", exposedL7, MESH).find((p) => p.name === "allow-callers")!;
        assert.deepStrictEqual((atWaypoint.spec as AuthorizationPolicySpec).rules?.at(-1), {
            from: [
                {
                    source: {
                        principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"],
                        requestPrincipals: ["*"],
                    },
                },
            ],
        });
        // L4: no waypoint to go through; ztunnel admits the gateway by identity.
        const exposedL4 = { ...L4, exposed: true };
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.routingObjects("payment", "h", exposedL4, exposure), [
            {
                ...route,
                name: "payment",
                spec: { ...route.spec, http: [{ ...route.spec.http[0], timeout: L4.timeout }] },
            },
        ]);
        assert.deepStrictEqual(AMBIENT_DATA_PLANE.namespaceLabels("", exposedL4), {
            "istio.io/dataplane-mode": "ambient",
        });
        const atZtunnel = ambientPolicies("payment", exposedL4, MESH).find((p) => p.name === "allow-callers")!;
        assert.ok(!("targetRefs" in atZtunnel.spec));
        assert.deepStrictEqual((atZtunnel.spec as AuthorizationPolicySpec).rules?.at(-1), {
            from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }],
        });
    });

    it("refuses each sidecar-only key with the key, the value, why, and what is allowed", () => {
        const s = settings({
            rateLimit: { maxTokens: 10, tokensPerFill: 5, fillInterval: "1s" },
            metricsPort: 9090,
            retries: 0,
        });
        assert.deepStrictEqual(ambientProblems(s).map(describeProblem), [
            'rateLimit = {"maxTokens":10,"tokensPerFill":5,"fillInterval":"1s"}: a per-pod rate limit is an EnvoyFilter in each sidecar, and Istio does not support EnvoyFilter on waypoints; allowed: no rateLimit in an environment with dataPlane ambient (docs/service.md, "Ambient mode"), or rate-limit at the caller or in the application',
            "metricsPort = 9090: the application's metrics are served through the sidecar's merged endpoint, and an ambient pod has no sidecar; allowed: no metricsPort in an environment with dataPlane ambient (docs/service.md, \"Ambient mode\") (ztunnel's and the waypoint's metrics are scraped by the common layer)",
            "retries = 0: an HTTPRoute's retry field is not in the Gateway API's standard channel (v1.5.1) the common layer installs, so the waypoint applies Istio's default retries; allowed: 2 (the default) in an environment with dataPlane ambient (docs/service.md, \"Ambient mode\")",
        ]);
        // Exposure is honoured: the gateway's route, and the gateway through the waypoint (below).
        assert.deepStrictEqual(ambientProblems(settings({ exposed: true })), []);
        assert.deepStrictEqual(SIDECAR_DATA_PLANE.settingsProblems(s), []);
    });

    it("counts no sidecar in the quota: a quota that fits the containers alone passes in ambient, not with sidecars", () => {
        // 4 pods (3 + a rollout's) × 100m = 400m; with the sidecar's 100m each, 800m.
        const s = settings({ quota: { ...L4.quota, requestsCpu: "400m" } });
        assert.deepStrictEqual(dataPlaneProblems(s, AMBIENT_DATA_PLANE), []);
        assert.deepStrictEqual(dataPlaneProblems(s, SIDECAR_DATA_PLANE).map(describeProblem), [
            'quota.requestsCpu = "400m": the service needs 800m CPU at its replicas during a rollout: 4 pods (v1 4) × (resources.cpuRequest 100m + the sidecar\'s 100m); raise it to at least 800m, or lower the replicas or resources.cpuRequest',
        ]);
        const tight = settings({ quota: { ...L4.quota, requestsCpu: "300m" } });
        assert.deepStrictEqual(dataPlaneProblems(tight, AMBIENT_DATA_PLANE).map(describeProblem), [
            'quota.requestsCpu = "300m": the service needs 400m CPU at its replicas during a rollout: 4 pods (v1 4) × resources.cpuRequest 100m; raise it to at least 400m, or lower the replicas or resources.cpuRequest',
        ]);
    });
});
