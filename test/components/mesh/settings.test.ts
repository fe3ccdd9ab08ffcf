import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import {
    ISTIO_DEFAULTS,
    Istio,
    IstioArgs,
    IstioOptions,
    istioSettings,
    revisionProblem,
    validateIstioArgs,
    withIstioDefaults,
} from "../../../components/mesh";
import { ProblemError, describeProblem } from "../../../components/problems";
import { DEV_ENVIRONMENT } from "../../helpers/fixtures";
import { useMocks } from "../../../plan/evaluate";
import { itChecksProviders } from "../../helpers/providers";

const COLLECTOR = { host: "jaeger.observability.svc.cluster.local", port: 4317 };
const required = { collector: COLLECTOR, gatewaySourceRanges: ["10.20.0.0/16"] };

describe("components/mesh/settings: defaults once, then checks", () => {
    describe("withIstioDefaults", () => {
        it("fills every optional argument with its default: no revision, closed egress, 1% traced, internal NLB, 2 replicas, sidecars", () => {
            assert.deepStrictEqual(withIstioDefaults(required), {
                collector: COLLECTOR,
                dependsOn: [],
                revision: "",
                canaryRevision: "",
                version: "",
                canaryVersion: "",
                revisionTags: {},
                outboundTrafficPolicy: "REGISTRY_ONLY",
                tracingSamplingPercentage: 1,
                gatewayScheme: "internal",
                gatewaySourceRanges: ["10.20.0.0/16"],
                gatewayReplicas: 2,
                istiodReplicas: 2,
                dataPlane: "sidecar",
            });
        });

        // Each optional argument, given: kept as it is, even when it is an "empty" value or bad
        // (the checks report it; a default never hides a given value).
        const cases: [keyof IstioOptions, unknown][] = [
            ["revision", "1-30"],
            ["canaryRevision", "1-31"],
            ["version", "1.31.0"],
            ["canaryVersion", ""],
            ["revisionTags", { stable: "1-30" }],
            ["outboundTrafficPolicy", "ALLOW_ANY"],
            ["tracingSamplingPercentage", 0],
            ["gatewayScheme", "internet-facing"],
            ["gatewayReplicas", 0],
            ["istiodReplicas", 3],
            ["gatewaySourceRanges", []],
            ["chartMirror", { kind: "directory", path: "/charts" }],
            ["istiodWebhooks", { url: "https://istiod.example.com:15017", caBundle: "pem" }],
        ];
        for (const [key, value] of cases) {
            it(`${key}: ${JSON.stringify(value)} is kept as given, nothing else changes`, () => {
                const resolved = withIstioDefaults({ ...required, [key]: value });
                assert.deepStrictEqual(resolved, { ...withIstioDefaults(required), [key]: value });
            });
        }

        it("an argument set to undefined gets its default, as if left out", () => {
            const unset = Object.fromEntries(Object.keys(ISTIO_DEFAULTS).map((key) => [key, undefined]));
            assert.deepStrictEqual(withIstioDefaults({ ...required, ...unset }), withIstioDefaults(required));
        });

        it("a caller without types that leaves out the required source ranges gets the 'at least one' problem, not a crash", () => {
            const { problems } = validateIstioArgs({ collector: COLLECTOR } as IstioOptions);
            assert.deepStrictEqual(problems.map(describeProblem), [
                "gatewaySourceRanges = []: at least one CIDR is needed, or the load balancer is open to every address",
            ]);
        });
    });

    describe("validateIstioArgs", () => {
        it("the defaults are good settings: the resolved arguments, the enumerations narrowed", () => {
            assert.deepStrictEqual(validateIstioArgs(required), {
                problems: [],
                settings: withIstioDefaults(required),
            });
        });

        it("rejects bad Istio arguments, each named with its value and what is allowed, in argument order", () => {
            const { settings, problems } = validateIstioArgs({
                collector: COLLECTOR,
                revision: "1.30",
                canaryRevision: "default",
                tracingSamplingPercentage: -5,
                outboundTrafficPolicy: "DENY" as never,
                gatewayScheme: "public" as never,
                gatewaySourceRanges: ["10.20.0.0/16", "10.20.0.1/16"],
                gatewayReplicas: 1,
                istiodReplicas: 11,
            });
            assert.strictEqual(settings, undefined);
            assert.deepStrictEqual(problems.map(describeProblem), [
                `revision = "1.30": ${revisionProblem("1.30")}`,
                `canaryRevision = "default": ${revisionProblem("default")}`,
                "tracingSamplingPercentage = -5: out of range; allowed: 0 to 100",
                'outboundTrafficPolicy = "DENY": allowed: ALLOW_ANY, REGISTRY_ONLY',
                'gatewayScheme = "public": allowed: internet-facing, internal',
                "gatewayReplicas = 1: allowed: an integer from 2 (one replica is a single point of failure) to 10",
                "istiodReplicas = 11: allowed: an integer from 2 (one replica is a single point of failure) to 10",
                'gatewaySourceRanges[1] = "10.20.0.1/16": not an IPv4 CIDR block; allowed: a.b.c.d/n, e.g. 10.20.0.0/16',
            ]);
        });

        it("a canary at the main control plane's own revision is refused", () => {
            const { problems } = validateIstioArgs({ ...required, revision: "1-30", canaryRevision: "1-30" });
            assert.deepStrictEqual(problems.map(describeProblem), [
                'canaryRevision = "1-30": the same revision as the main control plane; a canary needs another one',
            ]);
        });

        it("a data plane other than sidecar or ambient, and a canary in ambient mode, are refused", () => {
            assert.deepStrictEqual(
                validateIstioArgs({ ...required, dataPlane: "ztunnel" as never }).problems.map(describeProblem),
                ['dataPlane = "ztunnel": allowed: sidecar, ambient'],
            );
            const { problems } = validateIstioArgs({
                ...required,
                dataPlane: "ambient",
                revision: "1-30",
                canaryRevision: "1-31",
            });
            assert.deepStrictEqual(problems.map(describeProblem), [
                'canaryRevision = "1-31": a canary control plane with dataPlane ambient (ztunnel and the CNI agent are node-wide and upgraded in place, not per revision); allowed: empty, or dataPlane sidecar',
            ]);
            assert.strictEqual(validateIstioArgs({ ...required, dataPlane: "ambient" }).settings?.dataPlane, "ambient");
        });

        it("an empty list of source ranges would open the load balancer to every address", () => {
            const { problems } = validateIstioArgs({ ...required, gatewaySourceRanges: [] });
            assert.deepStrictEqual(problems.map(describeProblem), [
                "gatewaySourceRanges = []: at least one CIDR is needed, or the load balancer is open to every address",
            ]);
        });
    });

    describe("istioSettings", () => {
        let kubernetes: k8s.Provider;
        before(() => {
            useMocks("dev");
            kubernetes = new k8s.Provider("kubernetes", {});
        });
        const owner = { environment: DEV_ENVIRONMENT, service: "common" };
        const args = (extra: Partial<IstioArgs> = {}): IstioArgs => ({
            owner,
            providers: { kubernetes },
            ...required,
            ...extra,
        });

        it("the settings of good arguments (no owner, no providers); bad ones refused in one ComponentArgsError naming the component", () => {
            assert.deepStrictEqual(istioSettings("istio", args({ revision: "1-30" })), {
                ...withIstioDefaults(required),
                revision: "1-30",
            });
            assert.throws(
                () => istioSettings("istio", args({ tracingSamplingPercentage: 101 })),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.name === "ComponentArgsError" &&
                    err.message ===
                        'invalid Istio "istio" arguments:\n  - tracingSamplingPercentage = 101: out of range; allowed: 0 to 100',
            );
        });

        itChecksProviders<IstioArgs>({
            component: "Istio",
            name: "istio",
            pkg: "kubernetes",
            args: (providers) => ({ owner, providers, ...required }),
            otherProblem: {
                args: { gatewayScheme: "public" as never },
                line: 'gatewayScheme = "public": allowed: internet-facing, internal',
            },
            settings: istioSettings,
            create: (name, a) => new Istio(name, a),
        });
    });
});
