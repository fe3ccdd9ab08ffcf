import * as assert from "assert";
import { accessPlan, accessMeshOf } from "../../../plan/access-plan";
import { Evaluation, evaluate } from "../../../plan/evaluate";
import { StackPlan, hasViolations, manifestsOf, planEnvironment } from "../../../plan/plan";
import { readStackConfig } from "../../../plan/stack-config";
import { devStackOutputs } from "../../helpers/fixtures";
import { AMBIENT_FIXTURE_STACKS, FIXTURE_STACKS } from "../../helpers/stacks";

/** The stack's Kubernetes objects as `Kind name`, sorted. */
function objects(plan: StackPlan): string[] {
    return manifestsOf(plan.evaluation.resources)
        .map((m) => `${String(m.kind)} ${(m.metadata as { name: string }).name}`)
        .sort();
}

/** The stack's objects of `kind`, by name: `[name, labels that are Istio's, spec]`. */
function specs(plan: StackPlan, kind: string): [string, Record<string, string>, unknown][] {
    return manifestsOf(plan.evaluation.resources)
        .filter((m) => m.kind === kind)
        .map((m) => {
            const md = m.metadata as { name: string; labels: Record<string, string> };
            const istio = Object.fromEntries(Object.entries(md.labels).filter(([k]) => k.startsWith("istio.io/")));
            return [md.name, istio, m.spec] as [string, Record<string, string>, unknown];
        })
        .sort((a, b) => a[0].localeCompare(b[0]));
}

const WAYPOINT_REF = [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }];

/** The sidecar fixture's service stack in an environment whose common stack exports `dataPlane`. */
function evaluateIn(dataPlane: string, service: string): Promise<Evaluation> {
    const config = readStackConfig(`dev-${service}`, FIXTURE_STACKS);
    const outputs = devStackOutputs();
    outputs["organization/platform/dev-common"].outputs.dataPlane = dataPlane;
    return evaluate({ stack: config.stack, config: config.config, stackOutputs: outputs });
}

