import * as assert from "assert";
import { isConfigError } from "../../../layers/config";
import { platformConfig } from "../../helpers/config";
import { Evaluation, evaluate } from "../../../plan/evaluate";
import { devStackOutputs } from "../../helpers/fixtures";
import { manifestsOf } from "../../../plan/plan";
import { RecordedResource } from "../../../plan/recorder";
import { readStackConfig } from "../../../plan/stack-config";
import { conventionViolations } from "../../../plan/conventions-check";
import { FIXTURE_STACKS } from "../../helpers/stacks";

async function evaluateDev(service: string): Promise<Evaluation> {
    const config = readStackConfig(`dev-${service}`, FIXTURE_STACKS);
    return evaluate({
        stack: config.stack,
        config: config.config,
        secretKeys: config.secretKeys,
        stackOutputs: devStackOutputs(),
    });
}

const AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const byType = (e: Evaluation, type: string) => e.resources.filter((r) => r.type === type);
const one = (e: Evaluation, type: string, name?: string): RecordedResource => {
    const found = byType(e, type).filter((r) => name === undefined || r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type}${name ? ` ${name}` : ""}, got ${found.length}`);
    return found[0];
};
const spec = (r: RecordedResource) => r.inputs.spec as any;
const meta = (r: RecordedResource) => r.inputs.metadata as any;

describe("service layer (layers/service/deploy.ts)", () => {
    const evaluations: Record<string, Evaluation> = {};
    before(async () => {
        for (const s of ["frontend", "backend", "payment"]) {
            evaluations[s] = await evaluateDev(s);
        }
    });

    it("exports exactly the ServiceOutputs: namespace, account, principal, host and, when exposed, url", () => {
        assert.deepStrictEqual(evaluations.backend.outputs, {
            host: "backend.backend.svc.cluster.local",
            namespace: "backend",
            principal: "cluster.local/ns/backend/sa/backend",
            serviceAccount: "backend",
        });
        assert.deepStrictEqual(evaluations.frontend.outputs, {
            host: "frontend.frontend.svc.cluster.local",
            namespace: "frontend",
            principal: "cluster.local/ns/frontend/sa/frontend",
            serviceAccount: "frontend",
            url: "https://frontend.dev.internal.example.com",
        });
    });

    it("builds the kubernetes provider from the common stack's kubeconfig (secret) and gives it to every object", () => {
        for (const [service, e] of Object.entries(evaluations)) {
            const provider = one(e, "pulumi:providers:kubernetes");
            assert.strictEqual(provider.inputs.kubeconfig, "[secret]");
            assert.strictEqual(provider.inputs.enableServerSideApply, "true"); // provider inputs reach the engine as strings
            // The service's own account mounts no API token: nothing in a workload talks to the API server.
            const account = one(e, "kubernetes:core/v1:ServiceAccount");
            assert.strictEqual(account.inputs.automountServiceAccountToken, false, account.name);
            const objects = e.resources.filter((r) => r.type.startsWith("kubernetes:"));
            assert.ok(objects.length >= 12);
            for (const r of objects) {
                assert.strictEqual(r.provider, "kubernetes", `${r.type} ${r.name}`);
                // Its objects live in its namespace (an exposed host's Certificate in the gateway's).
                assert.strictEqual(r.parent, service, `${r.type} ${r.name} is parented by the Service component`);
            }
            assert.deepStrictEqual(conventionViolations(e.resources), []);
        }
    });

    it("every service gets the default-deny set: allow-nothing (empty spec) and a namespace PeerAuthentication STRICT", () => {
        for (const [service, e] of Object.entries(evaluations)) {
            const allowNothing = one(e, AUTHZ, `${service}-allow-nothing`);
            assert.deepStrictEqual(allowNothing.inputs.spec, {});
            assert.strictEqual(allowNothing.inputs.apiVersion, "security.istio.io/v1");
            assert.deepStrictEqual([meta(allowNothing).name, meta(allowNothing).namespace], ["allow-nothing", service]);
            const mtls = one(e, "kubernetes:security.istio.io/v1:PeerAuthentication");
            assert.deepStrictEqual(
                [meta(mtls).name, meta(mtls).namespace, spec(mtls)],
                ["default", service, { mtls: { mode: "STRICT" } }],
            );
            // The workload waits for its policies: never a moment without default deny.
            for (const d of byType(e, "kubernetes:apps/v1:Deployment")) {
                assert.ok(d.dependsOn.includes(`${service}-allow-nothing`) && d.dependsOn.includes(`${service}-mtls`));
            }
        }
    });

    it("the namespace is labelled for sidecar injection and carries our labels and annotations", () => {
        const ns = one(evaluations.payment, "kubernetes:core/v1:Namespace");
        assert.deepStrictEqual(meta(ns), {
            name: "payment",
            labels: {
                environment: "dev",
                "owner-service": "payment",
                "team-name": "platform-team",
                "app.kubernetes.io/part-of": "platform",
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/name": "payment",
                "app.kubernetes.io/component": "service",
                "istio-injection": "enabled",
            },
            annotations: {
                contact: "platform-team@example.com",
                "time-zone": "Europe/Berlin",
                "start-time": "07:00",
                "stop-time": "19:00",
            },
        });
        assert.deepStrictEqual(spec(one(evaluations.payment, "kubernetes:core/v1:ResourceQuota")).hard.pods, "30");
        assert.deepStrictEqual(spec(one(evaluations.payment, "kubernetes:core/v1:LimitRange")).limits[0].default, {
            cpu: "1",
            memory: "512Mi",
            "ephemeral-storage": "1Gi",
        });
    });

    it("backend: only the frontend's principal, GET and POST on /api/*, and a 90/10 canary of v2", () => {
        const e = evaluations.backend;
        assert.deepStrictEqual(spec(one(e, AUTHZ, "backend-allow-callers")), {
            selector: { matchLabels: { app: "backend" } },
            action: "ALLOW",
            rules: [
                {
                    from: [{ source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } }],
                    to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/*"] } }],
                },
            ],
        });
        assert.deepStrictEqual(
            byType(e, AUTHZ).map((r) => r.name),
            ["backend-allow-callers", "backend-allow-nothing"],
        );
        const deployments = byType(e, "kubernetes:apps/v1:Deployment");
        assert.deepStrictEqual(
            deployments.map((d) => [
                d.name,
                spec(d).template.spec.containers[0].image,
                spec(d).template.metadata.labels.version,
            ]),
            [
                ["backend-v1", "registry.example.com/shop/backend:2.7.0", "v1"],
                ["backend-v2", "registry.example.com/shop/backend:2.8.0-rc.1", "v2"],
            ],
        );
        const route = spec(one(e, "kubernetes:networking.istio.io/v1:VirtualService")).http[0].route;
        assert.deepStrictEqual(
            route.map((r: any) => [r.destination.subset, r.weight]),
            [
                ["v1", 90],
                ["v2", 10],
            ],
        );
        assert.strictEqual(
            route.reduce((sum: number, r: { weight: number }) => sum + r.weight, 0),
            100,
        );
        assert.deepStrictEqual(
            spec(one(e, "kubernetes:networking.istio.io/v1:DestinationRule")).subsets.map((s: any) => s.name),
            ["v1", "v2"],
        );
        assert.deepStrictEqual(
            byType(e, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => spec(h).scaleTargetRef.name),
            ["backend-v1", "backend-v2"],
        );
        assert.strictEqual(byType(e, "kubernetes:networking.istio.io/v1:Gateway").length, 0);
        assert.strictEqual(byType(e, "kubernetes:cert-manager.io/v1:Certificate").length, 0);
    });

    it("payment: only the backend namespace, POST on /charge", () => {
        assert.deepStrictEqual(spec(one(evaluations.payment, AUTHZ, "payment-allow-callers")).rules, [
            {
                from: [{ source: { namespaces: ["backend"] } }],
                to: [{ operation: { methods: ["POST"], paths: ["/charge"] } }],
            },
        ]);
        assert.strictEqual(spec(one(evaluations.payment, "kubernetes:apps/v1:Deployment")).replicas, 3);
    });

    it("payment: its declared external host as a ServiceEntry of its namespace only, before its pods, and in its Sidecar's egress", () => {
        const entry = one(evaluations.payment, "kubernetes:networking.istio.io/v1:ServiceEntry");
        assert.strictEqual(entry.name, "payment-external-https-443");
        assert.deepStrictEqual(
            [meta(entry).name, meta(entry).namespace, meta(entry).labels["owner-service"]],
            ["external-https-443", "payment", "payment"],
        );
        assert.deepStrictEqual(spec(entry), {
            hosts: ["api.payments.example.com"],
            exportTo: ["."],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }],
        });
        assert.ok(
            one(evaluations.payment, "kubernetes:apps/v1:Deployment").dependsOn.includes("payment-external-https-443"),
        );
        assert.deepStrictEqual(
            spec(one(evaluations.payment, "kubernetes:networking.istio.io/v1:Sidecar")).egress[0].hosts.slice(-1),
            ["./api.payments.example.com"],
        );
        // Services that declare none get none.
        assert.deepStrictEqual(byType(evaluations.backend, "kubernetes:networking.istio.io/v1:ServiceEntry"), []);
        assert.deepStrictEqual(byType(evaluations.frontend, "kubernetes:networking.istio.io/v1:ServiceEntry"), []);
    });

    it("backend fits its quota at its autoscalers' maximum during a rollout: 2 versions × (10 + 1) pods, each its container and its sidecar", () => {
        const e = evaluations.backend;
        const hpas = byType(e, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => spec(h).maxReplicas);
        assert.deepStrictEqual(hpas, [10, 10]);
        // 22 pods × (500m + 500m) limits, × (100m + 100m) requests, × (256Mi + 256Mi), × (128Mi + 128Mi).
        assert.deepStrictEqual(spec(one(e, "kubernetes:core/v1:ResourceQuota")).hard, {
            "requests.cpu": "4400m",
            "requests.memory": "8Gi",
            "limits.cpu": "22",
            "limits.memory": "16Gi",
            pods: "30",
        });
        for (const d of byType(e, "kubernetes:apps/v1:Deployment")) {
            assert.strictEqual("replicas" in spec(d), false, "the HPA owns the replicas");
            assert.deepStrictEqual(spec(d).strategy, {
                type: "RollingUpdate",
                rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
            });
        }
    });

    it("creates the Sidecar and NetworkPolicies before any pod, from the environment's stack files", () => {
        const e = evaluations.frontend;
        const deployment = one(e, "kubernetes:apps/v1:Deployment");
        for (const dep of [
            "frontend-sidecar",
            "frontend-default-deny-ingress",
            "frontend-allow-callers",
            "frontend-allow-prometheus",
            "frontend-allow-egress",
        ]) {
            assert.ok(deployment.dependsOn.includes(dep), dep);
        }
        // dev-backend.yaml admits frontend: frontend's proxies know backend and nothing else of dev.
        assert.deepStrictEqual(spec(one(e, "kubernetes:networking.istio.io/v1:Sidecar")).egress[0].hosts.slice(3), [
            "backend/backend.backend.svc.cluster.local",
        ]);
        assert.deepStrictEqual(meta(one(e, "kubernetes:networking.istio.io/v1:Sidecar")).name, "default");
        // Egress outside the VPC is open (NAT); inside it, only HTTPS (AWS endpoints) beyond the listed namespaces.
        const egress = byType(e, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
            (n) => meta(n).name === "allow-egress",
        )!;
        // istiod's xDS port, Jaeger's collector, the callee (backend), then out of the VPC.
        assert.deepStrictEqual(
            spec(egress)
                .egress.slice(1, 3)
                .map((r: { ports: unknown }) => r.ports),
            [[{ protocol: "TCP", port: 15012 }], [{ protocol: "TCP", port: 4317 }]],
        );
        assert.deepStrictEqual(spec(egress).egress.slice(4), [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.20.0.0/16"] } }] },
            { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 443 }] },
        ]);
    });

    it("frontend: exposed on the gateway (Gateway in its namespace, VirtualService bound), JWT paired, rate limited, metrics scraped", () => {
        const e = evaluations.frontend;
        // JWT: the gateway's rule also requires a request principal, a valid token (no HTTP-only DENY, IST0133).
        assert.deepStrictEqual(spec(one(e, AUTHZ, "frontend-allow-callers")).rules, [
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
        ]);
        assert.deepStrictEqual(
            byType(e, AUTHZ)
                .map((p) => [meta(p).name, spec(p).action])
                .sort(),
            [
                ["allow-callers", "ALLOW"],
                ["allow-nothing", undefined],
            ],
        );
        const ra = one(e, "kubernetes:security.istio.io/v1:RequestAuthentication");
        assert.deepStrictEqual(spec(ra).jwtRules, [
            {
                issuer: "https://auth.example.com/",
                jwksUri: "https://auth.example.com/.well-known/jwks.json",
                forwardOriginalToken: true,
                audiences: ["shop"],
            },
        ]);
        const gw = one(e, "kubernetes:networking.istio.io/v1:Gateway");
        assert.deepStrictEqual(
            [meta(gw).namespace, spec(gw).servers.map((s: any) => [s.port.number, s.hosts, s.tls])],
            [
                "frontend",
                [
                    [
                        443,
                        ["frontend.dev.internal.example.com"],
                        { mode: "SIMPLE", credentialName: "frontend-tls", minProtocolVersion: "TLSV1_2" },
                    ],
                    [80, ["frontend.dev.internal.example.com"], { httpsRedirect: true }],
                ],
            ],
        );
        // Its certificate: the Secret the gateway serves, in the gateway's namespace, from the common layer's issuer.
        const certificate = one(e, "kubernetes:cert-manager.io/v1:Certificate");
        assert.deepStrictEqual(
            [
                meta(certificate).namespace,
                meta(certificate).name,
                spec(certificate).secretName,
                spec(certificate).dnsNames,
            ],
            ["istio-ingress", "frontend-tls", "frontend-tls", ["frontend.dev.internal.example.com"]],
        );
        assert.deepStrictEqual(spec(certificate).issuerRef, {
            group: "cert-manager.io",
            kind: "ClusterIssuer",
            name: "dev-common-ca-issuer",
        });
        assert.ok(gw.dependsOn.includes(certificate.name), gw.dependsOn.join(", "));
        const vs = spec(one(e, "kubernetes:networking.istio.io/v1:VirtualService"));
        assert.deepStrictEqual(vs.gateways, ["mesh", "frontend/frontend"]);
        const filter = one(e, "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter");
        assert.strictEqual(meta(filter).name, "local-rate-limit");
        // Metrics through Istio's metrics merging: the common layer's envoy-stats PodMonitor scrapes the
        // sidecar's 15020, which serves the app's /metrics too; no PodMonitor and no port outside the mesh.
        assert.strictEqual(byType(e, "kubernetes:monitoring.coreos.com/v1:PodMonitor").length, 0);
        const annotations = spec(one(e, "kubernetes:apps/v1:Deployment")).template.metadata.annotations;
        assert.deepStrictEqual(
            [
                annotations["prometheus.io/port"],
                annotations["prometheus.io/path"],
                annotations["traffic.sidecar.istio.io/excludeInboundPorts"],
            ],
            ["9090", "/metrics", undefined],
        );
        const kinds = manifestsOf(e.resources)
            .map((m) => `${String(m.apiVersion)} ${String(m.kind)}`)
            .sort();
        assert.deepStrictEqual(kinds, [
            "apps/v1 Deployment",
            "cert-manager.io/v1 Certificate",
            "networking.istio.io/v1 DestinationRule",
            "networking.istio.io/v1 Gateway",
            "networking.istio.io/v1 Sidecar",
            "networking.istio.io/v1 VirtualService",
            "networking.istio.io/v1alpha3 EnvoyFilter",
            "networking.k8s.io/v1 NetworkPolicy",
            "networking.k8s.io/v1 NetworkPolicy",
            "networking.k8s.io/v1 NetworkPolicy",
            "networking.k8s.io/v1 NetworkPolicy",
            "policy/v1 PodDisruptionBudget",
            "security.istio.io/v1 AuthorizationPolicy",
            "security.istio.io/v1 AuthorizationPolicy",
            "security.istio.io/v1 PeerAuthentication",
            "security.istio.io/v1 RequestAuthentication",
            "v1 LimitRange",
            "v1 Namespace",
            "v1 ResourceQuota",
            "v1 Service",
            "v1 ServiceAccount",
        ]);
    });

    it("labels the namespace with the mesh's revision when the common layer runs one", async () => {
        const outputs = devStackOutputs();
        outputs["organization/platform/dev-common"].outputs.meshRevision = "1-27";
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const e = await evaluate({
            stack: "dev-payment",
            config: config.config,
            secretKeys: config.secretKeys,
            stackOutputs: outputs,
        });
        const labels = meta(one(e, "kubernetes:core/v1:Namespace")).labels;
        assert.strictEqual(labels["istio.io/rev"], "1-27");
        assert.strictEqual("istio-injection" in labels, false);
    });

    it("moves its namespace to the mesh's canary control plane when it opts in, and only then", async () => {
        const outputs = devStackOutputs();
        outputs["organization/platform/dev-common"].outputs.meshRevision = "1-30";
        outputs["organization/platform/dev-common"].outputs.meshCanaryRevision = "1-31";
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const canary = await evaluate({
            stack: "dev-payment",
            config: { ...config.config, "platform:useCanaryMeshRevision": "true" },
            stackOutputs: outputs,
        });
        assert.strictEqual(meta(one(canary, "kubernetes:core/v1:Namespace")).labels["istio.io/rev"], "1-31");
        const main = await evaluate({ stack: "dev-payment", config: config.config, stackOutputs: outputs });
        assert.strictEqual(meta(one(main, "kubernetes:core/v1:Namespace")).labels["istio.io/rev"], "1-30");
    });

    it("refuses to opt into a canary control plane the common stack does not run", async () => {
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        await assert.rejects(
            evaluate({
                stack: "dev-payment",
                config: { ...config.config, "platform:useCanaryMeshRevision": "true" },
                stackOutputs: devStackOutputs(),
            }),
            {
                message:
                    'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                    '  - platform:useCanaryMeshRevision = true: stack "dev-common" runs no canary control plane; set platform:meshCanaryRevision there first, or set this to false',
            },
        );
    });

    it("labels its namespace with a revision tag it names (meshRevisionTag): the same label wherever the tag points", async () => {
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const labelsUnder = async (tags: Record<string, string>) => {
            const outputs = devStackOutputs();
            Object.assign(outputs["organization/platform/dev-common"].outputs, {
                meshRevision: "1-30",
                meshCanaryRevision: "1-31",
                meshRevisionTags: tags,
            });
            const e = await evaluate({
                stack: "dev-payment",
                config: { ...config.config, "platform:meshRevisionTag": "stable" },
                stackOutputs: outputs,
            });
            return meta(one(e, "kubernetes:core/v1:Namespace")).labels;
        };
        const before = await labelsUnder({ stable: "1-30", canary: "1-31" });
        assert.strictEqual(before["istio.io/rev"], "stable");
        assert.strictEqual("istio-injection" in before, false);
        // The tag moved in the common stack: nothing of the service changes.
        assert.deepStrictEqual(await labelsUnder({ stable: "1-31", canary: "1-31" }), before);
    });

    it("refuses a revision tag the common stack lacks, one beside useCanaryMeshRevision, and one for an ambient namespace", async () => {
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const refusal = (line: string) => ({
            message:
                'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                `  - ${line}`,
        });
        const run = (keys: Record<string, string>, common: Record<string, unknown>) => {
            const outputs = devStackOutputs();
            Object.assign(outputs["organization/platform/dev-common"].outputs, common);
            return evaluate({ stack: "dev-payment", config: { ...config.config, ...keys }, stackOutputs: outputs });
        };
        const tag = { "platform:meshRevisionTag": "canary" };
        // A common stack deployed before the output existed has no tags.
        await assert.rejects(
            run(tag, {}),
            refusal(
                'platform:meshRevisionTag = "canary": stack "dev-common" has no such revision tag; allowed: empty (it has none: set platform:meshRevisionTags there first)',
            ),
        );
        const tagged = { meshRevision: "1-30", meshRevisionTags: { stable: "1-30" } };
        await assert.rejects(
            run(tag, tagged),
            refusal(
                'platform:meshRevisionTag = "canary": stack "dev-common" has no such revision tag; allowed: empty, stable',
            ),
        );
        await assert.rejects(
            run({ "platform:meshRevisionTag": "stable", "platform:useCanaryMeshRevision": "true" }, tagged),
            refusal(
                'platform:meshRevisionTag = "stable": set together with useCanaryMeshRevision; allowed: one of them (a tag already names its control plane)',
            ),
        );
        await assert.rejects(
            run({ "platform:meshRevisionTag": "stable" }, { ...tagged, dataPlane: "ambient" }),
            refusal(
                'platform:meshRevisionTag = "stable": an ambient namespace has no sidecars to inject (ztunnel is node-wide and upgraded in place); allowed: empty, or serviceDataPlane sidecar',
            ),
        );
    });

    it("joins the environment's sidecars, also under a common stack deployed before its dataPlane output existed", async () => {
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const outputs = devStackOutputs();
        delete outputs["organization/platform/dev-common"].outputs.dataPlane;
        const result = await evaluate({ stack: "dev-payment", config: config.config, stackOutputs: outputs });
        assert.strictEqual(meta(one(result, "kubernetes:core/v1:Namespace")).labels["istio-injection"], "enabled");
    });

    it("bad service config fails before any resource, naming each key, value and fix", async () => {
        const base = {
            layer: "service",
            versions: [{ name: "v1", image: "registry.example.com/a:1.0.0", weight: 100 }],
        };
        const cases: [Record<string, unknown>, string][] = [
            [
                { versions: [{ name: "v1", image: "registry.example.com/a:latest", weight: 100 }] },
                'platform:versions[0].image = "registry.example.com/a:latest": the tag latest is not pinned; allowed: a tag other than latest or a digest, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>',
            ],
            [
                { versions: [{ name: "v1", image: "registry.example.com/a", weight: 100 }] },
                'platform:versions[0].image = "registry.example.com/a": the image has no tag, so it is not pinned; allowed: a tag other than latest or a digest, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>',
            ],
            [
                { versions: [{ name: "v1", image: "", weight: 100 }] },
                'platform:versions[0].image = "": the image is empty; allowed: an image pinned by a tag other than latest or by a digest, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>',
            ],
            [{ replicas: 0 }, "platform:replicas = 0: out of range; allowed: a whole number from 1 to 100"],
            [
                { exposed: true, publicHost: "shop.example.com" },
                'platform:publicHost = "shop.example.com": not in the environment\'s DNS zone dev.internal.example.com, where its record is made; allowed: dev.internal.example.com or a name ending in .dev.internal.example.com, e.g. shop.dev.internal.example.com',
            ],
            [
                {
                    versions: [
                        { name: "v1", image: "a:1", weight: 90 },
                        { name: "v2", image: "a:2", weight: 20 },
                    ],
                },
                'platform:versions = "v1=90, v2=20": the weights add up to 110; they must add up to 100',
            ],
            [
                { allowedCallers: [{ service: "frontend", paths: ["/api/*", "api"] }] },
                "platform:allowedCallers[0].paths[1] = \"api\": a path must start with '/'; allowed: an absolute path, exact or ending in '*' for a prefix, e.g. /api/*",
            ],
            [
                { allowedCallers: [{ service: "frontend", methods: ["GET", "FETCH"] }] },
                'platform:allowedCallers[0].methods[1] = "FETCH": unknown HTTP method; allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE (upper case)',
            ],
        ];
        for (const [values, message] of cases) {
            await assert.rejects(
                evaluate({
                    stack: "dev-backend",
                    config: platformConfig({ ...base, ...values }),
                    stackOutputs: devStackOutputs(),
                }),
                (err: unknown) => {
                    assert.ok(isConfigError(err));
                    assert.strictEqual(
                        err.message,
                        `Configuration of stack "dev-backend" (Pulumi.dev-backend.yaml) is invalid; nothing was created:\n  - ${message}`,
                    );
                    return true;
                },
            );
        }
    });
});
