// A common stack in existing-cluster mode on the suite's API server, as the common stack's test
// (common.test.ts) and the release-upgrade test (release-upgrade.test.ts) deploy it: its config
// (every chart from the offline chart set through `chartMirror`, the webhooks of the istiod and
// cert-manager the suite runs beside the API server), the CRDs the cluster already has handed to
// the charts that template them, and what `pulumi up` needs from outside while the charts install
// (the gateway's load balancer address, istiod's injection template). common.test.ts says why each
// of these is needed here and not on kind or EKS.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { CHARTS } from "../../../components/charts";
import { CHART_VALUES_DIR, OFFLINE_CHARTS, OFFLINE_CHART_FOLDERS } from "../../helpers/chart-values";
import { tempDir } from "../../helpers/temp";
import { Backend } from "../../../plan/engine/engine";
import { kubeconfigFile, kubectl } from "../../../plan/engine/kube";
import { AutomationWorkspace, main } from "../../../scripts/env";

/** The offline chart set (test/helpers/chart-values.ts). */
export const SHARED_CHARTS = OFFLINE_CHARTS;

/**
 * A chart mirror folder: `<chart>-<pinned version>` linked to the offline set's folder for every
 * chart this tree pins; then every chart folder of `more` (e.g. another release's vendored charts)
 * and of the offline set under its own name, unless that name is taken: a previous release's pins
 * are found there too.
 */
export function chartMirror(more: readonly string[] = []): string {
    const dir = tempDir("chart-mirror");
    // Istio's 1.30.3 folders go under the pinned 1.30.4 name: the set has no 1.30.4.
    for (const [name, folder] of Object.entries(OFFLINE_CHART_FOLDERS)) {
        const pin = CHARTS[name as keyof typeof CHARTS];
        // cert-manager's chart is not in the offline set: it is vendored whole in this repository.
        const from = name === "cert-manager" ? CHART_VALUES_DIR : SHARED_CHARTS;
        fs.symlinkSync(path.join(from, folder), path.join(dir, `${pin.chart}-${pin.version}`), "dir");
    }
    for (const parent of [...more, SHARED_CHARTS]) {
        for (const folder of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
            const target = path.join(dir, folder);
            if (fs.existsSync(path.join(parent, folder, "Chart.yaml")) && !fs.existsSync(target)) {
                fs.symlinkSync(path.join(parent, folder), target, "dir");
            }
        }
    }
    return dir;
}

/**
 * The config of a common stack in existing-cluster mode: the given stack file's settings that an
 * existing cluster keeps (the EKS keys would be refused), the mirror, and the suite's webhooks.
 */
export function existingClusterConfig(stackFile: string, mirror: string): Record<string, unknown> {
    const certManagerWebhook = process.env.PLATFORM_CERT_MANAGER_WEBHOOK_HOST;
    const istiodUrl = process.env.PLATFORM_ISTIOD_URL;
    const istiodCa = process.env.PLATFORM_ISTIOD_CA;
    assert.ok(
        (istiodUrl === undefined) === (istiodCa === undefined),
        "set both PLATFORM_ISTIOD_URL and PLATFORM_ISTIOD_CA, or neither",
    );
    const own = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
    return {
        "platform:layer": "common",
        "platform:clusterMode": "existing",
        "platform:chartMirror": mirror,
        "platform:tracingSamplingPercentage": own.config["platform:tracingSamplingPercentage"],
        "platform:gatewayScheme": own.config["platform:gatewayScheme"],
        ...(certManagerWebhook === undefined ? {} : { "platform:certManagerWebhookHost": certManagerWebhook }),
        ...(istiodUrl === undefined || istiodCa === undefined
            ? {}
            : {
                  "platform:istiodWebhookUrl": istiodUrl,
                  "platform:istiodWebhookCaBundle": fs.readFileSync(istiodCa, "utf8"),
              }),
    };
}

/** Writes `Pulumi.<stack>.yaml` with `config` into `dir`; returns the file. */
export function writeStackFile(dir: string, stack: string, config: Record<string, unknown>): string {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, yaml.dump({ config }));
    return file;
}

/** The suite cluster's kubeconfig, as the common stack's `kubeconfig` takes it. */
export function suiteKubeconfig(): string {
    return fs.readFileSync(kubeconfigFile(), "utf8");
}

/** Creates the common stack in `project` and sets its secrets: the suite's kubeconfig, Grafana's password. */
export async function initCommonStack(backend: Backend, project: string, stack: string): Promise<void> {
    await backend.ok(project, ["stack", "init", stack]);
    const secrets = { "platform:kubeconfig": suiteKubeconfig(), "platform:grafanaAdminPassword": "integration-admin" };
    for (const [key, value] of Object.entries(secrets)) {
        await backend.ok(project, ["config", "set", "--secret", "--stack", stack, key, value]);
    }
}

