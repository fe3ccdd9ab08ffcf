// dev's common stack in existing-cluster mode (`clusterMode: existing`) under the real engine, on
// the suite's API server, with every chart from the offline chart set through the mirror key
// (`chartMirror` = a folder of `<chart>-<version>` charts). The global stack is a STAND-IN STACK
// (test/integration/programs/standin): it needs the aws provider, which cannot be had here.
//
// PREVIEW ONLY, not yet `pulumi up`: the kubernetes provider renders every chart against the
// API server, but nothing is installed. Installing needs the charts' admission webhooks handled on
// kwok's fake pods, where no webhook server answers: istiod's sidecar injector (the gateway's
// pods carry sidecar.istio.io/inject=true, failurePolicy Fail) and config validation would have to
// point at an istiod outside the cluster (istiodRemote.injectionURL, base.validationURL and their
// CA bundles, from ../shared/tools/istiod/up.sh), and kube-prometheus-stack's operator webhook and
// its certificate Jobs would have to be turned off or served. The program has no config key for
// either yet (a values override for an external istiod), so `up` is left to that change.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { CHARTS } from "../../components/charts";
import { OFFLINE_CHART_FOLDERS } from "../helpers/chart-values";
import { StackPlan, planEnvironment } from "../../plan/plan";
import { ROOT } from "../../plan/stack-config";
import { tempDir } from "../helpers/temp";
import { Backend, CommandResult, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { kubeconfigFile, kubectl } from "../../plan/engine/kube";
import { standIn } from "../../plan/engine/standin";
import { recordTiming } from "./helpers/timings";

/** The offline chart set (../shared/charts, or $PLATFORM_CHARTS_DIR). */
const SHARED_CHARTS = process.env.PLATFORM_CHARTS_DIR ?? path.resolve(ROOT, "..", "shared", "charts");

/** A chart mirror folder: `<chart>-<pinned version>` linked to the offline set's folder. */
function chartMirror(): string {
    const dir = tempDir("chart-mirror");
    // Istio's 1.30.3 folders go under the pinned 1.30.4 name: the set has no 1.30.4.
    for (const [name, folder] of Object.entries(OFFLINE_CHART_FOLDERS)) {
        const pin = CHARTS[name as keyof typeof CHARTS];
        fs.symlinkSync(path.join(SHARED_CHARTS, folder), path.join(dir, `${pin.chart}-${pin.version}`), "dir");
    }
    return dir;
}

const STACK = "dev-common";

describe("dev-common on an existing cluster under the real engine, charts through the mirror key", function () {
    this.timeout(30 * 60 * 1000);
    const backend = new Backend("common");
    let plans: StackPlan[];
    let project: string;
    const run = async (step: string, args: string[]): Promise<CommandResult> => {
        const r = await backend.run(project, [...args, "--stack", STACK]);
        recordTiming(STACK, step, r.seconds);
        return r;
    };

    before(async function () {
        if (!fs.existsSync(SHARED_CHARTS)) {
            // A fresh clone has no offline chart set; CI has ../shared.
            this.skip();
        }
        plans = await planEnvironment("dev");
        await standIn(
            backend,
            plans.find((p) => p.layer === "global")!,
        );
        // dev-common's own settings that an existing cluster keeps; the EKS keys would be refused.
        const dev = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.dev-common.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        const config = {
            "platform:layer": "common",
            "platform:clusterMode": "existing",
            "platform:chartMirror": chartMirror(),
            "platform:tracingSamplingPercentage": dev.config["platform:tracingSamplingPercentage"],
            "platform:gatewayScheme": dev.config["platform:gatewayScheme"],
        };
        const stackFile = path.join(tempDir("common-stack"), `Pulumi.${STACK}.yaml`);
        fs.writeFileSync(stackFile, yaml.dump({ config }));
        project = projectCopy("common", [stackFile]);
        await backend.ok(project, ["stack", "init", STACK]);
        await backend.ok(project, [
            "config",
            "set",
            "--secret",
            "--stack",
            STACK,
            "platform:kubeconfig",
            fs.readFileSync(kubeconfigFile(), "utf8"),
        ]);
        await backend.ok(project, [
            "config",
            "set",
            "--secret",
            "--stack",
            STACK,
            "platform:grafanaAdminPassword",
            "integration-admin",
        ]);
    });

    it("pulumi preview renders the six releases from the mirror folder against the given cluster, and creates nothing", async () => {
        const r = await run("preview", ["preview", "--diff"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
        // The kubernetes provider renders each local chart in preview: a wrong folder or a value a
        // template cannot take fails here.
        const releases = [
            ...r.stdout.matchAll(/\[urn=urn:pulumi:dev-common::platform::[^\]]*helm\.sh\/v3:Release::([a-z-]+)\]/g),
        ]
            .map((m) => m[1])
            .sort();
        assert.deepStrictEqual(
            releases,
            ["istio-base", "istio-ingressgateway", "istiod", "jaeger", "kube-prometheus-stack", "metrics-server"],
            describeCommand(r),
        );
        // Nothing of AWS, and no random password: Grafana's is configured.
        assert.doesNotMatch(r.stdout, /pulumi:providers:(aws|eks|random)/, describeCommand(r));
        assert.match(
            r.stdout,
            /jaegerCollectorEndpoint\s*:\s*"jaeger\.observability\.svc\.cluster\.local:4317"/,
            describeCommand(r),
        );
        for (const ns of ["istio-ingress", "observability"]) {
            assert.strictEqual(kubectl(["get", "namespace", ns]).code, 1, `namespace ${ns} exists after a preview`);
        }
    });

    it("refuses a bad chartMirror and a missing kubeconfig under the real engine, before creating anything", async () => {
        await backend.ok(project, [
            "config",
            "set",
            "--stack",
            STACK,
            "platform:chartMirror",
            "http://charts.example.com",
        ]);
        await backend.ok(project, ["config", "rm", "--stack", STACK, "platform:kubeconfig"]);
        const r = await run("preview-refused", ["preview"]);
        assert.notStrictEqual(r.code, 0, describeCommand(r));
        const text = r.stdout + r.stderr;
        assert.match(
            text,
            /Configuration of stack "dev-common" \(Pulumi\.dev-common\.yaml\) is invalid; nothing was created:/,
            describeCommand(r),
        );
        assert.match(
            text,
            /platform:kubeconfig = \(not set\): required in stack "dev-common" with clusterMode existing; allowed: the existing cluster's kubeconfig, set with pulumi config set --secret kubeconfig < <file>/,
            describeCommand(r),
        );
        assert.match(
            text,
            /platform:chartMirror = "http:\/\/charts\.example\.com": scheme http is not supported; allowed: empty/,
            describeCommand(r),
        );
        // Our message, not a stack trace.
        assert.doesNotMatch(text, / {4}at .*\.(ts|js):[0-9]+/, describeCommand(r));
    });
});
