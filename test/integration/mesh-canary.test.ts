// Istio upgraded by canary revision on a live environment (docs/common.md, "Upgrading Istio by
// canary revision"): dev-common in existing-cluster mode on the suite's API server, and dev-payment
// on it, under the real CLI, with a real istiod per control-plane revision (local processes,
// webhooks by URL: helpers/istiod-revisions.ts). The path: revision 1-30 (the pinned 1.30 release)
// as tag `stable` -> a canary 1-31 at 1.31.0-rc.0 as tag `canary` -> the service moved to `canary`
// -> `stable` moved to 1-31 -> rolled back to 1-30 -> moved again -> 1-30 removed. After each step:
// the preview shows exactly the step's changes, `pulumi up` applies them, a second preview shows
// none, Istio's validation still refuses an invalid object, and a pod created under each tag is
// injected by the istiod process of the revision the tag points at (the injected pod's
// `istio.io/rev` annotation is the injecting istiod's own revision).
//
// What this cannot show: both processes are the one istiod build the suite has (Istio 1.30); the
// 1.31 control plane's charts (1.31.0-rc.0, the newest 1.31 in the offline chart set, which has no
// 1.31.x release) are installed, and their release, values, templates and injection template are
// what istiod 1-31 serves, but its binary is not 1.31's. kwok runs no containers: no sidecar
// connects to either istiod.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { planEnvironment } from "../../plan/plan";
import { ROOT, setStackFileKeys } from "../../plan/stack-config";
import { DeclaredChange } from "../../plan/changelog";
import { PreviewStep, compareWithDeclared, observedChanges } from "../../plan/upgrade";
import { Backend, CommandResult, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { EXIT } from "../../scripts/env";
import { kubectl } from "../../plan/engine/kube";
import { ISTIO_REFUSAL, refusalOfInvalidObject } from "../../plan/engine/istio";
import { standIn } from "../../plan/engine/standin";
import { tempDir } from "../helpers/temp";
import { recordTiming } from "./helpers/timings";
import {
    CERT_MANAGER_CRDS,
    SHARED_CHARTS,
    beforeCommonDestroy,
    chartMirror,
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
import {
    RevisionIstiod,
    copyInjectionTemplates,
    istiodBinary,
    checkServedBy,
    deleteWebhooksAt,
    makeMeshCa,
    startRevisionIstiod,
    stopRevisionIstiod,
} from "./helpers/istiod-revisions";

const STACK = "dev-common";
const SERVICE = "dev-payment";
const NAMESPACE = "payment";
/** A namespace of the test's own, labelled with a tag: where a pod shows which istiod a tag reaches. */
const PROBE_NAMESPACE = "canary-probe";
const CANARY_RELEASE = "1.31.0-rc.0";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const TAG_WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
/**
 * What moving the tag `stable` changes (webhooks at URLs): its webhook configuration's revision
 * label and both injectors' URLs, nothing else.
 */
const STABLE_MOVED: DeclaredChange[] = [
    {
        op: "update",
        type: TAG_WEBHOOK,
        name: "mesh-revision-tag-stable",
        inputs: ["metadata.labels.istio.io/rev", "webhooks[0].clientConfig.url", "webhooks[1].clientConfig.url"],
    },
];

describe("Istio upgraded by canary revision with revision tags, under the real engine: stable -> canary -> service moved -> tag moved -> rollback -> old revision removed", function () {
    this.timeout(40 * 60 * 1000);
    const backend = new Backend("mesh-canary");
    let project = "";
    let crds: string[] = [];
    const istiods: Record<string, RevisionIstiod> = {};
    let stopCopying: () => void = () => undefined;

    /** Sets (a value) or removes (null) `platform:` keys of a stack file of the project, keeping its secrets. */
    const setKeys = (stack: string, keys: Record<string, unknown>) =>
        setStackFileKeys(path.join(project, `Pulumi.${stack}.yaml`), keys);

    const run = async (stack: string, step: string, args: string[]): Promise<CommandResult> => {
        const r = await backend.run(project, [...args, "--stack", stack]);
        recordTiming(`${stack} (canary upgrade)`, step, r.seconds);
        return r;
    };

    /**
     * One step of the path on `stack`: its preview shows exactly `want`, `pulumi up` applies it, and
     * a second preview shows no change.
     */
    const step = async (stack: string, label: string, want: DeclaredChange[]) => {
        const preview = await run(stack, `preview (${label})`, ["preview", "--json"]);
        assert.strictEqual(preview.code, 0, describeCommand(preview));
        const observed = observedChanges((JSON.parse(preview.stdout) as { steps?: PreviewStep[] }).steps ?? []);
        const problems = compareWithDeclared(stack, want, observed, [], "the engine");
        assert.deepStrictEqual(problems, [], `${label}:\n${problems.join("\n")}`);
        const { result: up } = await whileChartsInstall(() =>
            run(stack, `up (${label})`, ["up", "--yes", "--skip-preview"]),
        );
        assert.strictEqual(up.code, 0, describeCommand(up));
        await noChange(stack, label);
    };

    /** A preview of `stack` shows no change (after `label`). */
    const noChange = async (stack: string, label: string) => {
        const again = await run(stack, `preview (no change after ${label})`, [
            "preview",
            "--expect-no-changes",
            "--diff",
        ]);
        assert.strictEqual(again.code, 0, describeCommand(again));
    };

    /** The Helm releases deployed in istio-system, sorted. */
    const istioReleases = () =>
        items(["secrets", "-n", "istio-system", "-l", "owner=helm,status=deployed"])
            .map((s) => `${s.metadata.labels.name}`)
            .sort();

    /** Every live pod of the service has a sidecar injected by istiod `revision`. */
    const servicePodsInjectedBy = (revision: string) => {
        const pods = items(["pods", "-n", NAMESPACE]).filter((p) => p.metadata.deletionTimestamp === undefined);
        assert.ok(pods.length > 0, `no pod in ${NAMESPACE}`);
        for (const pod of pods) {
            assert.ok(
                pod.spec.containers.some((c: any) => c.name === "istio-proxy"),
                `${pod.metadata.name} has no sidecar`,
            );
            assert.strictEqual(pod.metadata.annotations?.["istio.io/rev"], revision, pod.metadata.name);
        }
    };

    /** The revision whose istiod injects a new pod in `namespace` (the annotation istio.io/rev its injection template sets), or why none did. */
    const injectingRevision = (namespace: string): string => {
        const name = `probe-${Date.now()}`;
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace },
            spec: { containers: [{ name: "app", image: "registry.example/probe:1" }] },
        };
        const created = kubectl(["create", "-o", "json", "-f", "-"], JSON.stringify(pod));
        assert.strictEqual(created.code, 0, created.stderr);
        kubectl(["-n", namespace, "delete", "pod", name, "--wait=false"]);
        const o = JSON.parse(created.stdout);
        const proxied = (o.spec.containers as { name: string }[]).some((c) => c.name === "istio-proxy");
        return proxied ? o.metadata.annotations?.["istio.io/rev"] : "not injected";
    };

    const validationIsLive = () =>
        assert.match(
            refusalOfInvalidObject() ?? "the API server accepted an invalid VirtualService",
            new RegExp(ISTIO_REFUSAL),
        );

    const namespaceRevisionLabel = (namespace: string) =>
        JSON.parse(kubectlOk(["get", "namespace", namespace, "-o", "json"])).metadata.labels["istio.io/rev"];

    before(async function () {
        const bin = istiodBinary();
        if (!fs.existsSync(SHARED_CHARTS) || bin === undefined || process.env.PLATFORM_ISTIOD_URL === undefined) {
            // A fresh clone has neither the offline chart set nor istiod; scripts/integration.sh has both.
            this.skip();
        }
        // One istiod per revision, both signing with the test's own CA.
        kubectl(["create", "namespace", "istio-system"]);
        const ca = makeMeshCa();
        istiods["1-30"] = await startRevisionIstiod(bin, "1-30", 15_100, ca);
        istiods["1-31"] = await startRevisionIstiod(bin, "1-31", 15_200, ca);
        await checkServedBy(Object.values(istiods), ca);
        stopCopying = copyInjectionTemplates(Object.values(istiods));

        await standIn(
            backend,
            (await planEnvironment("dev")).find((p) => p.layer === "global")!,
        );
        const config = {
            ...existingClusterConfig(path.join(ROOT, "Pulumi.dev-common.yaml"), chartMirror()),
            "platform:istiodWebhookUrl": istiods["1-30"].url,
            "platform:istiodWebhookCaBundle": ca.pem,
            "platform:meshRevision": "1-30",
            "platform:meshRevisionTags": { stable: "1-30" },
        };
        const stackFile = writeStackFile(tempDir("common-stack"), STACK, config);
        project = projectCopy("mesh-canary", [stackFile, `Pulumi.${SERVICE}.yaml`, "Pulumi.dev.yaml"]);
        await initCommonStack(backend, project, STACK);
        await backend.ok(project, ["stack", "init", SERVICE]);
        setKeys(SERVICE, { meshRevisionTag: "stable" });
        kubectlOk(["create", "namespace", PROBE_NAMESPACE]);
        kubectlOk(["label", "namespace", PROBE_NAMESPACE, "istio.io/rev=stable"]);
    });

    after(async function () {
        stopCopying();
        // After a failure, what the test deployed comes down here (best effort), so that no
        // webhook of these istiods outlives them and refuses the next tests' objects.
        if (project !== "" && (await backend.run(project, ["stack", "output", "--stack", STACK])).code === 0) {
            const resources = await backend.run(project, ["stack", "--show-urns", "--stack", STACK]);
            if (resources.stdout.includes("urn:pulumi:")) {
                beforeCommonDestroy();
                await backend.run(project, ["destroy", "--yes", "--skip-preview", "--stack", SERVICE]);
                await teardownCommon(backend, project, STACK);
            }
        }
        const left = deleteWebhooksAt(Object.values(istiods).map((i) => i.url));
        if (left.length > 0) {
            console.log(`      deleted what the test left at its istiods: ${left.join(", ")}`);
        }
        kubectl(["delete", "namespace", PROBE_NAMESPACE, "--ignore-not-found", "--wait=false"]);
        for (const istiod of Object.values(istiods)) {
            await stopRevisionIstiod(istiod);
        }
        takeBack([...crds, ...CERT_MANAGER_CRDS]);
    });

    it("1. revision 1-30 as tag stable: the common stack and the service on it, injected by istiod 1-30", async () => {
        crds = handCrdsToCharts();
        const { result: up } = await whileChartsInstall(() =>
            run(STACK, "up (install)", ["up", "--yes", "--skip-preview"]),
        );
        assert.strictEqual(up.code, 0, describeCommand(up));
        const outputs = JSON.parse((await backend.ok(project, ["stack", "output", "--json", "--stack", STACK])).stdout);
        assert.deepStrictEqual(
            [outputs.meshRevision, outputs.meshCanaryRevision, outputs.meshRevisionTags],
            ["1-30", "", { stable: "1-30" }],
        );
        const tag = JSON.parse(
            kubectlOk(["get", "mutatingwebhookconfiguration", "istio-revision-tag-stable", "-o", "json"]),
        );
        assert.deepStrictEqual(
            tag.webhooks.map((w: any) => w.clientConfig.url),
            [`${istiods["1-30"].url}/inject`, `${istiods["1-30"].url}/inject`],
        );
        const service = await run(SERVICE, "up (install)", ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(service.code, 0, describeCommand(service));
        assert.strictEqual(namespaceRevisionLabel(NAMESPACE), "stable");
        servicePodsInjectedBy("1-30");
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-30");
        validationIsLive();
        for (const stack of [STACK, SERVICE]) {
            await noChange(stack, "install");
        }
    });

    it("2. a canary control plane 1-31 at 1.31.0-rc.0 as tag canary: its release and its tag created, base at the newer release", async () => {
        setKeys(STACK, {
            meshCanaryRevision: "1-31",
            meshCanaryVersion: CANARY_RELEASE,
            meshRevisionTags: { stable: "1-30", canary: "1-31" },
            istiodRevisionWebhookUrls: { "1-31": istiods["1-31"].url },
        });
        await step(STACK, "add the canary", [
            { op: "create", type: RELEASE, name: "istiod-1-31" },
            // The chart's folder in the mirror and its version.
            { op: "update", type: RELEASE, name: "istio-base", inputs: ["chart", "version"] },
            { op: "create", type: TAG_WEBHOOK, name: "mesh-revision-tag-canary" },
        ]);
        assert.deepStrictEqual(istioReleases(), ["istio-base", "istiod-1-30", "istiod-1-31"]);
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-30");
        assert.strictEqual(namespaceRevisionLabel(NAMESPACE), "stable");
        validationIsLive();
    });

    it("3. the service moves to tag canary: its namespace's label only, its pods re-injected by istiod 1-31", async () => {
        setKeys(SERVICE, { meshRevisionTag: "canary" });
        await step(SERVICE, "the service to canary", [
            { op: "update", type: NAMESPACE_TYPE, name: NAMESPACE, inputs: ["metadata.labels.istio.io/rev"] },
        ]);
        assert.strictEqual(namespaceRevisionLabel(NAMESPACE), "canary");
        kubectlOk(["-n", NAMESPACE, "rollout", "restart", "deployment/payment-v1"]);
        kubectlOk(["-n", NAMESPACE, "rollout", "status", "deployment/payment-v1", "--timeout=120s"]);
        servicePodsInjectedBy("1-31");
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-30");
    });

    it("4. tag stable moves to 1-31: that tag's webhook only; namespaces on stable are now injected by istiod 1-31", async () => {
        setKeys(STACK, { meshRevisionTags: { stable: "1-31", canary: "1-31" } });
        await step(STACK, "promote stable", STABLE_MOVED);
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-31");
        assert.strictEqual(namespaceRevisionLabel(NAMESPACE), "canary");
        validationIsLive();
    });

    it("5. rollback: tag stable back to 1-30, injected by istiod 1-30 again; then forward once more", async () => {
        setKeys(STACK, { meshRevisionTags: { stable: "1-30", canary: "1-31" } });
        await step(STACK, "roll back stable", STABLE_MOVED);
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-30");
        validationIsLive();
        setKeys(STACK, { meshRevisionTags: { stable: "1-31", canary: "1-31" } });
        await step(STACK, "promote stable again", STABLE_MOVED);
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-31");
    });

    it("6. revision 1-30 removed: its release deleted, the gateway and Istio's validation moved to 1-31, the canary's release kept as it is; istiod 1-30 stopped, nothing breaks", async () => {
        setKeys(STACK, {
            meshRevision: "1-31",
            meshVersion: CANARY_RELEASE,
            meshCanaryRevision: null,
            meshCanaryVersion: null,
            istiodWebhookUrl: istiods["1-31"].url,
            istiodRevisionWebhookUrls: null,
        });
        await step(STACK, "remove 1-30", [
            { op: "delete", type: RELEASE, name: "istiod-1-30" },
            {
                op: "update",
                type: RELEASE,
                name: "istio-ingressgateway",
                inputs: ["chart", "values.revision", "version"],
            },
            {
                op: "update",
                type: RELEASE,
                name: "istio-base",
                inputs: ["values.base.validationURL", "values.defaultRevision"],
            },
        ]);
        assert.deepStrictEqual(istioReleases(), ["istio-base", "istiod-1-31"]);
        await stopRevisionIstiod(istiods["1-30"]);
        const validator = JSON.parse(
            kubectlOk(["get", "validatingwebhookconfiguration", "istiod-default-validator", "-o", "json"]),
        );
        assert.strictEqual(validator.webhooks[0].clientConfig.url, `${istiods["1-31"].url}/validate`);
        assert.strictEqual(validator.metadata.labels["istio.io/rev"], "1-31");
        validationIsLive();
        assert.strictEqual(injectingRevision(PROBE_NAMESPACE), "1-31");
        assert.deepStrictEqual(
            [namespaceRevisionLabel(NAMESPACE), namespaceRevisionLabel(PROBE_NAMESPACE)],
            ["canary", "stable"],
        );
        await noChange(SERVICE, "remove");
    });

    it("the service and the common stack come down (env destroy --unprotect)", async () => {
        beforeCommonDestroy();
        const service = await run(SERVICE, "destroy", ["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(service.code, 0, describeCommand(service));
        const teardown = await teardownCommon(backend, project, STACK);
        recordTiming(`${STACK} (canary upgrade)`, "teardown (env destroy --unprotect)", teardown.seconds);
        assert.strictEqual(teardown.code, EXIT.ok, teardown.output);
        assert.deepStrictEqual(items(["secrets", "-A", "-l", "owner=helm"]), []);
        assert.strictEqual(kubectl(["get", "mutatingwebhookconfiguration", "istio-revision-tag-stable"]).code, 1);
    });
});