/** Runs kubectl and fails with its output when it fails. */
export function kubectlOk(args: string[]): string {
    const r = kubectl(args);
    assert.strictEqual(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

export function items(args: string[]): any[] {
    return JSON.parse(kubectlOk(["get", ...args, "-o", "json"])).items;
}

/** cert-manager's CRDs: installed by its chart, kept when the release goes (helm.sh/resource-policy: keep). */
export const CERT_MANAGER_CRDS = [
    "certificaterequests.cert-manager.io",
    "certificates.cert-manager.io",
    "challenges.acme.cert-manager.io",
    "clusterissuers.cert-manager.io",
    "issuers.cert-manager.io",
    "orders.acme.cert-manager.io",
];

export const HELM_OWNER = {
    label: "app.kubernetes.io/managed-by",
    release: "meta.helm.sh/release-name",
    namespace: "meta.helm.sh/release-namespace",
};

/** The cluster's CRDs whose name ends in `suffix`, sorted. */
export function crdsOf(suffix: string): string[] {
    return kubectlOk(["get", "customresourcedefinitions", "-o", "name"])
        .split("\n")
        .map((n) => n.replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, ""))
        .filter((n) => n.endsWith(suffix))
        .sort();
}

/** The cluster's Istio CRDs (installed with the cluster by ../shared/tools/k8s/up.sh). */
export function istioCrds(): string[] {
    return crdsOf(".istio.io");
}

/** Hands existing CRDs to a Helm release that templates the same ones (Helm's ownership labels). */
export function handToRelease(crds: readonly string[], release: string, namespace: string): void {
    for (const crd of crds) {
        kubectlOk(["label", "crd", crd, `${HELM_OWNER.label}=Helm`, "--overwrite"]);
        kubectlOk([
            "annotate",
            "crd",
            crd,
            `${HELM_OWNER.release}=${release}`,
            `${HELM_OWNER.namespace}=${namespace}`,
            "--overwrite",
        ]);
    }
}

/** Gives CRDs back as they came, without Helm's ownership (the charts keep them on uninstall). */
export function takeBack(crds: readonly string[]): void {
    for (const crd of crds) {
        kubectl(["label", "crd", crd, `${HELM_OWNER.label}-`]);
        kubectl(["annotate", "crd", crd, `${HELM_OWNER.release}-`, `${HELM_OWNER.namespace}-`]);
    }
}

/**
 * Hands the cluster's Istio CRDs to istio-base and cert-manager's to the cert-manager release,
 * whose charts template the same ones; returns the Istio CRDs handed (to take back after destroy).
 */
export function handCrdsToCharts(): string[] {
    const crds = istioCrds();
    handToRelease(crds, "istio-base", "istio-system");
    assert.deepStrictEqual(crdsOf("cert-manager.io"), CERT_MANAGER_CRDS, "cert-manager's CRDs are not installed");
    handToRelease(CERT_MANAGER_CRDS, "cert-manager", "cert-manager");
    return crds;
}

/** The address the test gives the gateway's load balancer (.invalid: RFC 2606, never resolves). */
export const LOAD_BALANCER_HOSTNAME = "istio-ingressgateway.lb.invalid";

/**
 * Runs `install` (a `pulumi up` of the common stack) while doing what the charts wait for from
 * outside here: the gateway's LoadBalancer Service gets the address a controller would give it,
 * and istiod's sidecar-injection template (ConfigMap istio-sidecar-injector) is copied to the
 * istiod outside the cluster (PLATFORM_ISTIOD_INJECT_DIR) once the chart has made it, and again
 * when it changes. `copied`
 * says whether it was (always true without that variable).
 */
export async function whileChartsInstall<T>(install: () => Promise<T>): Promise<{ result: T; copied: boolean }> {
    const injectDir = process.env.PLATFORM_ISTIOD_INJECT_DIR;
    let copied = false;
    let addressed = false;
    const poll = setInterval(() => {
        if (!addressed && kubectl(["-n", "istio-ingress", "get", "service", "istio-ingressgateway"]).code === 0) {
            addressed = true;
            kubectlOk([
                "-n",
                "istio-ingress",
                "patch",
                "service",
                "istio-ingressgateway",
                "--subresource=status",
                "--type=merge",
                "-p",
                JSON.stringify({ status: { loadBalancer: { ingress: [{ hostname: LOAD_BALANCER_HOSTNAME }] } } }),
            ]);
        }
        if (injectDir === undefined) {
            return;
        }
        const cm = kubectl(["-n", "istio-system", "get", "configmap", "istio-sidecar-injector", "-o", "json"]);
        if (cm.code === 0) {
            // Again whenever it changes (an update of the istiod chart).
            const data = (JSON.parse(cm.stdout) as { data: { config: string; values: string } }).data;
            for (const key of ["values", "config"] as const) {
                const file = path.join(injectDir, key);
                if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== data[key]) {
                    fs.writeFileSync(file, data[key]);
                }
            }
            copied = true;
        }
    }, 200);
    try {
        const result = await install();
        return { result, copied: injectDir === undefined || copied };
    } finally {
        clearInterval(poll);
    }
}

/**
 * What `pulumi destroy` of the common stack needs first here: metrics-server's pods are kwok's
 * fakes, so its aggregated API (APIService v1beta1.metrics.k8s.io) never answers, and the namespace
 * controller finishes no namespace deletion while an API group fails discovery. On a real cluster
 * metrics-server serves it; here the APIService goes first (helm uninstall then finds it gone).
 */
export function beforeCommonDestroy(): void {
    kubectlOk(["delete", "apiservice", "v1beta1.metrics.k8s.io", "--ignore-not-found"]);
}

/**
 * The documented teardown of a review environment's common stack (`npm run env -- destroy --env
 * dev --stack <stack> --unprotect --yes`), after what a destroy needs first here
 * (beforeCommonDestroy): its exit code, its output and how long it took.
 */
export async function teardownCommon(
    backend: Backend,
    project: string,
    stack: string,
): Promise<{ code: number; output: string; seconds: number }> {
    beforeCommonDestroy();
    const lines: string[] = [];
    const started = Date.now();
    const code = await main(["destroy", "--env", "dev", "--stack", stack, "--unprotect", "--yes"], {
        workspace: new AutomationWorkspace(project, false, backend.vars()),
        dir: project,
        print: (l) => lines.push(l),
        canAsk: false,
    });
    return { code, output: lines.join("\n"), seconds: (Date.now() - started) / 1000 };
}
