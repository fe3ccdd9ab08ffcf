import * as assert from "assert";
import {
    ISTIO_CHARTS,
    ISTIO_VERSION,
    baseValues,
    gatewayValues,
    istiodReleaseName,
    istiodValues,
    loadBalancerAnnotations,
    peerAuthenticationSpec,
    revisionProblem,
    samplingProblem,
    telemetrySpec,
} from "../../../components/mesh";

const COLLECTOR = { host: "jaeger.observability.svc.cluster.local", port: 4317 };

describe("mesh specs (components/mesh/specs.ts)", () => {
    it("pins one Istio version (from components/charts)", () => {
        assert.strictEqual(ISTIO_VERSION, "1.30.4");
        assert.deepStrictEqual([...ISTIO_CHARTS], ["base", "istiod", "gateway"]);
    });

    it("builds istiod's values: images from docker.io/istio, stdout access logs, the Jaeger OTLP provider, the outbound policy, JWKS fetches kept out of private ranges", () => {
        assert.deepStrictEqual(
            istiodValues({ revision: "", outboundTrafficPolicy: "REGISTRY_ONLY", collector: COLLECTOR, replicas: 2 }),
            {
                revision: "",
                replicaCount: 2,
                autoscaleEnabled: true,
                autoscaleMin: 2,
                autoscaleMax: 5,
                pdb: { minAvailable: 1 },
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: { matchLabels: { app: "istiod", "istio.io/rev": "default" } },
                    },
                    {
                        maxSkew: 1,
                        topologyKey: "kubernetes.io/hostname",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: { matchLabels: { app: "istiod", "istio.io/rev": "default" } },
                    },
                ],
                global: {
                    // The 1.30 charts would pull from registry.istio.io/release, a host retired in late 2026.
                    hub: "docker.io/istio",
                    istioNamespace: "istio-system",
                    proxy: {
                        resources: {
                            requests: { cpu: "100m", memory: "128Mi" },
                            limits: { cpu: "500m", memory: "256Mi" },
                        },
                    },
                    defaultPodDisruptionBudget: { enabled: true },
                },
                // istioctl analyze IST0175: istiod must not fetch a jwksUri from the cluster, the VPC or the metadata service.
                env: {
                    BLOCKED_CIDRS_IN_JWKS_URIS:
                        "127.0.0.0/8,169.254.0.0/16,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,::1/128,fe80::/10,fc00::/7",
                    // The gateway's clusters: only the hosts its VirtualServices route to (docs/benchmarks.md).
                    PILOT_FILTER_GATEWAY_CLUSTER_CONFIG: "true",
                },
                meshConfig: {
                    trustDomain: "cluster.local",
                    accessLogFile: "/dev/stdout",
                    accessLogEncoding: "JSON",
                    outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
                    extensionProviders: [
                        {
                            name: "jaeger",
                            opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 },
                        },
                    ],
                },
            },
        );
        assert.deepStrictEqual(baseValues(""), { global: { istioNamespace: "istio-system" } });
        // With a revision, the default validator calls that revision's istiod (there is no `istiod`).
        assert.deepStrictEqual(baseValues("1-30"), {
            global: { istioNamespace: "istio-system" },
            defaultRevision: "1-30",
        });
    });

    it("serialises istiod's values in a fixed key order, so previews do not churn", () => {
        assert.strictEqual(
            JSON.stringify(
                istiodValues({
                    collector: COLLECTOR,
                    outboundTrafficPolicy: "ALLOW_ANY",
                    revision: "1-30",
                    replicas: 3,
                }),
            ),
            '{"revision":"1-30","replicaCount":3,"autoscaleEnabled":true,"autoscaleMin":3,"autoscaleMax":6,"pdb":{"minAvailable":1},"topologySpreadConstraints":[' +
                '{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"istiod","istio.io/rev":"1-30"}}},' +
                '{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"istiod","istio.io/rev":"1-30"}}}],' +
                '"global":{"hub":"docker.io/istio","istioNamespace":"istio-system","proxy":{"resources":{"requests":{"cpu":"100m","memory":"128Mi"},' +
                '"limits":{"cpu":"500m","memory":"256Mi"}}},"defaultPodDisruptionBudget":{"enabled":true}},' +
                '"env":{"BLOCKED_CIDRS_IN_JWKS_URIS":"127.0.0.0/8,169.254.0.0/16,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,::1/128,fe80::/10,fc00::/7",' +
                '"PILOT_FILTER_GATEWAY_CLUSTER_CONFIG":"true"},' +
                '"meshConfig":{"trustDomain":"cluster.local",' +
                '"accessLogFile":"/dev/stdout","accessLogEncoding":"JSON","outboundTrafficPolicy":{"mode":"ALLOW_ANY"},' +
                '"extensionProviders":[{"name":"jaeger","opentelemetry":{"service":"jaeger.observability.svc.cluster.local","port":4317}}]}}',
        );
    });

    it("names the istiod release after its revision", () => {
        assert.strictEqual(istiodReleaseName(""), "istiod");
        assert.strictEqual(istiodReleaseName("1-30"), "istiod-1-30");
    });

    it("exposes the gateway as an NLB of the AWS Load Balancer Controller: only ports 80 and 443, source ranges, cross-zone, health check on the unpublished status port; HA", () => {
        const spread = [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { istio: "istio-ingressgateway" } },
            },
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { istio: "istio-ingressgateway" } },
            },
        ];
        assert.deepStrictEqual(
            gatewayValues({ revision: "1-30", scheme: "internal", replicas: 2, sourceRanges: ["10.20.0.0/16"] }),
            {
                revision: "1-30",
                labels: { istio: "istio-ingressgateway" },
                replicaCount: 2,
                autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
                podDisruptionBudget: { minAvailable: 1 },
                topologySpreadConstraints: spread,
                service: {
                    type: "LoadBalancer",
                    annotations: {
                        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
                        "service.beta.kubernetes.io/aws-load-balancer-attributes":
                            "load_balancing.cross_zone.enabled=true",
                        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
                        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "15021",
                        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/healthz/ready",
                    },
                    ports: [
                        { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
                        { name: "https", port: 443, protocol: "TCP", targetPort: 443 },
                    ],
                    loadBalancerSourceRanges: ["10.20.0.0/16"],
                },
            },
        );
        assert.strictEqual(
            loadBalancerAnnotations("internet-facing")["service.beta.kubernetes.io/aws-load-balancer-scheme"],
            "internet-facing",
        );
        const scaled = gatewayValues({ revision: "", scheme: "internal", replicas: 4, sourceRanges: ["10.20.0.0/16"] });
        assert.deepStrictEqual(
            [scaled.replicaCount, scaled.autoscaling],
            [4, { enabled: true, minReplicas: 4, maxReplicas: 8 }],
        );
    });

    it("makes mTLS STRICT and configures tracing and access logs mesh-wide", () => {
        assert.deepStrictEqual(peerAuthenticationSpec(), { mtls: { mode: "STRICT" } });
        assert.deepStrictEqual(telemetrySpec(25), {
            tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 25 }],
            accessLogging: [{ providers: [{ name: "envoy" }] }],
        });
    });

    it("checks revisions and sampling percentages", () => {
        assert.strictEqual(revisionProblem(""), undefined);
        assert.strictEqual(revisionProblem("1-30"), undefined);
        assert.match(revisionProblem("1.30") ?? "", /^not a revision name/);
        assert.match(revisionProblem("default") ?? "", /^not a revision name/);
        assert.strictEqual(samplingProblem(0), undefined);
        assert.strictEqual(samplingProblem(100), undefined);
        assert.strictEqual(samplingProblem(100.5), "out of range; allowed: 0 to 100");
    });
});
