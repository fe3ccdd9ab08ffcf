import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CHARTS, ChartName } from "../components/charts";
import {
    CHART_VALUES_DIR,
    OFFLINE_CHARTS,
    OFFLINE_CHART_FOLDERS,
    chartDefaults,
    unknownValuePaths,
} from "./helpers/chart-values";
import { MINIMAL_COMMON_CONFIG, platformConfig } from "./helpers/config";
import { Evaluation, evaluate } from "../plan/evaluate";
import { devStackOutputs } from "./helpers/fixtures";
import { readStackConfig } from "../plan/stack-config";
import { FIXTURE_STACKS } from "./helpers/stacks";
import { ISTIOD_WEBHOOK_CA } from "./helpers/istiod-webhook";

/** The vendored values file of each chart (test/fixtures/chart-values/SOURCE.md). */
const FIXTURES = OFFLINE_CHART_FOLDERS;

/**
 * Maps whose keys belong to another API, so the chart's values.yaml lists only examples: below
 * these paths any key is passed on as it is. Each with where the chart reads it.
 */
const FREE_FORM: Readonly<Record<ChartName, Readonly<Record<string, string>>>> = {
    base: {},
    istiod: {
        meshConfig:
            "Istio's MeshConfig (istio.mesh.v1alpha1), merged whole into the mesh ConfigMap: templates/configmap.yaml, mergeOverwrite $originalMesh .Values.meshConfig",
    },
    gateway: { labels: "labels put on every object of the chart (values.schema.json: labels is any object)" },
    cni: {},
    ztunnel: {},
    "kube-prometheus-stack": {},
    jaeger: {},
    "metrics-server": {},
    "aws-load-balancer-controller": {},
    "external-dns": {},
    "cert-manager": {},
};

interface ReleaseValues {
    readonly release: string;
    readonly chart: ChartName;
    readonly values: Record<string, unknown>;
}

/** Every Helm release of an evaluated stack, with the chart it installs. */
function releasesOf(result: Evaluation): ReleaseValues[] {
    return result.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => {
            const chart = String(r.inputs.chart).split("/").pop() as ChartName;
            assert.ok(
                chart in CHARTS,
                `release ${r.name} installs ${String(r.inputs.chart)}, not a chart of components/charts`,
            );
            return { release: r.name, chart, values: r.inputs.values as Record<string, unknown> };
        });
}

/** Each unknown key of one release, as `<release> (<chart>): <key path>`. */
function problemsOf(release: ReleaseValues): string[] {
    const defaults = chartDefaults(path.join(CHART_VALUES_DIR, FIXTURES[release.chart]));
    return unknownValuePaths(release.values, defaults, new Set(Object.keys(FREE_FORM[release.chart]))).map(
        (p) => `${release.release} (${FIXTURES[release.chart]}): ${p} is not in the chart's values`,
    );
}

describe("Helm values the charts really read (test/fixtures/chart-values)", () => {
    let releases: ReleaseValues[];
    before(async () => {
        const dev = readStackConfig("dev-common", FIXTURE_STACKS);
        // One after the other: the mocks are process-wide.
        const stacks = [
            await evaluate({
                stack: "dev-common",
                config: dev.config,
                secretKeys: dev.secretKeys,
                stackOutputs: devStackOutputs(),
            }),
            // A canary control plane, an existing cluster and istiod's webhooks at a URL change the values too.
            await evaluate({
                stack: "dev-common",
                config: platformConfig({
                    layer: "common",
                    meshRevision: "1-30",
                    meshCanaryRevision: "1-31",
                    clusterMode: "existing",
                    kubeconfig: "apiVersion: v1",
                    istiodWebhookUrl: "https://istiod.example.com:15017",
                    istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA,
                }),
                secretKeys: ["platform:kubeconfig"],
                stackOutputs: devStackOutputs(),
            }),
            // Ambient mode: istiod's profile, the cni and ztunnel charts.
            await evaluate({
                stack: "dev-common",
                config: platformConfig({ ...MINIMAL_COMMON_CONFIG, dataPlane: "ambient" }),
                secretKeys: [],
                stackOutputs: devStackOutputs(),
            }),
        ];
        releases = stacks.flatMap(releasesOf);
    });

    it("covers every chart of components/charts", () => {
        assert.deepStrictEqual([...new Set(releases.map((r) => r.chart))].sort(), Object.keys(CHARTS).sort());
    });

    it("passes no key a chart's values.yaml lacks, in any release", () => {
        assert.deepStrictEqual(releases.flatMap(problemsOf), []);
    });

    it("names the key path of a misspelled value", () => {
        const jaeger = releases.find((r) => r.chart === "jaeger")!;
        const metrics = releases.find((r) => r.chart === "metrics-server")!;
        const stack = releases.find((r) => r.chart === "kube-prometheus-stack")!;
        const grafana = stack.values.grafana as Record<string, unknown>;
        assert.deepStrictEqual(
            [
                { ...jaeger, values: { userConfig: {} } },
                { ...metrics, values: { ...metrics.values, podDisruptionBudget: { enable: true, minAvailable: 1 } } },
                {
                    ...stack,
                    values: {
                        ...stack.values,
                        grafana: { ...grafana, sidecar: { dashboards: { folderAnotation: "grafana_folder" } } },
                    },
                },
            ].flatMap(problemsOf),
            [
                "jaeger (jaeger-4.11.1): userConfig is not in the chart's values",
                "metrics-server (metrics-server-3.13.1): podDisruptionBudget.enable is not in the chart's values",
                "kube-prometheus-stack (kube-prometheus-stack-81.6.2): grafana.sidecar.dashboards.folderAnotation is not in the chart's values",
            ],
        );
    });

    it("reads Istio's wrapped defaults and a subchart's own values", () => {
        const istiod = chartDefaults(path.join(CHART_VALUES_DIR, FIXTURES.istiod));
        assert.strictEqual((istiod.global as Record<string, unknown>).hub, "registry.istio.io/release");
        const stack = chartDefaults(path.join(CHART_VALUES_DIR, FIXTURES["kube-prometheus-stack"]));
        assert.ok("folderAnnotation" in ((stack.grafana as any).sidecar.dashboards as object));
    });

    it("vendors the offline set's files unchanged (checked when the offline chart set is here: $SHARED_DIR/charts or ../shared/charts)", function () {
        if (!fs.existsSync(OFFLINE_CHARTS)) {
            this.skip();
        }
        const files = (dir: string): string[] =>
            fs
                .readdirSync(dir, { withFileTypes: true })
                .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
        // external-dns and cert-manager are not in the offline set; theirs come from the upstream tags (SOURCE.md).
        const vendored = files(CHART_VALUES_DIR).filter(
            (f) =>
                f.endsWith("values.yaml") &&
                !["external-dns-", "cert-manager-"].some((p) => path.relative(CHART_VALUES_DIR, f).startsWith(p)),
        );
        assert.strictEqual(vendored.length, 10);
        for (const file of vendored) {
            const relative = path.relative(CHART_VALUES_DIR, file);
            assert.ok(fs.readFileSync(file).equals(fs.readFileSync(path.join(OFFLINE_CHARTS, relative))), relative);
        }
    });
});
