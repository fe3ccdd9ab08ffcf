// A kube-prometheus-stack upgrade with its CRDs (prometheusStackVersion 81.6.2 -> 88.5.3) under the
// real engine: dev's common stack in existing-cluster mode on the suite's API server (as
// common.test.ts deploys it: charts from the offline set through `chartMirror`, the webhooks of the
// istiod and cert-manager the suite runs beside the API server; the global stack a STAND-IN STACK).
// Helm installs a chart's `crds/` folder once and never upgrades it; the platform applies the
// Prometheus operator's CRDs itself, before the release (components/observability/crds.ts). What
// this proves on a real API server (v1.35): the CRDs it holds after the update are 88.5.3's
// (prometheus-operator 0.93.1: a ScrapeConfig field new since 0.88.1 is accepted under strict
// field validation, and a ServiceMonitor whose sampleLimit 0.93's schema refuses is refused; 0.93.1
// adds no ServiceMonitor field over 0.88.1, only such bounds), they were updated before the
// release was, every ServiceMonitor and PodMonitor of the platform is still there (same object),
// and so is one the platform does not own. What it cannot: kwok runs no containers, so no
// prometheus-operator 0.93 reconciles those objects here.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { planEnvironment } from "../../plan/plan";
import { ROOT } from "../../plan/stack-config";
import { tempDir } from "../helpers/temp";
import { Backend, CommandResult, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { EXIT } from "../../scripts/env";
import { kubectl } from "../../plan/engine/kube";
import { standIn } from "../../plan/engine/standin";
import { PROMETHEUS_CRDS_DIR, PROMETHEUS_STACK_CRDS, prometheusStackCrds } from "../../components/observability";
import { recordTiming } from "./helpers/timings";
import {
    CERT_MANAGER_CRDS,
    SHARED_CHARTS,
    chartMirror,
    crdsOf,
    existingClusterConfig,
    handCrdsToCharts,
    initCommonStack,
    items,
    kubectlOk,
    takeBack,
    teardownCommon,
    whileChartsInstall,
    writeStackFile,
} from "./helpers/common-stack";

const STACK = "dev-common";
const FROM = "81.6.2";
const TO = "88.5.3";
const OPERATOR_CRDS = prometheusStackCrds(TO).map((c) => c.name);
/**
 * Monitors of the platform made outside kube-prometheus-stack's release (components/observability:
 * istiod's ServiceMonitor, the sidecars' PodMonitor; cert-manager's chart's ServiceMonitor); the
 * release's own (the operator's, Prometheus', Grafana's, ...) are the platform's too.
 */
const PLATFORM_MONITORS = [
    "podmonitors/observability/envoy-stats",
    "servicemonitors/cert-manager/cert-manager",
    "servicemonitors/observability/istiod",
];
/** A ServiceMonitor of a team, outside the stack: custom resources of the platform's CRDs that are not the platform's. */
const TEAM_MONITOR = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "team-app", namespace: "default" },
    spec: { selector: { matchLabels: { app: "team-app" } }, endpoints: [{ port: "metrics" }] },
};

/** Writes `object` to a temporary file, for kubectl's `-f`; returns the file. */
function writeObject(object: object): string {
    const file = path.join(tempDir("prometheus-crds-object"), "object.json");
    fs.writeFileSync(file, JSON.stringify(object));
    return file;
}

/** Applies `object` as a server-side dry run with strict field validation; the exit code and stderr. */
function dryRun(object: object): { code: number; stderr: string } {
    const r = kubectl(["create", "--dry-run=server", "--validate=strict", "-f", writeObject(object)]);
    return { code: r.code, stderr: r.stderr };
}

/** A ScrapeConfig with `bodySizeLimit`, a field of prometheus-operator 0.93's schema that 0.88's lacks. */
const SCRAPE_CONFIG_NEW_FIELD = {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "ScrapeConfig",
    metadata: { name: "body-size-limit", namespace: "default" },
    spec: { bodySizeLimit: "10MB", staticConfigs: [{ targets: ["app.default.svc:9090"] }] },
};
/** A ServiceMonitor with a negative sampleLimit: 0.88's schema takes it, 0.93's has minimum 0. */
const SERVICE_MONITOR_NEGATIVE_LIMIT = {
    ...TEAM_MONITOR,
    metadata: { name: "negative-limit", namespace: "default" },
    spec: { ...TEAM_MONITOR.spec, sampleLimit: -1 },
};

/** `kind/namespace/name` -> uid of every ServiceMonitor and PodMonitor of the cluster. */
function monitors(): Record<string, string> {
    return Object.fromEntries(
        ["servicemonitors", "podmonitors"].flatMap((kind) =>
            items([kind, "-A"]).map((o) => [`${kind}/${o.metadata.namespace}/${o.metadata.name}`, o.metadata.uid]),
        ),
    );
}

