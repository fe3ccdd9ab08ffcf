import * as assert from "assert";
import { OTLP_GRPC_EXPORT_PATH } from "../../components/observability/specs";
import { isAllowNothing } from "../../policy/mesh";
import { commonStack, edit, serviceStack, violations } from "./fixtures";

const AP = "kubernetes:security.istio.io/v1:AuthorizationPolicy";

/** The violations of one policy only (an open rule may also break the JWT pairing, tested apart). */
async function violationsOf(policy: string, stack: Parameters<typeof violations>[0]): Promise<string[]> {
    return (await violations(stack)).filter((v) => v.startsWith(`[${policy}]`));
}

describe("policy pack: mesh (Istio)", () => {
    describe("mesh-gateway-https-only", () => {
        const found = (change: (servers: any[]) => void) =>
            violationsOf(
                "mesh-gateway-https-only",
                edit(serviceStack(), "gateway", (i) => change(i.spec.servers)),
            );

        it("passes TLS on 443 and a port-80 server that only redirects", async () => {
            assert.deepStrictEqual(await found(() => undefined), []);
        });

        it("refuses a plain-HTTP server (no redirect)", async () => {
            assert.deepStrictEqual(await found((servers) => delete servers[1].tls), [
                "[mesh-gateway-https-only] kubernetes:networking.istio.io/v1:Gateway gateway: Gateway backend/backend servers[1] (port 80, HTTP) serves in clear: serve HTTPS with TLS, or make a port-80 HTTP server that only redirects (tls.httpsRedirect: true)",
            ]);
        });

        it("refuses a redirect on a server that is not HTTP, and takes a terminated TLS server like HTTPS", async () => {
            assert.deepStrictEqual(
                await found((servers) => {
                    servers[1].port = { number: 80, name: "tcp", protocol: "TCP" };
                    servers[0].port = { number: 443, name: "tls", protocol: "TLS" };
                }),
                [
                    "[mesh-gateway-https-only] kubernetes:networking.istio.io/v1:Gateway gateway: Gateway backend/backend servers[1] (port 80, TCP) serves in clear: serve HTTPS with TLS, or make a port-80 HTTP server that only redirects (tls.httpsRedirect: true)",
                ],
            );
        });

        it("refuses an HTTPS server without a TLS mode, a certificate, or with TLS older than 1.2", async () => {
            assert.deepStrictEqual(
                await found((servers) => {
                    servers[0].tls = { mode: "PASSTHROUGH", minProtocolVersion: "TLSV1_1" };
                }),
                [
                    '[mesh-gateway-https-only] kubernetes:networking.istio.io/v1:Gateway gateway: Gateway backend/backend servers[0] (port 443, HTTPS) has tls.mode "PASSTHROUGH" (allowed: SIMPLE, MUTUAL), no tls.credentialName, tls.minProtocolVersion "TLSV1_1" (allowed: TLSV1_2, TLSV1_3): terminate TLS 1.2 or newer with the host\'s certificate',
                ],
            );
        });
    });

    describe("mesh-control-plane-ha", () => {
        const found = (stack: Parameters<typeof violations>[0]) => violationsOf("mesh-control-plane-ha", stack);

        it("passes istiod and the gateway with two replicas and PodDisruptionBudgets", async () => {
            assert.deepStrictEqual(await found(commonStack()), []);
        });

        it("refuses one replica and a missing PodDisruptionBudget, for each", async () => {
            const single = edit(
                edit(commonStack(), "istiod", (i) => {
                    i.values.autoscaleEnabled = false;
                    i.values.replicaCount = 1;
                    i.values.global.defaultPodDisruptionBudget.enabled = false;
                }),
                "istio-ingressgateway",
                (i) => {
                    delete i.values.autoscaling.minReplicas;
                    i.values.podDisruptionBudget = {};
                },
            );
            assert.deepStrictEqual(await found(single), [
                "[mesh-control-plane-ha] kubernetes:helm.sh/v3:Release istiod: istiod release istiod runs 1 replica at least: set istiodReplicas to 2 or more",
                "[mesh-control-plane-ha] kubernetes:helm.sh/v3:Release istiod: istiod release istiod has no PodDisruptionBudget: set global.defaultPodDisruptionBudget.enabled: true in its values",
                "[mesh-control-plane-ha] kubernetes:helm.sh/v3:Release istio-ingressgateway: gateway release istio-ingressgateway runs 1 replica at least: set gatewayReplicas to 2 or more",
                "[mesh-control-plane-ha] kubernetes:helm.sh/v3:Release istio-ingressgateway: gateway release istio-ingressgateway has no PodDisruptionBudget: set podDisruptionBudget (e.g. minAvailable: 1) in its values",
            ]);
        });

        it("reads the chart from a mirror folder too (chartMirror directory)", async () => {
            const mirrored = edit(commonStack(), "istio-ingressgateway", (i) => {
                i.chart = "/srv/charts/gateway-1.30.4";
                i.values = {};
            });
            assert.deepStrictEqual(await found(mirrored), [
                "[mesh-control-plane-ha] kubernetes:helm.sh/v3:Release istio-ingressgateway: gateway release istio-ingressgateway runs 1 replica at least: set gatewayReplicas to 2 or more",
                "[mesh-control-plane-ha] kubernetes:helm.sh/v3:Release istio-ingressgateway: gateway release istio-ingressgateway has no PodDisruptionBudget: set podDisruptionBudget (e.g. minAvailable: 1) in its values",
            ]);
        });
    });

    describe("mesh-control-plane-ha: the charts, whatever the release names; DaemonSet gateways; autoscaler maximums", () => {
        const found = (stack: Parameters<typeof violations>[0]) => violationsOf("mesh-control-plane-ha", stack);
        const HA = "kubernetes:helm.sh/v3:Release";
        /** The common stack with release `from` renamed `to` (logical and release name). */
        const renamed = (from: string, to: string, change: (inputs: any) => void = () => undefined) =>
            edit(commonStack(), from, (i) => {
                i.name = to;
                change(i);
            }).map((r) => (r.name === from ? { ...r, name: to } : r));

        it("finds the gateway and istiod by their charts: another release name is checked, another chart under the gateway's name is not", async () => {
            assert.deepStrictEqual(await found(renamed("istio-ingressgateway", "ingress", (i) => (i.values = {}))), [
                `[mesh-control-plane-ha] ${HA} ingress: gateway release ingress runs 1 replica at least: set gatewayReplicas to 2 or more`,
                `[mesh-control-plane-ha] ${HA} ingress: gateway release ingress has no PodDisruptionBudget: set podDisruptionBudget (e.g. minAvailable: 1) in its values`,
            ]);
            assert.deepStrictEqual(await found(renamed("istiod", "istiod-1-31", (i) => (i.values.autoscaleMin = 1))), [
                `[mesh-control-plane-ha] ${HA} istiod-1-31: istiod release istiod-1-31 runs 1 replica at least: set istiodReplicas to 2 or more`,
            ]);
            const notTheGateway = edit(commonStack(), "istio-ingressgateway", (i) => {
                i.chart = "oci://registry.example.com/charts/nginx";
                i.values = {};
            });
            assert.deepStrictEqual(await found(notTheGateway), []);
        });

        it("passes a DaemonSet gateway: one pod per node, no autoscaler, no PodDisruptionBudget needed", async () => {
            const daemonSet = edit(commonStack(), "istio-ingressgateway", (i) => (i.values = { kind: "DaemonSet" }));
            assert.deepStrictEqual(await found(daemonSet), []);
            // A Deployment said out loud is checked like the chart's default.
            const deployment = edit(commonStack(), "istio-ingressgateway", (i) => (i.values = { kind: "Deployment" }));
            assert.strictEqual((await found(deployment)).length, 2);
        });

        it("refuses an autoscaler maximum below 2 or below its minimum (istiod's autoscaleMax, the gateway's maxReplicas)", async () => {
            const capped = edit(
                edit(commonStack(), "istiod", (i) => (i.values.autoscaleMax = 1)),
                "istio-ingressgateway",
                (i) => Object.assign(i.values.autoscaling, { minReplicas: 3, maxReplicas: 2 }),
            );
            assert.deepStrictEqual(await found(capped), [
                `[mesh-control-plane-ha] ${HA} istiod: istiod release istiod has autoscaleMax 1, below 2: the autoscaler's maximum caps the replicas (and one below its minimum is refused); set it to 2 or more, or leave it unset (the chart's 5)`,
                `[mesh-control-plane-ha] ${HA} istio-ingressgateway: gateway release istio-ingressgateway has autoscaling.maxReplicas 2, below 3: the autoscaler's maximum caps the replicas (and one below its minimum is refused); set it to 3 or more, or leave it unset (the chart's 5)`,
            ]);
            // null removes the chart's default: istiod then gets no autoscaler and runs one pod.
            const nulled = edit(commonStack(), "istiod", (i) => (i.values.autoscaleMax = null));
            assert.deepStrictEqual(await found(nulled), [
                `[mesh-control-plane-ha] ${HA} istiod: istiod release istiod has autoscaleMax null, below 2: the autoscaler's maximum caps the replicas (and one below its minimum is refused); set it to 2 or more, or leave it unset (the chart's 5)`,
            ]);
            // Without an autoscaler the maximum is not read; at the floor it passes.
            const fixed = edit(commonStack(), "istiod", (i) =>
                Object.assign(i.values, { autoscaleEnabled: false, replicaCount: 2, autoscaleMax: 1 }),
            );
            const atFloor = edit(commonStack(), "istiod", (i) => (i.values.autoscaleMax = 2));
            assert.deepStrictEqual([await found(fixed), await found(atFloor)], [[], []]);
        });
    });

    describe("mesh-registry-only-outside-dev", () => {
        /** The common stack of environment `env`, its istiod release's outbound mode set (or unset). */
        const stackOf = (env: string, mode: string | undefined) =>
            edit(
                edit(commonStack(), "aws", (i) => (i.defaultTags.tags.environment = env)),
                "istiod",
                (i) =>
                    mode === undefined
                        ? delete i.values.meshConfig.outboundTrafficPolicy
                        : (i.values.meshConfig.outboundTrafficPolicy.mode = mode),
            );
        const found = async (env: string, mode: string | undefined) =>
            (await violations(stackOf(env, mode))).filter((v) => v.startsWith("[mesh-registry-only-outside-dev]"));

        it("refuses ALLOW_ANY, or no mode (Istio's default), in an environment other than dev", async () => {
            assert.deepStrictEqual(await found("prod", "ALLOW_ANY"), [
                '[mesh-registry-only-outside-dev] kubernetes:helm.sh/v3:Release istiod: istiod release istiod in environment prod has meshConfig.outboundTrafficPolicy.mode "ALLOW_ANY": set meshOutboundTrafficPolicy to REGISTRY_ONLY and declare each service\'s external hosts in its externalHosts',
            ]);
            assert.deepStrictEqual(await found("staging", undefined), [
                "[mesh-registry-only-outside-dev] kubernetes:helm.sh/v3:Release istiod: istiod release istiod in environment staging has meshConfig.outboundTrafficPolicy.mode null (Istio's default, ALLOW_ANY): set meshOutboundTrafficPolicy to REGISTRY_ONLY and declare each service's external hosts in its externalHosts",
            ]);
        });

        it("passes REGISTRY_ONLY anywhere, and ALLOW_ANY in dev", async () => {
            assert.deepStrictEqual(await found("prod", "REGISTRY_ONLY"), []);
            assert.deepStrictEqual(await violations(stackOf("dev", "ALLOW_ANY")), []);
        });
    });

    it("mesh-peer-authentication-strict: only STRICT, on every port", async () => {
        const stack = edit(commonStack(), "mesh-mtls", (i) => {
            i.spec.mtls.mode = "PERMISSIVE";
            i.spec.portLevelMtls = { 8080: { mode: "DISABLE" } };
        });
        assert.deepStrictEqual(await violations(stack), [
            '[mesh-peer-authentication-strict] kubernetes:security.istio.io/v1:PeerAuthentication mesh-mtls: PeerAuthentication istio-system/default has mtls.mode "PERMISSIVE": only STRICT is allowed',
            '[mesh-peer-authentication-strict] kubernetes:security.istio.io/v1:PeerAuthentication mesh-mtls: PeerAuthentication istio-system/default has portLevelMtls[8080].mode "DISABLE": only STRICT is allowed',
        ]);
        const unset = edit(commonStack(), "mesh-mtls", (i) => delete i.spec.mtls);
        assert.deepStrictEqual(await violations(unset), [
            "[mesh-peer-authentication-strict] kubernetes:security.istio.io/v1:PeerAuthentication mesh-mtls: PeerAuthentication istio-system/default has mtls.mode null: only STRICT is allowed",
        ]);
    });

    it("mesh-destination-rule-tls: no tls.mode DISABLE at any level", async () => {
        const stack = edit(serviceStack(), "destination-rule", (i) => {
            i.spec.trafficPolicy.tls.mode = "DISABLE";
            i.spec.subsets = [
                {
                    name: "v1",
                    labels: { version: "v1" },
                    trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] },
                },
            ];
        });
        assert.deepStrictEqual(await violations(stack), [
            "[mesh-destination-rule-tls] kubernetes:networking.istio.io/v1:DestinationRule destination-rule: DestinationRule backend/backend disables TLS (trafficPolicy.tls.mode: DISABLE): use ISTIO_MUTUAL or leave tls unset",
            "[mesh-destination-rule-tls] kubernetes:networking.istio.io/v1:DestinationRule destination-rule: DestinationRule backend/backend disables TLS (subsets[0].trafficPolicy.portLevelSettings[0].tls.mode: DISABLE): use ISTIO_MUTUAL or leave tls unset",
        ]);
    });

    it("mesh-no-wildcard-allow: no wildcard principal or namespace, no rule without a source", async () => {
        const stack = edit(serviceStack(), "allow-frontend", (i) => {
            i.spec.rules = [
                { from: [{ source: { principals: ["*"] } }, { source: { namespaces: ["frontend", "team-*"] } }] },
                { to: [{ operation: { methods: ["GET"] } }] },
            ];
        });
        assert.deepStrictEqual(await violationsOf("mesh-no-wildcard-allow", stack), [
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend rule 0 allows the wildcard principals "*": name each one`,
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend rule 0 allows the wildcard namespaces "team-*": name each one`,
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend rule 1 allows any source (no from): name principals or namespaces`,
        ]);
        // A DENY policy may use wildcards.
        const deny = edit(serviceStack(), "allow-frontend", (i) => {
            i.spec.action = "DENY";
            i.spec.rules = [{ from: [{ source: { notPrincipals: ["*"], namespaces: ["*"] } }] }];
        });
        assert.deepStrictEqual(await violationsOf("mesh-no-wildcard-allow", deny), []);
    });

    it("mesh-no-wildcard-allow: any authenticated workload only for trace export to the observability namespace's collector", async () => {
        const exportRule = {
            from: [{ source: { principals: ["*"] } }],
            to: [{ operation: { methods: ["POST"], paths: [OTLP_GRPC_EXPORT_PATH] } }],
        };
        const at = (namespace: string, rule: Record<string, unknown>) =>
            edit(serviceStack(), "allow-frontend", (i) => {
                i.metadata.namespace = namespace;
                i.spec.rules = [rule];
            });
        assert.deepStrictEqual(await violationsOf("mesh-no-wildcard-allow", at("observability", exportRule)), []);
        const wild = (ns: string) =>
            `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy ${ns}/allow-frontend rule 0 allows the wildcard principals "*": name each one`;
        // The same rule in a service's namespace, or on any other path or method, is refused.
        assert.deepStrictEqual(await violationsOf("mesh-no-wildcard-allow", at("backend", exportRule)), [
            wild("backend"),
        ]);
        const widened = [
            { ...exportRule, to: [{ operation: { methods: ["POST"], paths: ["/*"] } }] },
            { ...exportRule, to: [{ operation: { methods: ["GET", "POST"], paths: [OTLP_GRPC_EXPORT_PATH] } }] },
            { ...exportRule, to: [{ operation: { paths: [OTLP_GRPC_EXPORT_PATH] } }] },
            { ...exportRule, to: [] },
        ];
        for (const rule of widened) {
            assert.deepStrictEqual(
                await violationsOf("mesh-no-wildcard-allow", at("observability", rule)),
                [wild("observability")],
                JSON.stringify(rule),
            );
        }
    });

    it("mesh-no-wildcard-allow: no negated source, no empty source, no source of only a token or an address, no 0.0.0.0/0", async () => {
        const stack = edit(serviceStack(), "allow-frontend", (i) => {
            i.spec.rules = [
                {
                    from: [
                        { source: { notPrincipals: ["cluster.local/ns/evil/sa/evil"], requestPrincipals: ["*"] } },
                        { source: { notNamespaces: ["evil"], requestPrincipals: ["*"] } },
                    ],
                },
                { from: [{ source: {} }, {}] },
                {
                    from: [
                        { source: { requestPrincipals: ["*"] } },
                        { source: { ipBlocks: ["10.0.0.0/8"], requestPrincipals: ["*"] } },
                    ],
                },
                {
                    from: [
                        { source: { ipBlocks: ["0.0.0.0/0"], requestPrincipals: ["*"] } },
                        { source: { namespaces: ["a"], remoteIpBlocks: ["::/0"], requestPrincipals: ["*"] } },
                    ],
                }, // the second source names a namespace: its every-address block restricts nothing more, and is no wildcard
            ];
        });
        const at = `[mesh-no-wildcard-allow] ${AP} allow-frontend: AuthorizationPolicy backend/allow-frontend`;
        assert.deepStrictEqual(await violationsOf("mesh-no-wildcard-allow", stack), [
            `${at} rule 0 allows everyone but notPrincipals "cluster.local/ns/evil/sa/evil": name principals or namespaces instead`,
            `${at} rule 0 allows everyone but notNamespaces "evil": name principals or namespaces instead`,
            `${at} rule 1 has a source naming no principals or namespaces ({}): any workload matches it; name principals or namespaces`,
            `${at} rule 1 has a source naming no principals or namespaces ({}): any workload matches it; name principals or namespaces`,
            `${at} rule 2 has a source naming no principals or namespaces ({"requestPrincipals":["*"]}): any workload matches it; name principals or namespaces`,
            `${at} rule 2 has a source naming no principals or namespaces ({"ipBlocks":["10.0.0.0/8"],"requestPrincipals":["*"]}): any workload matches it; name principals or namespaces`,
            `${at} rule 3 allows every address (ipBlocks "0.0.0.0/0"): name principals or namespaces`,
        ]);
    });

    it("mesh-default-deny: every service namespace has an allow-nothing policy", async () => {
        assert.ok(
            isAllowNothing({ spec: {} }) &&
                isAllowNothing({}) &&
                isAllowNothing({ spec: { action: "ALLOW", rules: [] } }),
        );
        assert.ok(
            !isAllowNothing({ spec: { rules: [{}] } }) &&
                !isAllowNothing({ spec: { selector: { matchLabels: { a: "b" } } } }),
        );
        const stack = edit(
            serviceStack(),
            "deny-all",
            (i) => (i.spec = { selector: { matchLabels: { app: "backend" } } }),
        );
        assert.deepStrictEqual(await violations(stack), [
            "[mesh-default-deny] kubernetes:core/v1:Namespace namespace: namespace backend has no allow-nothing AuthorizationPolicy (empty spec): add one so that only explicit ALLOW rules admit traffic",
        ]);
        // Namespaces of the shared layers (owner-service common) are not service namespaces.
        assert.deepStrictEqual(await violations(commonStack()), []);
    });

    it("mesh-request-authentication-paired: every ALLOW on the workloads requires a request principal, or a DENY covers every path", async () => {
        const msg =
            '[mesh-request-authentication-paired] kubernetes:security.istio.io/v1:RequestAuthentication jwt: RequestAuthentication backend/jwt stands alone: requests without a token are accepted; require requestPrincipals in every rule of every ALLOW policy on its workloads, or DENY notRequestPrincipals ["*"] on every path';
        const noToken = (i: any) => delete i.spec.rules[0].from[0].source.requestPrincipals;
        assert.deepStrictEqual(await violations(edit(serviceStack(), "allow-frontend", noToken)), [msg]);
        // A second ALLOW on the same workloads without a token opens them: ALLOW policies add up.
        const second = [
            ...serviceStack(),
            ...edit(serviceStack(), "allow-frontend", noToken)
                .filter((r) => r.name === "allow-frontend")
                .map((r) => ({ ...r, name: "allow-more", urn: `${r.urn}-more` })),
        ];
        assert.deepStrictEqual(await violations(second), [msg]);
        // A path-limited DENY leaves the other paths open without a token.
        const pathDeny = (i: any) =>
            (i.spec = {
                selector: { matchLabels: { app: "backend" } },
                action: "DENY",
                rules: [
                    {
                        from: [{ source: { notRequestPrincipals: ["*"] } }],
                        to: [{ operation: { paths: ["/admin*"] } }],
                    },
                ],
            });
        const withDeny = (change: (i: any) => void) => [
            ...edit(serviceStack(), "allow-frontend", noToken),
            ...edit(serviceStack(), "deny-all", change)
                .filter((r) => r.name === "deny-all")
                .map((r) => ({ ...r, name: "require-jwt", urn: `${r.urn}-jwt` })),
        ];
        assert.deepStrictEqual(await violations(withDeny(pathDeny)), [msg]);
        // A DENY of every request without a principal pairs it, also limited to ports; so do the ALLOWs of the fixture.
        const fullDeny = (i: any) =>
            (i.spec = {
                selector: { matchLabels: { app: "backend" } },
                action: "DENY",
                rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }],
            });
        assert.deepStrictEqual(await violations(withDeny(fullDeny)), []);
        const portDeny = (i: any) =>
            (i.spec = {
                action: "DENY",
                rules: [
                    { from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { ports: ["8080"] } }] },
                ],
            });
        assert.deepStrictEqual(await violations(withDeny(portDeny)), []);
        const otherWorkload = edit(serviceStack(), "allow-frontend", (i) => {
            noToken(i);
            i.spec.selector.matchLabels = { app: "other" };
        });
        assert.deepStrictEqual(await violations(otherWorkload), [msg]);
        assert.deepStrictEqual(await violations(serviceStack()), []);
    });

    it("mesh-sidecar-per-namespace: every service namespace has a Sidecar for all its workloads, with named egress hosts", async () => {
        const missing = serviceStack().filter((r) => r.name !== "sidecar");
        assert.deepStrictEqual(await violations(missing), [
            "[mesh-sidecar-per-namespace] kubernetes:core/v1:Namespace namespace: namespace backend has no Sidecar without workloadSelector: add one whose egress lists the services it calls, or every proxy holds the whole mesh",
        ]);
        const scoped = edit(
            serviceStack(),
            "sidecar",
            (i) => (i.spec.workloadSelector = { labels: { app: "backend" } }),
        );
        assert.strictEqual((await violations(scoped)).length, 1);
        const open = edit(serviceStack(), "sidecar", (i) => (i.spec.egress = [{ hosts: ["istio-system/*", "*/*"] }]));
        assert.deepStrictEqual(await violations(open), [
            '[mesh-sidecar-per-namespace] kubernetes:networking.istio.io/v1:Sidecar sidecar: Sidecar backend/default has egress ["istio-system/*","*/*"]: list the callees\' hosts (<namespace>/<host>) and the shared ones, not */*',
        ]);
        assert.deepStrictEqual(await violations(commonStack()), []);
    });
});
