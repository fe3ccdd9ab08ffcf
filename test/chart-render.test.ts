// The dev plan's Helm releases rendered by Helm itself (`helm template`) from the team's offline
// charts: what the charts make of our values (PodDisruptionBudgets, autoscalers, the gateway's
// Service), which the values alone do not show (e.g. a chart makes its PDB only with a floor above
// one replica). Runs when helm is on PATH and ../shared/charts is beside this clone; skipped,
// saying why, otherwise (PLATFORM_REQUIRE_HELM=1 makes a missing helm a failure).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { CHARTS, ChartName } from "../components/charts";
import { KUBERNETES_VERSION } from "../components/cluster";
import { CHART_VALUES_DIR, OFFLINE_CHARTS, OFFLINE_CHART_FOLDERS } from "./helpers/chart-values";
import { devPlan } from "./helpers/dev-plan";
import { tempDir } from "./helpers/temp";

interface Doc {
    kind: string;
    metadata: { name: string };
    spec: any;
}

describe("the dev plan's releases rendered by helm template (when helm and ../shared/charts are here)", function () {
    const rendered: Record<string, Doc[]> = {};

    before(async function () {
        const helm = spawnSync("helm", ["version", "--short"], { encoding: "utf8" });
        const haveHelm = helm.error === undefined && helm.status === 0;
        assert.ok(
            haveHelm || !process.env.PLATFORM_REQUIRE_HELM,
            "PLATFORM_REQUIRE_HELM is set but helm is not on PATH",
        );
        assert.ok(
            fs.existsSync(OFFLINE_CHARTS) || !process.env.PLATFORM_REQUIRE_HELM,
            `PLATFORM_REQUIRE_HELM is set but there is no chart set at ${OFFLINE_CHARTS}`,
        );
        if (!haveHelm || !fs.existsSync(OFFLINE_CHARTS)) {
            console.log(`      skipped: ${haveHelm ? "no ../shared/charts beside this clone" : "helm is not on PATH"}`);
            this.skip();
        }
        const common = (await devPlan()).find((p) => p.config.stack === "dev-common")!;
        const dir = tempDir("helm-render");
        // The releases whose HA and load balancer values are checked here (external-dns is not in the
        // offline set; cert-manager's chart is vendored whole in test/fixtures/chart-values).
        const releases = ["istiod", "istio-ingressgateway", "aws-load-balancer-controller", "cert-manager"];
        for (const r of common.evaluation.resources.filter(
            (x) => x.type === "kubernetes:helm.sh/v3:Release" && releases.includes(x.name),
        )) {
            const chart = String(r.inputs.chart).split("/").pop() as ChartName;
            const folder = path.join(
                chart === "cert-manager" ? CHART_VALUES_DIR : OFFLINE_CHARTS,
                OFFLINE_CHART_FOLDERS[chart],
            );
            const values = path.join(dir, `${r.name}.json`);
            fs.writeFileSync(values, JSON.stringify(r.inputs.values));
            const run = spawnSync(
                "helm",
                [
                    "template",
                    String(r.inputs.name),
                    folder,
                    "-n",
                    String(r.inputs.namespace),
                    "-f",
                    values,
                    "--kube-version",
                    `${KUBERNETES_VERSION}.0`,
                ],
                { encoding: "utf8" },
            );
            assert.strictEqual(run.status, 0, `helm template ${r.name}: ${run.stderr}`);
            rendered[r.name] = (yaml.loadAll(run.stdout) as (Doc | null)[]).filter((d): d is Doc => d !== null);
        }
    });

    const all = (release: string, kind: string): Doc[] => (rendered[release] ?? []).filter((d) => d.kind === kind);
    const one = (release: string, kind: string): Doc => {
        const docs = all(release, kind);
        assert.strictEqual(docs.length, 1, `${release}: expected one ${kind}, found ${docs.length}`);
        return docs[0];
    };

    it("istiod and the gateway: an autoscaler from 2 replicas and a PodDisruptionBudget each", () => {
        for (const release of ["istiod", "istio-ingressgateway"]) {
            assert.deepStrictEqual(
                [
                    one(release, "HorizontalPodAutoscaler").spec.minReplicas,
                    one(release, "PodDisruptionBudget").spec.minAvailable,
                ],
                [2, 1],
                release,
            );
            const spread = one(release, "Deployment").spec.template.spec.topologySpreadConstraints.map(
                (c: any) => c.topologyKey,
            );
            assert.deepStrictEqual(spread, ["topology.kubernetes.io/zone", "kubernetes.io/hostname"], release);
        }
    });

    it("the gateway's Service publishes 80 and 443 only, to the VPC, as an internal NLB of the load balancer controller", () => {
        const service = one("istio-ingressgateway", "Service");
        assert.deepStrictEqual(
            service.spec.ports.map((p: any) => p.port),
            [80, 443],
        );
        assert.deepStrictEqual(service.spec.loadBalancerSourceRanges, ["10.20.0.0/16"]);
        const annotations = (service.metadata as any).annotations;
        assert.deepStrictEqual(
            [
                annotations["service.beta.kubernetes.io/aws-load-balancer-type"],
                annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"],
            ],
            ["external", "internal"],
        );
    });

    it("the load balancer controller: two replicas with a PodDisruptionBudget, region and VPC given", () => {
        const deployment = one("aws-load-balancer-controller", "Deployment");
        assert.strictEqual(deployment.spec.replicas, 2);
        assert.strictEqual(one("aws-load-balancer-controller", "PodDisruptionBudget").spec.maxUnavailable, 1);
        const args: string[] = deployment.spec.template.spec.containers[0].args;
        assert.ok(
            args.includes("--aws-region=eu-central-1") && args.includes("--cluster-name=dev-common-eks-cluster"),
            args.join(" "),
        );
    });

    it("cert-manager: its CRDs kept, three Deployments of two replicas spread over zones with a PodDisruptionBudget each, a ServiceMonitor", () => {
        const crds = all("cert-manager", "CustomResourceDefinition");
        assert.deepStrictEqual(
            crds.map((c) => [c.metadata.name, (c.metadata as any).annotations["helm.sh/resource-policy"]]).sort(),
            [
                ["certificaterequests.cert-manager.io", "keep"],
                ["certificates.cert-manager.io", "keep"],
                ["challenges.acme.cert-manager.io", "keep"],
                ["clusterissuers.cert-manager.io", "keep"],
                ["issuers.cert-manager.io", "keep"],
                ["orders.acme.cert-manager.io", "keep"],
            ],
        );
        assert.deepStrictEqual(
            all("cert-manager", "Deployment")
                .map((d) => [
                    d.metadata.name,
                    d.spec.replicas,
                    d.spec.template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey),
                ])
                .sort(),
            [
                ["cert-manager", 2, ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]],
                ["cert-manager-cainjector", 2, ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]],
                ["cert-manager-webhook", 2, ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]],
            ],
        );
        assert.deepStrictEqual(
            all("cert-manager", "PodDisruptionBudget").map((p) => p.spec.minAvailable),
            [1, 1, 1],
        );
        assert.strictEqual(one("cert-manager", "ServiceMonitor").metadata.name, "cert-manager");
        // The plain CRDs the integration suite installs (test/fixtures/k8s-crds) are the chart's.
        const vendored = path.resolve(
            __dirname,
            "fixtures",
            "k8s-crds",
            `cert-manager-${CHARTS["cert-manager"].version}`,
        );
        const plain = fs
            .readdirSync(vendored)
            .map((f) => yaml.load(fs.readFileSync(path.join(vendored, f), "utf8")) as Doc)
            .map((d) => [d.metadata.name, d.spec] as const)
            .sort(([a], [b]) => a.localeCompare(b));
        assert.deepStrictEqual(
            plain,
            crds.map((c) => [c.metadata.name, c.spec] as const).sort(([a], [b]) => a.localeCompare(b)),
        );
        // Leader election in its own namespace; the webhook at its Service (no webhookHost in dev).
        const args: string[] = all("cert-manager", "Deployment").find((d) => d.metadata.name === "cert-manager")!.spec
            .template.spec.containers[0].args;
        assert.ok(args.includes("--leader-election-namespace=cert-manager"), args.join(" "));
        assert.deepStrictEqual(
            (one("cert-manager", "ValidatingWebhookConfiguration") as any).webhooks.map(
                (w: any) => w.clientConfig.service.name,
            ),
            ["cert-manager-webhook"],
        );
    });
});
