import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import {
    OBSERVABILITY_DEFAULTS,
    Observability,
    ObservabilityArgs,
    ObservabilityOptions,
    observabilitySettings,
    validateObservabilityArgs,
    withObservabilityDefaults,
} from "../../../components/observability";
import { ProblemError, describeProblem } from "../../../components/problems";
import { DEV_ENVIRONMENT } from "../../helpers/fixtures";
import { itChecksProviders } from "../../helpers/providers";
import { useMocks } from "../../../plan/evaluate";

describe("components/observability/settings: defaults once, then checks", () => {
    describe("withObservabilityDefaults", () => {
        it("fills every optional argument with its default: 3 days on 10Gi of gp3, istiod in istio-system", () => {
            assert.deepStrictEqual(withObservabilityDefaults({}), {
                dependsOn: [],
                prometheusRetention: "3d",
                prometheusStackVersion: "81.6.2",
                prometheusStorageSize: "10Gi",
                istioNamespace: "istio-system",
                storage: "ebs-gp3",
                dataPlane: "sidecar",
            });
        });

        // Each optional argument, given: kept as it is, even when it is "empty" or bad (the
        // checks report it; a default never hides a given value).
        const cases: [keyof ObservabilityOptions, unknown][] = [
            ["prometheusRetention", "2w"],
            ["prometheusStorageSize", ""],
            ["istioNamespace", "istio-canary"],
            ["storage", "cluster-default"],
            ["prometheusStackVersion", "88.5.3"],
            ["chartMirror", { kind: "oci", url: "oci://registry.example.com/charts" }],
        ];
        for (const [key, value] of cases) {
            it(`${key}: ${JSON.stringify(value)} is kept as given, nothing else changes`, () => {
                const resolved = withObservabilityDefaults({ [key]: value });
                assert.deepStrictEqual(resolved, { ...withObservabilityDefaults({}), [key]: value });
            });
        }

        it("an argument set to undefined gets its default, as if left out", () => {
            const unset = Object.fromEntries(Object.keys(OBSERVABILITY_DEFAULTS).map((key) => [key, undefined]));
            assert.deepStrictEqual(withObservabilityDefaults(unset), withObservabilityDefaults({}));
        });
    });

    describe("validateObservabilityArgs", () => {
        it("the defaults are good settings", () => {
            assert.deepStrictEqual(validateObservabilityArgs({}), {
                problems: [],
                settings: withObservabilityDefaults({}),
            });
        });

        it("rejects a bad retention, volume size and storage, each named with its value and what is allowed", () => {
            const { settings, problems } = validateObservabilityArgs({
                prometheusRetention: "3 days",
                prometheusStorageSize: "10GB",
                storage: "gp2" as never,
                prometheusStackVersion: "82.0.0" as never,
            });
            assert.strictEqual(settings, undefined);
            assert.deepStrictEqual(problems.map(describeProblem), [
                'prometheusRetention = "3 days": not a Prometheus retention; allowed: a whole number and h, d, w or y, e.g. 3d or 2w',
                'prometheusStorageSize = "10GB": not a volume size; allowed: a whole number and Gi or Ti, e.g. 10Gi',
                'storage = "gp2": allowed: ebs-gp3, cluster-default',
                'prometheusStackVersion = "82.0.0": no CRDs for this chart version in the package; allowed: 81.6.2, 88.5.3',
            ]);
        });
    });

    describe("observabilitySettings", () => {
        let kubernetes: k8s.Provider;
        before(() => {
            useMocks("dev");
            kubernetes = new k8s.Provider("kubernetes", {});
        });
        const owner = { environment: DEV_ENVIRONMENT, service: "common" };
        const args = (extra: Partial<ObservabilityArgs> = {}): ObservabilityArgs => ({
            owner,
            providers: { kubernetes },
            grafanaAdminPassword: "not-in-the-settings",
            ...extra,
        });

        it("the settings of good arguments (no owner, providers or password); bad ones refused in one ComponentArgsError", () => {
            assert.deepStrictEqual(observabilitySettings("observability", args({ storage: "cluster-default" })), {
                ...withObservabilityDefaults({}),
                storage: "cluster-default",
            });
            assert.throws(
                () => observabilitySettings("observability", args({ prometheusRetention: "0d" })),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.name === "ComponentArgsError" &&
                    err.message ===
                        'invalid Observability "observability" arguments:\n  - prometheusRetention = "0d": not a Prometheus retention; allowed: a whole number and h, d, w or y, e.g. 3d or 2w',
            );
        });

        itChecksProviders<ObservabilityArgs>({
            component: "Observability",
            name: "observability",
            pkg: "kubernetes",
            args: (providers) => ({ owner, providers, grafanaAdminPassword: "x" }),
            otherProblem: {
                args: { prometheusStorageSize: "10GB" },
                line: 'prometheusStorageSize = "10GB": not a volume size; allowed: a whole number and Gi or Ti, e.g. 10Gi',
            },
            settings: observabilitySettings,
            create: (name, a) => new Observability(name, a),
        });
    });
});