describe("service stacks of an ambient environment (test/fixtures/ambient-stacks)", () => {
    let plans: Record<string, StackPlan>;
    before(async () => {
        const planned = await planEnvironment("dev", AMBIENT_FIXTURE_STACKS);
        plans = Object.fromEntries(planned.map((p) => [p.config.stack, p]));
    });

    it("plans every stack of the environment with no convention or policy violation; the common stack exports ambient", () => {
        assert.deepStrictEqual(Object.keys(plans).sort(), [
            "dev",
            "dev-backend",
            "dev-common",
            "dev-frontend",
            "dev-payment",
        ]);
        for (const plan of Object.values(plans)) {
            assert.ok(!hasViolations(plan), `${plan.config.stack}: ${JSON.stringify(plan.violations)}`);
        }
        assert.strictEqual(plans["dev-common"].evaluation.outputs.dataPlane, "ambient");
    });

    it("L4 only (payment): ztunnel's policies by selector, no waypoint, no Sidecar, EnvoyFilter, VirtualService or PodMonitor", () => {
        const payment = plans["dev-payment"];
        assert.deepStrictEqual(objects(payment), [
            "AuthorizationPolicy allow-callers",
            "AuthorizationPolicy allow-nothing",
            "Deployment payment-v1",
            "LimitRange payment",
            "Namespace payment",
            "NetworkPolicy allow-callers",
            "NetworkPolicy allow-egress",
            "NetworkPolicy default-deny-ingress",
            "PeerAuthentication default",
            "PodDisruptionBudget payment",
            "ResourceQuota payment",
            "Service payment",
            "ServiceAccount payment",
            "ServiceEntry external-https-443",
        ]);
        assert.deepStrictEqual(specs(payment, "Namespace"), [
            ["payment", { "istio.io/dataplane-mode": "ambient" }, undefined],
        ]);
        assert.deepStrictEqual(specs(payment, "AuthorizationPolicy"), [
            [
                "allow-callers",
                {},
                {
                    selector: { matchLabels: { app: "payment" } },
                    action: "ALLOW",
                    rules: [{ from: [{ source: { namespaces: ["backend"] } }] }],
                },
            ],
            ["allow-nothing", {}, {}],
        ]);
        assert.deepStrictEqual(specs(payment, "PeerAuthentication"), [["default", {}, { mtls: { mode: "STRICT" } }]]);
    });

    it("L7 (backend): a waypoint, ztunnel admitting only it, targetRefs policies, an HTTPRoute to one Service per version", () => {
        const backend = plans["dev-backend"];
        assert.deepStrictEqual(objects(backend), [
            "AuthorizationPolicy allow-callers",
            "AuthorizationPolicy allow-nothing",
            "AuthorizationPolicy allow-waypoint",
            "AuthorizationPolicy waypoint-allow-nothing",
            "Deployment backend-v1",
            "Deployment backend-v2",
            "DestinationRule backend-v1",
            "DestinationRule backend-v2",
            "Gateway waypoint",
            "HTTPRoute backend",
            "HorizontalPodAutoscaler backend-v1",
            "HorizontalPodAutoscaler backend-v2",
            "LimitRange backend",
            "Namespace backend",
            "NetworkPolicy allow-callers",
            "NetworkPolicy allow-egress",
            "NetworkPolicy default-deny-ingress",
            "PeerAuthentication default",
            "PodDisruptionBudget backend",
            "ResourceQuota backend",
            "Service backend",
            "Service backend-v1",
            "Service backend-v2",
            "ServiceAccount backend",
        ]);
        assert.deepStrictEqual(specs(backend, "Namespace"), [
            ["backend", { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }, undefined],
        ]);
        // The waypoint applies the sidecar's traffic policy to each Service the route sends to (no subsets, no tls).
        const trafficPolicy = {
            loadBalancer: { simple: "LEAST_REQUEST" },
            connectionPool: {
                tcp: { maxConnections: 100, connectTimeout: "5s" },
                http: { http1MaxPendingRequests: 100, http2MaxRequests: 1000, maxRequestsPerConnection: 0 },
            },
            outlierDetection: {
                consecutive5xxErrors: 5,
                interval: "10s",
                baseEjectionTime: "30s",
                maxEjectionPercent: 50,
            },
        };
        assert.deepStrictEqual(specs(backend, "DestinationRule"), [
            ["backend-v1", {}, { host: "backend-v1.backend.svc.cluster.local", trafficPolicy }],
            ["backend-v2", {}, { host: "backend-v2.backend.svc.cluster.local", trafficPolicy }],
        ]);
        assert.deepStrictEqual(specs(backend, "Gateway"), [
            [
                "waypoint",
                { "istio.io/waypoint-for": "service" },
                { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
            ],
        ]);
        assert.deepStrictEqual(specs(backend, "AuthorizationPolicy"), [
            [
                "allow-callers",
                {},
                {
                    targetRefs: WAYPOINT_REF,
                    action: "ALLOW",
                    rules: [
                        {
                            from: [{ source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } }],
                            to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }],
                        },
                    ],
                },
            ],
            ["allow-nothing", {}, {}],
            [
                "allow-waypoint",
                {},
                {
                    selector: { matchLabels: { app: "backend" } },
                    action: "ALLOW",
                    rules: [{ from: [{ source: { principals: ["cluster.local/ns/backend/sa/waypoint"] } }] }],
                },
            ],
            ["waypoint-allow-nothing", {}, { targetRefs: WAYPOINT_REF }],
        ]);
        assert.deepStrictEqual(specs(backend, "HTTPRoute"), [
            [
                "backend",
                {},
                {
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
            ],
        ]);
        const services = specs(backend, "Service").map(([name, , spec]) => [name, (spec as any).selector]);
        assert.deepStrictEqual(services, [
            ["backend", { app: "backend" }],
            ["backend-v1", { app: "backend", version: "v1" }],
            ["backend-v2", { app: "backend", version: "v2" }],
        ]);
    });

    it("JWT (frontend): the RequestAuthentication and the token requirement attach to the waypoint", () => {
        const frontend = plans["dev-frontend"];
        assert.deepStrictEqual(specs(frontend, "RequestAuthentication"), [
            [
                "jwt",
                {},
                {
                    targetRefs: WAYPOINT_REF,
                    jwtRules: [
                        {
                            issuer: "https://auth.example.com/",
                            jwksUri: "https://auth.example.com/.well-known/jwks.json",
                            forwardOriginalToken: true,
                            audiences: ["shop"],
                        },
                    ],
                },
            ],
        ]);
        const callers = specs(frontend, "AuthorizationPolicy").find(([name]) => name === "allow-callers");
        assert.deepStrictEqual(callers?.[2], {
            targetRefs: WAYPOINT_REF,
            action: "ALLOW",
            rules: [
                {
                    from: [
                        { source: { principals: ["cluster.local/ns/payment/sa/payment"], requestPrincipals: ["*"] } },
                    ],
                },
                // Exposed: the ingress gateway, with a token, through the waypoint.
                {
                    from: [
                        {
                            source: {
                                principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"],
                                requestPrincipals: ["*"],
                            },
                        },
                    ],
                },
            ],
        });
    });

    it("exposed (frontend): the gateway's route is a VirtualService bound to the gateway alone, and the namespace sends the gateway through the waypoint", () => {
        const frontend = plans["dev-frontend"];
        assert.deepStrictEqual(specs(frontend, "VirtualService"), [
            [
                "frontend",
                {},
                {
                    hosts: ["frontend.dev.internal.example.com"],
                    gateways: ["frontend/frontend"],
                    http: [
                        {
                            route: [
                                { destination: { host: "frontend.frontend.svc.cluster.local", port: { number: 80 } } },
                            ],
                            timeout: "15s",
                        },
                    ],
                },
            ],
        ]);
        assert.deepStrictEqual(specs(frontend, "Namespace")[0][1], {
            ...specs(frontend, "Namespace")[0][1],
            "istio.io/dataplane-mode": "ambient",
            "istio.io/use-waypoint": "waypoint",
            "istio.io/ingress-use-waypoint": "true",
        });
        // The gateway's own server and its host's certificate, as for a sidecar service.
        assert.deepStrictEqual(
            specs(frontend, "Gateway").map(([name]) => name),
            ["frontend", "waypoint"],
        );
        assert.strictEqual(specs(frontend, "Certificate").length, 1);
        // Not exposed, the other services' namespaces do not send the gateway through their waypoint.
        assert.ok(!("istio.io/ingress-use-waypoint" in specs(plans["dev-backend"], "Namespace")[0][1]));
    });

    it("no service object of the ambient environment is sidecar-only, and ztunnel's and the waypoints' monitors stay the common layer's", () => {
        for (const stack of ["dev-backend", "dev-frontend", "dev-payment"]) {
            const kinds = new Set(manifestsOf(plans[stack].evaluation.resources).map((m) => m.kind));
            for (const kind of ["Sidecar", "EnvoyFilter", "PodMonitor"]) {
                assert.ok(!kinds.has(kind), `${stack} has a ${kind}`);
            }
            // A VirtualService only at the gateway (frontend is exposed), never for in-mesh routing.
            for (const m of manifestsOf(plans[stack].evaluation.resources).filter((m) => m.kind === "VirtualService")) {
                assert.deepStrictEqual((m.spec as { gateways?: string[] }).gateways, ["frontend/frontend"], stack);
            }
            const ns = specs(plans[stack], "Namespace")[0][1];
            assert.ok(!("istio-injection" in ns) && !("istio.io/rev" in ns), stack);
        }
    });

    it("the access matrix judges ambient services where they are enforced: behind a waypoint its targetRefs policies, then ztunnel admitting the waypoint; L4 only, ztunnel by identity", () => {
        const planned = Object.values(plans);
        const access = accessPlan(planned, accessMeshOf(planned));
        assert.deepStrictEqual(
            [...new Set(access.rows.map((r) => r.to))],
            [
                "backend",
                "frontend",
                "payment",
                "observability.prometheus",
                "observability.grafana",
                "observability.jaeger",
            ],
        );
        const verdicts = (to: string, method: string) =>
            access.rows
                .filter((r) => r.to === to && r.method === method)
                .map((r) => `${r.from} ${r.path}${r.token ? " token" : ""}: ${r.allowed} (${r.reason})`);
        // backend: L7 callers, so a waypoint. The frontend may GET and POST under /api/ only.
        assert.deepStrictEqual(verdicts("backend", "GET"), [
            "frontend /: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            "frontend /api: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            "frontend /api/example: true (waypoint: ALLOW backend/allow-callers; ztunnel: ALLOW backend/allow-waypoint)",
            "payment /: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            "payment /api: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            "payment /api/example: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            // The gateway sends to the pods, past the waypoint (no istio.io/ingress-use-waypoint).
            "ingress-gateway /: false (past the waypoint (a sidecar or the gateway sends to the pods): ztunnel: no ALLOW policy matched (backend/allow-nothing, backend/allow-waypoint))",
            "ingress-gateway /api: false (past the waypoint (a sidecar or the gateway sends to the pods): ztunnel: no ALLOW policy matched (backend/allow-nothing, backend/allow-waypoint))",
            "ingress-gateway /api/example: false (past the waypoint (a sidecar or the gateway sends to the pods): ztunnel: no ALLOW policy matched (backend/allow-nothing, backend/allow-waypoint))",
            "outsider /: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            "outsider /api: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
            "outsider /api/example: false (waypoint: no ALLOW policy matched (backend/allow-callers, backend/waypoint-allow-nothing))",
        ]);
        assert.deepStrictEqual(
            access.rows.filter((r) => r.to === "backend" && r.allowed).map((r) => `${r.from} ${r.method} ${r.path}`),
            ["frontend GET /api/example", "frontend POST /api/example"],
        );
        // frontend: JWT, so a waypoint; its caller payment needs a token, which only the gateway's
        // probes carry; exposed, so the gateway goes through the waypoint, which admits it with one.
        assert.deepStrictEqual(
            access.rows
                .filter((r) => r.to === "frontend" && r.allowed)
                .map((r) => `${r.from} ${r.method} ${r.path} ${r.reason}`),
            ["GET", "POST", "PUT", "DELETE"].map(
                (m) =>
                    `ingress-gateway ${m} / waypoint: ALLOW frontend/allow-callers; ztunnel: ALLOW frontend/allow-waypoint`,
            ),
        );
        // payment: L4 only, ztunnel alone admits the backend's namespace by identity, any method and path.
        assert.deepStrictEqual(verdicts("payment", "DELETE"), [
            "backend /: true (ALLOW payment/allow-callers)",
            "frontend /: false (no ALLOW policy matched (payment/allow-callers, payment/allow-nothing))",
            "ingress-gateway /: false (no ALLOW policy matched (payment/allow-callers, payment/allow-nothing))",
            "outsider /: false (no ALLOW policy matched (payment/allow-callers, payment/allow-nothing))",
            "other-in-backend /: true (ALLOW payment/allow-callers)",
        ]);
        // The shared workloads of observability (outside the mesh in either data plane) stay fenced.
        assert.deepStrictEqual(
            access.rows
                .filter(
                    (r) => r.from === "backend" && r.to === "observability.prometheus" && r.path === "/api/v1/query",
                )
                .map((r) => r.allowed),
            [false, false, false, false],
        );
        assert.deepStrictEqual(access.outbound, []);
    });

    it("a rule mutated in the plan changes the ambient rows: the waypoint's allow-callers on /api/* widened to any path admits the frontend on /", () => {
        const planned = Object.values(plans).map((p) =>
            p.config.stack !== "dev-backend"
                ? p
                : {
                      ...p,
                      evaluation: {
                          ...p.evaluation,
                          resources: p.evaluation.resources.map((r) => {
                              const md = r.inputs.metadata as { name?: string } | undefined;
                              if (
                                  r.type !== "kubernetes:security.istio.io/v1:AuthorizationPolicy" ||
                                  md?.name !== "allow-callers"
                              ) {
                                  return r;
                              }
                              const spec = JSON.parse(JSON.stringify(r.inputs.spec));
                              delete spec.rules[0].to;
                              return { ...r, inputs: { ...r.inputs, spec } };
                          }),
                      },
                  },
        );
        const row = accessPlan(planned, accessMeshOf(planned)).rows.find(
            (r) => r.from === "frontend" && r.to === "backend" && r.method === "GET" && r.path === "/",
        )!;
        assert.deepStrictEqual(
            [row.allowed, row.reason],
            [true, "waypoint: ALLOW backend/allow-callers; ztunnel: ALLOW backend/allow-waypoint"],
        );
    });

    it("refuses each sidecar-only key of a service stack before anything is created, naming the stack's file", async () => {
        await assert.rejects(evaluateIn("ambient", "frontend"), {
            message:
                'Configuration of stack "dev-frontend" (Pulumi.dev-frontend.yaml) is invalid; nothing was created:\n' +
                '  - platform:rateLimit = {"maxTokens":200,"tokensPerFill":100,"fillInterval":"1s"}: a per-pod rate limit is an EnvoyFilter in each sidecar, and Istio does not support EnvoyFilter on waypoints; allowed: no rateLimit in an environment with dataPlane ambient (docs/service.md, "Ambient mode"), or rate-limit at the caller or in the application\n' +
                "  - platform:metricsPort = 9090: the application's metrics are served through the sidecar's merged endpoint, and an ambient pod has no sidecar; allowed: no metricsPort in an environment with dataPlane ambient (docs/service.md, \"Ambient mode\") (ztunnel's and the waypoint's metrics are scraped by the common layer)",
        });
        await assert.rejects(evaluateIn("ambient", "payment"), {
            message:
                'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                "  - platform:retries = 0: an HTTPRoute's retry field is not in the Gateway API's standard channel (v1.5.1) the common layer installs, so the waypoint applies Istio's default retries; allowed: 2 (the default) in an environment with dataPlane ambient (docs/service.md, \"Ambient mode\")",
        });
    });

    it("refuses a data plane no strategy serves, naming the common stack's key", async () => {
        await assert.rejects(evaluateIn("mixed", "payment"), {
            message:
                'Configuration of stack "dev-common" (Pulumi.dev-common.yaml) is invalid; nothing was created:\n' +
                '  - platform:dataPlane = "mixed": stack "dev-payment" cannot join this data plane; allowed: sidecar, ambient',
        });
    });
});