/** The prometheus-operator release each of the operator's CRDs on the cluster is stamped with. */
function crdOperatorVersions(): Record<string, string> {
    return Object.fromEntries(
        OPERATOR_CRDS.map((crd) => [
            crd,
            JSON.parse(kubectlOk(["get", "crd", crd, "-o", "json"])).metadata.annotations[
                "operator.prometheus.io/version"
            ],
        ]),
    );
}

describe("kube-prometheus-stack 81.6.2 -> 88.5.3 with its CRDs (prometheusStackVersion), dev-common on an existing cluster under the real engine", function () {
    this.timeout(40 * 60 * 1000);
    const backend = new Backend("prometheus-crds");
    let project: string;
    let crds: string[] = [];
    let before81: Record<string, string> = {};
    const run = async (step: string, args: string[]): Promise<CommandResult> => {
        const r = await backend.run(project, [...args, "--stack", STACK]);
        recordTiming(`${STACK} (existing cluster, kube-prometheus-stack upgrade)`, step, r.seconds);
        return r;
    };

    before(async function () {
        if (!fs.existsSync(SHARED_CHARTS) || !fs.existsSync(path.join(SHARED_CHARTS, `kube-prometheus-stack-${TO}`))) {
            this.skip();
        }
        await standIn(
            backend,
            (await planEnvironment("dev")).find((p) => p.layer === "global")!,
        );
        const config = {
            ...existingClusterConfig(path.join(ROOT, "Pulumi.dev-common.yaml"), chartMirror()),
            "platform:prometheusStackVersion": FROM,
        };
        const stackFile = writeStackFile(tempDir("common-stack"), STACK, config);
        project = projectCopy("prometheus-crds", [stackFile, "Pulumi.dev.yaml"]);
        await initCommonStack(backend, project, STACK);
        kubectlOk(["apply", "--server-side", "-f", writeObject(TEAM_MONITOR)]);
    });

    after(() => {
        takeBack([...crds, ...CERT_MANAGER_CRDS]);
        kubectl(["delete", "servicemonitor", "-n", "default", "team-app", "--ignore-not-found"]);
        // The CRDs outlive the stack (retainOnDelete): the cluster gets the ones it came with back.
        kubectl([
            "apply",
            "--server-side",
            "--force-conflicts",
            "-f",
            path.join(PROMETHEUS_CRDS_DIR, `kube-prometheus-stack-${FROM}`),
        ]);
    });

    it(`pulumi up with ${FROM} applies its CRDs (prometheus-operator ${PROMETHEUS_STACK_CRDS[FROM]}) and installs the release after them`, async () => {
        crds = handCrdsToCharts();
        const { result: r } = await whileChartsInstall(() => run("up (81.6.2)", ["up", "--yes", "--skip-preview"]));
        assert.strictEqual(r.code, 0, describeCommand(r));
        assert.deepStrictEqual(crdOperatorVersions(), Object.fromEntries(OPERATOR_CRDS.map((c) => [c, "0.88.1"])));
        before81 = monitors();
        for (const monitor of [...PLATFORM_MONITORS, "servicemonitors/default/team-app"]) {
            assert.ok(monitor in before81, `${monitor} missing: ${Object.keys(before81).join(", ")}`);
        }
        // The release's own monitors too (Prometheus, its operator, Grafana, the exporters, ...).
        assert.ok(
            Object.keys(before81).filter((m) => m.startsWith("servicemonitors/observability/kube-prometheus-stack-"))
                .length > 5,
        );
        // 0.88.1's schema: no bodySizeLimit (strict validation refuses the unknown field), no bound on sampleLimit.
        const scrape = dryRun(SCRAPE_CONFIG_NEW_FIELD);
        assert.notStrictEqual(scrape.code, 0, "0.88.1's ScrapeConfig took bodySizeLimit");
        assert.match(scrape.stderr, /unknown field "spec\.bodySizeLimit"/);
        assert.strictEqual(dryRun(SERVICE_MONITOR_NEGATIVE_LIMIT).code, 0);
    });

    it(`the preview of ${TO} updates the ten CRDs and the release in place, replacing and deleting nothing`, async () => {
        await backend.ok(project, ["config", "set", "--stack", STACK, "platform:prometheusStackVersion", TO]);
        const r = await run("preview (88.5.3)", ["preview", "--json"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
        const steps = (JSON.parse(r.stdout).steps as { op: string; urn: string }[]).filter(
            // The global stack's StackReference is read on every preview.
            (s) => s.op !== "same" && s.op !== "read",
        );
        const named = steps.map((s) => `${s.op} ${s.urn.split("::").slice(-2).join("::")}`).sort();
        assert.deepStrictEqual(
            named,
            [
                ...OPERATOR_CRDS.map(
                    (c) =>
                        `update platform:observability:Observability$kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition::prometheus-operator-${c}`,
                ),
                "update platform:observability:Observability$kubernetes:helm.sh/v3:Release::kube-prometheus-stack",
            ].sort(),
            named.join("\n"),
        );
    });

    it(`pulumi up with ${TO} leaves ${TO}'s CRDs on the API server, updated before the release, and every monitor in place`, async () => {
        const { result: r } = await whileChartsInstall(() => run("up (88.5.3)", ["up", "--yes", "--skip-preview"]));
        assert.strictEqual(r.code, 0, describeCommand(r));
        assert.deepStrictEqual(crdOperatorVersions(), Object.fromEntries(OPERATOR_CRDS.map((c) => [c, "0.93.1"])));
        // As vendored: the schema of every version of every CRD is 88.5.3's.
        for (const vendored of prometheusStackCrds(TO)) {
            const live = JSON.parse(kubectlOk(["get", "crd", vendored.name, "-o", "json"]));
            const schemas = (spec: any) => spec.versions.map((v: any) => [v.name, v.schema]);
            assert.deepStrictEqual(schemas(live.spec), schemas(vendored.spec), vendored.name);
        }
        const scrape = dryRun(SCRAPE_CONFIG_NEW_FIELD);
        assert.strictEqual(scrape.code, 0, scrape.stderr);
        const limit = dryRun(SERVICE_MONITOR_NEGATIVE_LIMIT);
        assert.notStrictEqual(limit.code, 0, "0.93.1's ServiceMonitor took sampleLimit -1");
        assert.match(
            limit.stderr,
            /spec\.sampleLimit: Invalid value: -1: spec\.sampleLimit in body should be greater than or equal to 0/,
        );
        // The release runs 88.5.3 (its operator Deployment's chart label).
        const operator = JSON.parse(
            kubectlOk(["-n", "observability", "get", "deployment", "kube-prometheus-stack-operator", "-o", "json"]),
        );
        assert.strictEqual(operator.metadata.labels.chart, `kube-prometheus-stack-${TO}`);
        // Every monitor survived: the same objects (uids), the platform's (the release's included) and the team's.
        const after = monitors();
        assert.deepStrictEqual(Object.fromEntries(Object.keys(before81).map((m) => [m, after[m]])), before81);
        // CRDs first: each CRD's last write by the engine is no later than Helm's second revision of the release.
        const revision = JSON.parse(
            kubectlOk([
                "-n",
                "observability",
                "get",
                "secret",
                "sh.helm.release.v1.kube-prometheus-stack.v2",
                "-o",
                "json",
            ]),
        );
        const upgraded = Date.parse(revision.metadata.creationTimestamp);
        for (const crd of OPERATOR_CRDS) {
            const live = JSON.parse(kubectlOk(["get", "crd", crd, "--show-managed-fields", "-o", "json"]));
            // An entry without a time (the API server may leave it out, e.g. one written before this
            // test by an earlier stack of the suite) says nothing about when: only timed ones count.
            const ours = (live.metadata.managedFields as { manager: string; time?: string }[]).filter(
                (f) => f.manager.startsWith("pulumi-kubernetes") && (f.time ?? "") !== "",
            );
            assert.ok(ours.length > 0, `${crd}: no timed field of the engine's`);
            assert.ok(
                ours.every((f) => Date.parse(f.time!) <= upgraded),
                `${crd} written after the release's upgrade (${ours.map((f) => f.time).join(", ")} > ${revision.metadata.creationTimestamp})`,
            );
        }
    });

    it("a second pulumi preview --expect-no-changes shows no changes", async () => {
        const r = await run("preview (no change)", ["preview", "--expect-no-changes", "--diff"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
    });

    it("the teardown (env destroy --unprotect) removes the release and keeps the CRDs (retainOnDelete) and the team's monitor", async () => {
        const teardown = await teardownCommon(backend, project, STACK);
        recordTiming(`${STACK} (existing cluster, kube-prometheus-stack upgrade)`, "teardown", teardown.seconds);
        assert.strictEqual(teardown.code, EXIT.ok, teardown.output);
        assert.deepStrictEqual(items(["secrets", "-A", "-l", "owner=helm"]), []);
        assert.deepStrictEqual(crdsOf(".monitoring.coreos.com"), [...OPERATOR_CRDS].sort());
        // Only the team's monitor is left: the stack's went with it, none went with a CRD.
        assert.deepStrictEqual(Object.keys(monitors()), ["servicemonitors/default/team-app"]);
    });
});
