// dev's common stack in existing-cluster mode (`clusterMode: existing`) under the real engine, on
// the suite's API server, with every chart from the offline chart set through the mirror key
// (`chartMirror` = a folder of `<chart>-<version>` charts), installed for real with `pulumi up`;
// then dev-payment on top of it (its StackReference reads this real common stack), a no-change
// preview of both, and destroy in reverse order with nothing left behind. The global stack is a
// STAND-IN STACK (test/integration/programs/standin): it needs the aws provider, which cannot be
// had here.
//
// Webhooks. Behind kwok's fake pods no webhook server answers, so the stack is given the istiod
// the suite runs as a local process (scripts/integration.sh: PLATFORM_ISTIOD_URL and
// PLATFORM_ISTIOD_CA) through the product keys `istiodWebhookUrl` and `istiodWebhookCaBundle`
// (components/mesh/webhooks.ts): the istiod chart's sidecar injector (istiodRemote.injectionURL)
// and the base chart's validator (base.validationURL) call it, so the gateway's and payment's pods
// are really injected and every Istio object is really validated at admission. The in-cluster
// istiod Deployment is still installed (a kwok pod: Ready, serving nothing). The local istiod serves
// injection from template files (PLATFORM_ISTIOD_INJECT_DIR, from scripts/integration.sh), which it
// reloads when they change; the test copies the istiod chart's ConfigMap istio-sidecar-injector
// there once the chart has made it, as a ConfigMap volume would for an in-cluster istiod.
// cert-manager's webhook is served the same way: scripts/integration.sh runs cert-manager's own
// admission chain as a local process (test/integration/cert-manager-local/webhook) and the stack is given
// its address through the product key `certManagerWebhookHost` (the chart's webhook.url.host), so the
// environment's CA chain and payment's host Certificate (payment is exposed for this test) are
// validated by cert-manager at admission; and its controllers for the CA and self-signed issuers run
// beside it (PLATFORM_CERT_MANAGER_ISSUES=1), so the CA chain and payment's certificate are really
// issued: the test reads the TLS Secret and checks the host, the signer and the key.
// Load balancer: no controller gives the gateway's LoadBalancer Service an address here (this mode
// installs no AWS Load Balancer Controller), and Helm waits for one, so the test sets the Service's
// status as a controller would (a .invalid host name).
// kube-prometheus-stack's operator webhook is left as the chart makes it: its certificate Jobs are
// hooks that kwok completes (pod-complete stage: the Job's pod Succeeds without running), and the
// release installs (the test checks it is deployed). Nothing is turned off.
// The cluster comes with Istio's and the Prometheus operator's CRDs (../shared/tools/k8s/up.sh),
// and cert-manager's (scripts/integration.sh, for the service stacks' Certificates); the base and
// cert-manager charts manage theirs as templates, so the test hands the existing ones to the
// istio-base and cert-manager releases first (Helm's ownership labels, as when moving CRDs under
// Helm) and takes them back after destroy: the charts keep them (helm.sh/resource-policy: keep).
import * as assert from "assert";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { StackPlan, manifestsOf, planEnvironment } from "../../plan/plan";
import { ROOT, stackFilesWithKeys } from "../../plan/stack-config";
import { checkAllowedCallers } from "../../plan/access-plan";
import { tempDir } from "../helpers/temp";
import { AMBIENT_FIXTURE_STACKS, BACKEND_ON_SIDECARS } from "../helpers/stacks";
import { plannedStacks, upgradeOfPlans } from "../../plan/release-diff";
import { ObservedChange, PreviewStep, compareWithDeclared, declarationsOf, observedChanges } from "../../plan/upgrade";
import { Backend, CommandResult, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { AutomationWorkspace, EXIT, failure, main } from "../../scripts/env";
import { kubectl } from "../../plan/engine/kube";
import { ISTIO_REFUSAL, refusalOfInvalidObject } from "../../plan/engine/istio";
import { standIn } from "../../plan/engine/standin";
import { recordTiming } from "./helpers/timings";
import { gatewayApiObjects } from "../../components/mesh/gateway-api";
import {
    CERT_MANAGER_CRDS,
    HELM_OWNER,
    SHARED_CHARTS,
    beforeCommonDestroy,
    chartMirror,
    crdsOf,
    existingClusterConfig,
    handCrdsToCharts,
    initCommonStack,
    istioCrds,
    items,
    kubectlOk,
    suiteKubeconfig,
    takeBack,
    teardownCommon,
    whileChartsInstall,
    writeStackFile,
} from "./helpers/common-stack";

const STACK = "dev-common";
const SERVICE = "dev-payment";
/** The ambient fixture environment's service stacks (test/fixtures/ambient-stacks), deployed on the ambient dev-common. */
const AMBIENT_SERVICES = ["dev-payment", "dev-frontend", "dev-backend"];
const RELEASES = [
    "cert-manager",
    "istio-base",
    "istio-ingressgateway",
    "istiod",
    "jaeger",
    "kube-prometheus-stack",
    "metrics-server",
];
const NAMESPACES = ["istio-system", "istio-ingress", "observability", "cert-manager"];
/** Cluster-scoped kinds the charts make. */
const CLUSTER_KINDS = [
    "clusterroles",
    "clusterrolebindings",
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "apiservices",
    "customresourcedefinitions",
];
/** Objects of our CRDs and the charts' that the common stack makes. */
const MESH_OBJECTS = [
    "peerauthentications.security.istio.io",
    "telemetries.telemetry.istio.io",
    "podmonitors.monitoring.coreos.com",
    "servicemonitors.monitoring.coreos.com",
    "prometheusrules.monitoring.coreos.com",
    "prometheuses.monitoring.coreos.com",
    "alertmanagers.monitoring.coreos.com",
    "certificates.cert-manager.io",
    "clusterissuers.cert-manager.io",
];
/** Whether a cert-manager controller issues certificates on the suite's cluster (scripts/integration.sh). */
const ISSUES = process.env.PLATFORM_CERT_MANAGER_ISSUES === "1";

/** Waits until a cert-manager object (`certificate/<name>`, `clusterissuer/<name>`) is Ready. */
function waitReady(ref: string, namespace?: string): void {
    kubectlOk([
        ...(namespace === undefined ? [] : ["-n", namespace]),
        "wait",
        "--for=condition=Ready",
        ref,
        "--timeout=120s",
    ]);
}

/** The certificate of a `kubernetes.io/tls` Secret that cert-manager issued, and its CA's. */
function issuedCertificate(
    namespace: string,
    secret: string,
): { leaf: X509Certificate; ca: X509Certificate; type: string } {
    const s = JSON.parse(kubectlOk(["-n", namespace, "get", "secret", secret, "-o", "json"]));
    const pem = (key: string) => Buffer.from(s.data[key], "base64").toString("utf8");
    return { leaf: new X509Certificate(pem("tls.crt")), ca: new X509Certificate(pem("ca.crt")), type: s.type };
}

/** `kind/name` of every cluster-scoped object a Helm release of ours owns, CRDs apart. */
function clusterObjectsOfOurReleases(): string[] {
    return CLUSTER_KINDS.filter((k) => k !== "customresourcedefinitions").flatMap((kind) =>
        items([kind])
            .filter((o) => RELEASES.includes(o.metadata.annotations?.[HELM_OWNER.release]))
            .map((o) => `${kind}/${o.metadata.name}`),
    );
}

describe("dev-common on an existing cluster under the real engine, charts through the mirror key", function () {
    this.timeout(30 * 60 * 1000);
    const backend = new Backend("common");
    let plans: StackPlan[];
    let project: string;
    let kubeconfig: string;
    let crds: string[] = [];
    const run = async (stack: string, step: string, args: string[]): Promise<CommandResult> => {
        const r = await backend.run(project, [...args, "--stack", stack]);
        recordTiming(
            stack === STACK ? `${STACK} (existing cluster)` : `${stack} (on the real ${STACK})`,
            step,
            r.seconds,
        );
        return r;
    };

    before(async function () {
        if (!fs.existsSync(SHARED_CHARTS)) {
            // A fresh clone has no offline chart set; CI has ../shared.
            this.skip();
        }
        // An istiod outside the cluster (scripts/integration.sh starts one beside the local API
        // server); on a cluster that runs pods for real (kind, EKS), the istiod the chart installs
        // serves the webhooks itself and the two keys stay unset.
        // Likewise cert-manager's webhook (PLATFORM_CERT_MANAGER_WEBHOOK_HOST, the product key
        // certManagerWebhookHost): kwok's pods serve nothing, so the suite runs cert-manager's
        // admission chain as a local process; on kind or EKS the chart's own webhook serves.
        plans = await planEnvironment("dev");
        await standIn(
            backend,
            plans.find((p) => p.layer === "global")!,
        );
        // dev-common's own settings that an existing cluster keeps; the EKS keys would be refused.
        const config = existingClusterConfig(path.join(ROOT, "Pulumi.dev-common.yaml"), chartMirror());
        const stackFile = writeStackFile(tempDir("common-stack"), STACK, config);
        // Pulumi.dev.yaml too: npm run env (the teardown) reads the environment's global stack file,
        // whose platform:production: false makes dev a review environment.
        project = projectCopy("common", [stackFile, `Pulumi.${SERVICE}.yaml`, "Pulumi.dev.yaml"]);
        kubeconfig = suiteKubeconfig();
        await initCommonStack(backend, project, STACK);
        await backend.ok(project, ["stack", "init", SERVICE]);
        // Exposed on the gateway here, so its host's Certificate goes through the real engine and cert-manager's webhook.
        await backend.ok(project, ["config", "set", "--stack", SERVICE, "platform:exposed", "true"]);
    });

    after(() => {
        // Give the cluster's Istio CRDs back as they came (the chart keeps them on uninstall).
        takeBack([...crds, ...CERT_MANAGER_CRDS]);
    });

    it("pulumi preview renders the seven releases from the mirror folder against the given cluster, and creates nothing", async () => {
        const r = await run(STACK, "preview", ["preview", "--diff"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
        // The kubernetes provider renders each local chart in preview: a wrong folder or a value a
        // template cannot take fails here.
        const releases = [
            ...r.stdout.matchAll(/\[urn=urn:pulumi:dev-common::platform::[^\]]*helm\.sh\/v3:Release::([a-z-]+)\]/g),
        ]
            .map((m) => m[1])
            .sort();
        assert.deepStrictEqual(releases, RELEASES, describeCommand(r));
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
        const mirror = (
            await backend.ok(project, ["config", "get", "--stack", STACK, "platform:chartMirror"])
        ).stdout.trim();
        await backend.ok(project, [
            "config",
            "set",
            "--stack",
            STACK,
            "platform:chartMirror",
            "http://charts.example.com",
        ]);
        await backend.ok(project, ["config", "rm", "--stack", STACK, "platform:kubeconfig"]);
        const r = await run(STACK, "preview-refused", ["preview"]);
        await backend.ok(project, ["config", "set", "--stack", STACK, "platform:chartMirror", mirror]);
        await backend.ok(project, ["config", "set", "--secret", "--stack", STACK, "platform:kubeconfig", kubeconfig]);
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

    it("pulumi up installs base -> istiod -> gateway, the observability releases, cert-manager with the environment's CA, and the mesh-wide objects", async () => {
        // The cluster's Istio CRDs go to the istio-base release, which templates the same ones;
        // likewise cert-manager's, which the suite installs for the service stacks' Certificates
        // (scripts/integration.sh), to the cert-manager release whose chart templates them.
        crds = handCrdsToCharts();
        // The istiod outside the cluster serves injection from the template in
        // PLATFORM_ISTIOD_INJECT_DIR (scripts/integration.sh), and reloads it when the files change:
        // once the istiod chart has made its ConfigMap istio-sidecar-injector, the test copies it
        // there, as a ConfigMap volume would for an in-cluster istiod. Until then the injector
        // refuses nothing and injects nothing; the gateway's pods are created after the istiod
        // release is ready, by then the template is in place (the test checks they are injected).
        // No load balancer controller runs here (existing-cluster mode installs none; kind users run
        // cloud-provider-kind or MetalLB): the test gives the gateway's LoadBalancer Service the
        // address one would, since Helm waits for it before the release is deployed.
        const { result: r, copied } = await whileChartsInstall(() =>
            run(STACK, "up", ["up", "--yes", "--skip-preview"]),
        );
        assert.strictEqual(r.code, 0, describeCommand(r));
        assert.ok(
            copied,
            "the istiod chart made no ConfigMap istio-sidecar-injector to copy to the istiod outside the cluster",
        );
        const deployed = (await backend.ok(project, ["stack", "output", "--json", "--show-secrets", "--stack", STACK]))
            .stdout;
        assert.strictEqual(JSON.parse(deployed).jaegerCollectorEndpoint, "jaeger.observability.svc.cluster.local:4317");
        const releases = items(["secrets", "-A", "-l", "owner=helm,status=deployed"])
            .map((s) => s.metadata.labels.name)
            .sort();
        assert.deepStrictEqual(releases, RELEASES);
        for (const ns of NAMESPACES) {
            kubectlOk(["get", "namespace", ns]);
        }
        kubectlOk(["-n", "istio-system", "get", "peerauthentication", "default"]);
        kubectlOk(["-n", "istio-system", "get", "telemetry", "mesh-default"]);
        // The observability namespace's fence: its AuthorizationPolicies went through istiod's
        // validating webhook (failurePolicy Fail), its NetworkPolicies through the API server.
        const names = (kind: string) =>
            items([kind, "-n", "observability"])
                .map((o) => o.metadata.name)
                .sort();
        assert.deepStrictEqual(names("authorizationpolicies"), [
            "allow-nothing",
            "jaeger-query-from-grafana",
            "jaeger-trace-export",
            "prometheus-from-grafana",
        ]);
        assert.deepStrictEqual(names("networkpolicies"), [
            "allow-from-prometheus",
            "default-deny-ingress",
            "jaeger-query-from-grafana",
            "jaeger-trace-export",
            "operator-webhook",
            "prometheus-from-grafana",
        ]);
        // The environment's CA chain, admitted by cert-manager's webhook; services' certificates name its issuer.
        assert.strictEqual(JSON.parse(deployed).certificateIssuer, "dev-common-ca-issuer");
        assert.deepStrictEqual(
            items(["clusterissuers"])
                .map((o) => o.metadata.name)
                .sort(),
            ["dev-common-ca-issuer", "dev-common-selfsigned"],
        );
        const root = JSON.parse(kubectlOk(["-n", "cert-manager", "get", "certificate", "dev-common-ca", "-o", "json"]));
        assert.deepStrictEqual([root.spec.isCA, root.spec.issuerRef.name], [true, "dev-common-selfsigned"]);
        if (ISSUES) {
            // cert-manager signs the root with the bootstrap issuer; then the CA issuer is Ready.
            waitReady("certificate/dev-common-ca", "cert-manager");
            waitReady("clusterissuer/dev-common-ca-issuer");
            const { leaf } = issuedCertificate("cert-manager", "dev-common-ca");
            assert.deepStrictEqual(
                [leaf.ca, leaf.subject, leaf.issuer],
                [true, "CN=dev platform CA", "CN=dev platform CA"],
            );
        }
        assert.ok(
            items(["podmonitors", "-A"]).length > 0 && items(["servicemonitors", "-A"]).length > 0,
            "no PodMonitor or ServiceMonitor",
        );
        for (const [ns, deployment] of [
            ["istio-system", "istiod"],
            ["istio-ingress", "istio-ingressgateway"],
            ["observability", "jaeger"],
            ["kube-system", "metrics-server"],
            ["cert-manager", "cert-manager"],
            ["cert-manager", "cert-manager-webhook"],
            ["cert-manager", "cert-manager-cainjector"],
        ]) {
            kubectlOk(["-n", ns, "wait", "--for=condition=Available", `deployment/${deployment}`, "--timeout=60s"]);
        }
    });

    it("the charts' webhooks call the istiod outside the cluster: pods are injected and Istio objects validated at admission", function () {
        const url = process.env.PLATFORM_ISTIOD_URL;
        if (url === undefined) {
            // The cluster's own istiod serves the webhooks (kind, EKS): nothing outside to check.
            this.skip();
        }
        const injector = JSON.parse(
            kubectlOk(["get", "mutatingwebhookconfiguration", "istio-sidecar-injector", "-o", "json"]),
        );
        assert.deepStrictEqual([...new Set(injector.webhooks.map((w: any) => w.clientConfig.url))], [`${url}/inject`]);
        const validator = JSON.parse(
            kubectlOk(["get", "validatingwebhookconfiguration", "istiod-default-validator", "-o", "json"]),
        );
        assert.deepStrictEqual(
            validator.webhooks.map((w: any) => [w.clientConfig.url, w.failurePolicy]),
            [[`${url}/validate`, "Fail"]],
        );
        // The per-revision validator at istiod's Service is left out (nothing would answer it).
        assert.strictEqual(kubectl(["get", "validatingwebhookconfiguration", "istio-validator-istio-system"]).code, 1);
        // The gateway's pods went through the injector: the proxy is istiod's injected sidecar template.
        const pods = items(["pods", "-n", "istio-ingress"]);
        assert.ok(pods.length > 0, "no gateway pod");
        for (const pod of pods) {
            assert.strictEqual(
                pod.metadata.annotations?.["sidecar.istio.io/status"] !== undefined,
                true,
                `${pod.metadata.name} was not injected: ${JSON.stringify(pod.metadata.annotations)}`,
            );
        }
        const refusal = refusalOfInvalidObject();
        assert.ok(refusal !== undefined, "the API server accepted an invalid VirtualService");
        assert.match(refusal, new RegExp(`istiod-default-validator.*${ISTIO_REFUSAL}|${ISTIO_REFUSAL}`));
        assert.match(refusal, /validation\.istio\.io/);
    });

    it("cert-manager's webhook validates cert-manager objects at admission: an invalid Certificate is refused", function () {
        const host = process.env.PLATFORM_CERT_MANAGER_WEBHOOK_HOST;
        if (host !== undefined) {
            const validator = JSON.parse(
                kubectlOk(["get", "validatingwebhookconfiguration", "cert-manager-webhook", "-o", "json"]),
            );
            assert.deepStrictEqual(
                validator.webhooks.map((w: any) => [w.clientConfig.url, w.failurePolicy]),
                [[`https://${host}/validate`, "Fail"]],
            );
        }
        // Valid for the CRD's schema, refused by cert-manager: no name to certify, renewed before it is issued.
        const invalid = {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "invalid", namespace: "cert-manager" },
            spec: {
                secretName: "invalid-tls",
                duration: "1h",
                renewBefore: "2h",
                issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "dev-common-ca-issuer" },
            },
        };
        const r = kubectl(["apply", "--dry-run=server", "-f", "-"], JSON.stringify(invalid));
        assert.notStrictEqual(r.code, 0, "the API server accepted an invalid Certificate");
        assert.match(r.stderr, /admission webhook "webhook\.cert-manager\.io" denied the request/);
        assert.match(r.stderr, /at least one of commonName .*dnsNames.* must be set/);
        assert.match(r.stderr, /certificate duration 1h0m0s must be greater than renewBefore 2h0m0s/);
    });

    it(`${SERVICE} on top of the real common stack: up, its pods injected, its host's Certificate from the common issuer`, async () => {
        const r = await run(SERVICE, "up", ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
        const plan = plans.find((p) => p.config.stack === SERVICE)!;
        const namespaces = manifestsOf(plan.evaluation.resources)
            .filter((m: any) => m.kind === "Namespace")
            .map((m: any) => m.metadata.name as string);
        assert.ok(namespaces.length > 0);
        const pods = namespaces.flatMap((ns) => items(["pods", "-n", ns]));
        assert.ok(pods.length > 0, `no pod in ${namespaces.join(", ")}`);
        for (const pod of pods) {
            assert.ok(
                pod.spec.containers.some((c: any) => c.name === "istio-proxy"),
                `${pod.metadata.name} has no sidecar`,
            );
        }
        // The certificate the gateway serves for payment's host, in the gateway's namespace.
        const certificate = JSON.parse(
            kubectlOk(["-n", "istio-ingress", "get", "certificate", "payment-tls", "-o", "json"]),
        );
        assert.deepStrictEqual(
            [certificate.spec.secretName, certificate.spec.dnsNames, certificate.spec.issuerRef.name],
            ["payment-tls", ["payment.dev.internal.example.com"], "dev-common-ca-issuer"],
        );
        if (ISSUES) {
            // Issued for real: the TLS Secret the gateway serves, for payment's host, signed by the environment's CA.
            waitReady("certificate/payment-tls", "istio-ingress");
            const { leaf, ca, type } = issuedCertificate("istio-ingress", "payment-tls");
            // Its CA is the environment's root (the root Secret's own certificate), and it serves TLS only.
            const root = issuedCertificate("cert-manager", "dev-common-ca").leaf;
            assert.strictEqual(ca.fingerprint256, root.fingerprint256);
            assert.deepStrictEqual(leaf.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
            const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
            assert.deepStrictEqual(
                [
                    type,
                    leaf.subjectAltName,
                    leaf.issuer,
                    leaf.ca,
                    leaf.verify(ca.publicKey),
                    leaf.publicKey.asymmetricKeyDetails?.namedCurve,
                    Math.round(days),
                ],
                [
                    "kubernetes.io/tls",
                    "DNS:payment.dev.internal.example.com",
                    "CN=dev platform CA",
                    false,
                    true,
                    "prime256v1",
                    90,
                ],
            );
        }
    });

    it("a second pulumi preview --expect-no-changes shows no changes, on both stacks", async () => {
        for (const stack of [STACK, SERVICE]) {
            const r = await run(stack, "preview-no-changes", ["preview", "--expect-no-changes", "--diff"]);
            assert.strictEqual(r.code, 0, describeCommand(r));
        }
    });

    it("the CA's key outlives its Certificate: protected under the real engine, and once unprotected deleted with propagation orphan, so a new Certificate takes the same key up again", async function () {
        if (!ISSUES) {
            // Without a cert-manager controller there is no Secret to keep.
            this.skip();
        }
        const started = Date.now();
        const exported = JSON.parse((await backend.ok(project, ["stack", "export", "--stack", STACK])).stdout) as {
            deployment: { resources: { urn: string; type: string; protect?: boolean }[] };
        };
        const urnOf = (type: string, name: string) =>
            exported.deployment.resources.find((r) => r.type === type && r.urn.endsWith(`::${name}`))!.urn;
        const certificate = urnOf("kubernetes:cert-manager.io/v1:Certificate", "dev-common-ca");
        const issuer = urnOf("kubernetes:cert-manager.io/v1:ClusterIssuer", "dev-common-ca-issuer");
        const secret = () =>
            JSON.parse(kubectlOk(["-n", "cert-manager", "get", "secret", "dev-common-ca", "-o", "json"])) as {
                data: Record<string, string>;
                metadata: { ownerReferences?: { kind: string; name: string; uid: string }[] };
            };
        const before = secret();
        // enableCertificateOwnerRef: the Certificate owns its Secret, so Kubernetes' default delete would take the key.
        assert.deepStrictEqual(
            (before.metadata.ownerReferences ?? []).map((o) => `${o.kind}/${o.name}`),
            ["Certificate/dev-common-ca"],
        );
        // Protected: the engine refuses to delete it (with its dependent issuer), already in the preview.
        const refused = await backend.run(project, [
            "destroy",
            "--target",
            certificate,
            "--target-dependents",
            "--yes",
            "--stack",
            STACK,
        ]);
        assert.notStrictEqual(refused.code, 0, describeCommand(refused));
        assert.match(
            refused.stdout + refused.stderr,
            /cannot be deleted\s+because it is protected/,
            describeCommand(refused),
        );
        kubectlOk(["-n", "cert-manager", "get", "certificate", "dev-common-ca"]);
        kubectlOk(["get", "clusterissuer", "dev-common-ca-issuer"]);
        // Unprotected on purpose, and deleted with its issuer: the Secret stays, no longer owned, with its key.
        await backend.ok(project, ["state", "unprotect", certificate, "--yes", "--stack", STACK]);
        await backend.ok(project, [
            "destroy",
            "--target",
            certificate,
            "--target-dependents",
            "--yes",
            "--skip-preview",
            "--stack",
            STACK,
        ]);
        assert.strictEqual(kubectl(["-n", "cert-manager", "get", "certificate", "dev-common-ca"]).code, 1);
        const orphaned = secret();
        assert.deepStrictEqual(orphaned.metadata.ownerReferences ?? [], []);
        assert.strictEqual(orphaned.data["tls.key"], before.data["tls.key"]);
        // Deployed again: a new Certificate (protected again) takes the Secret up with the same key.
        await backend.ok(project, [
            "up",
            "--target",
            certificate,
            "--target",
            issuer,
            "--yes",
            "--skip-preview",
            "--stack",
            STACK,
        ]);
        waitReady("certificate/dev-common-ca", "cert-manager");
        const cert = JSON.parse(kubectlOk(["-n", "cert-manager", "get", "certificate", "dev-common-ca", "-o", "json"]));
        const after = secret();
        assert.strictEqual(after.data["tls.key"], before.data["tls.key"]);
        assert.deepStrictEqual(
            (after.metadata.ownerReferences ?? []).map((o) => o.uid),
            [cert.metadata.uid],
        );
        const state = JSON.parse(
            (await backend.ok(project, ["stack", "export", "--stack", STACK])).stdout,
        ) as typeof exported;
        assert.strictEqual(state.deployment.resources.find((r) => r.urn === certificate)?.protect, true);
        recordTiming(
            `${STACK} (existing cluster)`,
            "CA key kept across its Certificate",
            (Date.now() - started) / 1000,
        );
    });

    it("pulumi destroy, service then common, leaves nothing of ours behind (not even the host certificate's key)", async () => {
        // metrics-server's aggregated API never answers behind kwok's fake pods: it goes first.
        beforeCommonDestroy();
        const service = await run(SERVICE, "destroy", ["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(service.code, 0, describeCommand(service));
        if (ISSUES) {
            // The host's Secret (its private key) goes with its Certificate (enableCertificateOwnerRef).
            kubectlOk(["-n", "istio-ingress", "wait", "--for=delete", "secret/payment-tls", "--timeout=60s"]);
        }
        // The common stack holds protected resources (its namespaces, the CA): a destroy is refused
        // before anything runs, naming them; the documented teardown of a review environment
        // (dev's global stack says platform:production: false) unprotects and destroys it.
        const envRun = async (argv: string[]) => {
            const lines: string[] = [];
            const started = Date.now();
            const code = await main(argv, {
                workspace: new AutomationWorkspace(project, false, backend.vars()),
                dir: project,
                print: (l) => lines.push(l),
                canAsk: false,
            });
            return { code, output: lines.join("\n"), seconds: (Date.now() - started) / 1000 };
        };
        let plain: unknown;
        await envRun(["destroy", "--env", "dev", "--stack", STACK, "--yes"]).catch((e: unknown) => (plain = e));
        const refusal = failure(plain);
        assert.strictEqual(refusal.code, EXIT.badInput, refusal.message);
        assert.match(
            refusal.message!,
            /^env: destroy refused, nothing ran: dev-common \([0-9]+ protected: .*\)\. A destroy would delete everything else/,
        );
        for (const ns of NAMESPACES) {
            kubectlOk(["get", "namespace", ns]);
        }
        const common = await envRun(["destroy", "--env", "dev", "--stack", STACK, "--unprotect", "--yes"]);
        recordTiming(`${STACK} (existing cluster)`, "teardown (env destroy --unprotect)", common.seconds);
        assert.strictEqual(common.code, EXIT.ok, common.output);
        assert.match(common.output, /unprotected [0-9]+ resources of dev-common \(--unprotect\)/);
        const left = [
            ...NAMESPACES.filter((ns) => kubectl(["get", "namespace", ns]).code === 0).map((ns) => `namespace/${ns}`),
            ...items(["secrets", "-A", "-l", "owner=helm"]).map((s) => `helm release ${s.metadata.labels.name}`),
            ...clusterObjectsOfOurReleases(),
            ...MESH_OBJECTS.flatMap((kind) =>
                items([kind, "-A"]).map((o) => `${kind}/${o.metadata.namespace}/${o.metadata.name}`),
            ),
        ];
        assert.deepStrictEqual(left, []);
        // cert-manager's CRDs stay (crds.keep: removing them would delete every certificate).
        assert.deepStrictEqual(crdsOf("cert-manager.io"), CERT_MANAGER_CRDS);
        // Istio's CRDs stay, as the chart says (helm.sh/resource-policy: keep).
        assert.deepStrictEqual(istioCrds(), crds);
    });
});

// The same common stack with `dataPlane: ambient`: the Gateway API CRDs (the suite's API server has
// none: ../shared/tools/k8s/up.sh does not apply them), istiod with the ambient profile, and the cni
// and ztunnel charts from the offline set. What this proves: the charts render and install with our
// values under the real engine and Helm, the CRDs and the admission policy are accepted by a real
// API server (v1.35), the DaemonSets and monitors are made, the stack is stable (a second preview
// shows no change) and comes down again. On top of it, the ambient fixture environment's three
// service stacks (test/fixtures/ambient-stacks) go up under the real engine: their namespaces join
// ambient, and their waypoint, HTTPRoute and targetRefs policies are admitted by the API server
// (the Gateway API CRDs' schemas and rules) and by istiod's validation (the local istiod, by URL);
// a no-change preview of each, then destroy. What it cannot: kwok runs no containers, so no CNI
// agent redirects traffic, no waypoint Deployment is made (istiod runs outside the cluster) and no
// ztunnel carries HBONE or enforces a policy here.
describe("dev-common with dataPlane ambient on an existing cluster under the real engine", function () {
    this.timeout(30 * 60 * 1000);
    const backend = new Backend("common-ambient");
    const AMBIENT_RELEASES = [...RELEASES, "istio-cni", "ztunnel"].sort();
    const GATEWAY_API_CRDS = gatewayApiObjects()
        .filter((o) => o.kind === "CustomResourceDefinition")
        .map((o) => o.name);
    let project: string;
    let ambientPlans: StackPlan[] = [];
    let crds: string[] = [];
    const run = async (step: string, args: string[]): Promise<CommandResult> => {
        const r = await backend.run(project, [...args, "--stack", STACK]);
        recordTiming(`${STACK} (existing cluster, ambient)`, step, r.seconds);
        return r;
    };

    before(async function () {
        if (!fs.existsSync(SHARED_CHARTS)) {
            this.skip();
        }
        assert.deepStrictEqual(crdsOf(".gateway.networking.k8s.io"), [], "the cluster already has Gateway API CRDs");
        await standIn(
            backend,
            (await planEnvironment("dev")).find((p) => p.layer === "global")!,
        );
        const config = {
            ...existingClusterConfig(path.join(ROOT, "Pulumi.dev-common.yaml"), chartMirror()),
            "platform:dataPlane": "ambient",
        };
        const stackFile = writeStackFile(tempDir("common-stack"), STACK, config);
        // The ambient fixture's services (L4 only, a waypoint with L7 rules and a canary, JWT on a
        // waypoint): the program reads the environment's access graph from their files.
        const services = AMBIENT_SERVICES.map((s) => path.join(AMBIENT_FIXTURE_STACKS, `Pulumi.${s}.yaml`));
        project = projectCopy("common-ambient", [stackFile, "Pulumi.dev.yaml", ...services]);
        await initCommonStack(backend, project, STACK);
        for (const service of AMBIENT_SERVICES) {
            await backend.ok(project, ["stack", "init", service]);
        }
        ambientPlans = await planEnvironment("dev", AMBIENT_FIXTURE_STACKS);
    });

    after(() => {
        takeBack([...crds, ...CERT_MANAGER_CRDS]);
        // The Gateway API CRDs outlive the stack (retainOnDelete); the cluster is left as it came.
        for (const crd of GATEWAY_API_CRDS) {
            kubectl(["delete", "crd", crd, "--ignore-not-found"]);
        }
    });

    it("pulumi up installs the Gateway API CRDs, istiod with the ambient profile, istio-cni and ztunnel, and ztunnel's monitor", async () => {
        crds = handCrdsToCharts();
        const { result: r } = await whileChartsInstall(() => run("up", ["up", "--yes", "--skip-preview"]));
        assert.strictEqual(r.code, 0, describeCommand(r));
        const outputs = JSON.parse(
            (await backend.ok(project, ["stack", "output", "--json", "--show-secrets", "--stack", STACK])).stdout,
        );
        assert.strictEqual(outputs.dataPlane, "ambient");
        const releases = items(["secrets", "-A", "-l", "owner=helm,status=deployed"])
            .map((s) => s.metadata.labels.name)
            .sort();
        assert.deepStrictEqual(releases, AMBIENT_RELEASES);
        // The CRDs as vendored, established by the API server.
        assert.deepStrictEqual(crdsOf(".gateway.networking.k8s.io"), [...GATEWAY_API_CRDS].sort());
        for (const crd of GATEWAY_API_CRDS) {
            const o = JSON.parse(kubectlOk(["get", "crd", crd, "-o", "json"]));
            assert.strictEqual(o.metadata.annotations["gateway.networking.k8s.io/bundle-version"], "v1.5.1", crd);
            assert.ok(
                o.status.conditions.some((c: any) => c.type === "Established" && c.status === "True"),
                `${crd} is not established`,
            );
        }
        kubectlOk(["get", "validatingadmissionpolicy", "safe-upgrades.gateway.networking.k8s.io"]);
        kubectlOk(["get", "validatingadmissionpolicybinding", "safe-upgrades.gateway.networking.k8s.io"]);
        // istiod runs its ambient controllers (the chart's ambient profile).
        const istiod = JSON.parse(kubectlOk(["-n", "istio-system", "get", "deployment", "istiod", "-o", "json"]));
        const env = istiod.spec.template.spec.containers[0].env as { name: string; value?: string }[];
        assert.deepStrictEqual(
            env.find((e) => e.name === "PILOT_ENABLE_AMBIENT"),
            { name: "PILOT_ENABLE_AMBIENT", value: "true" },
        );
        // The node agents: ztunnel and the CNI agent as DaemonSets on the (fake) nodes, images from docker.io/istio.
        for (const ds of ["ztunnel", "istio-cni-node"]) {
            const o = JSON.parse(kubectlOk(["-n", "istio-system", "get", "daemonset", ds, "-o", "json"]));
            assert.match(o.spec.template.spec.containers[0].image, /^docker\.io\/istio\//, ds);
            assert.ok(o.status.desiredNumberScheduled > 0, `${ds} is scheduled on no node`);
        }
        const monitor = JSON.parse(kubectlOk(["-n", "observability", "get", "podmonitor", "ztunnel", "-o", "json"]));
        assert.deepStrictEqual(monitor.spec.selector, { matchLabels: { app: "ztunnel" } });
    });

    it("a second pulumi preview --expect-no-changes shows no changes", async () => {
        const r = await run("preview (no change)", ["preview", "--expect-no-changes", "--diff"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
    });

    it("Istio's validation is live (istiod's webhook refuses an invalid VirtualService), and a policy both selecting pods and attached by targetRefs is refused", () => {
        const refusal = refusalOfInvalidObject();
        assert.ok(refusal !== undefined, "the API server accepted an invalid VirtualService");
        assert.match(refusal, /validation\.istio\.io/);
        const both = kubectl(
            ["apply", "--dry-run=server", "-f", "-"],
            JSON.stringify({
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                metadata: { name: "both", namespace: "default" },
                spec: {
                    selector: { matchLabels: { app: "a" } },
                    targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }],
                },
            }),
        );
        // Refused by Istio's CRD itself (its validation rule), before the webhook is asked.
        assert.notStrictEqual(both.code, 0, "the API server accepted a policy with both selector and targetRefs");
        assert.match(both.stderr, /only one of targetRefs or selector can be set/);
    });

    it("the ambient services up on the real common stack: every object admitted and on the API server as planned, no sidecar", async () => {
        for (const service of AMBIENT_SERVICES) {
            const r = await backend.run(project, ["up", "--yes", "--skip-preview", "--stack", service]);
            recordTiming(`${service} (ambient, on the real ${STACK})`, "up", r.seconds);
            assert.strictEqual(r.code, 0, describeCommand(r));
            const plan = ambientPlans.find((p) => p.config.stack === service)!;
            // Every Kubernetes object of the plan, with its labels, is on the API server.
            for (const m of manifestsOf(plan.evaluation.resources) as any[]) {
                const ns = m.metadata.namespace === undefined ? [] : ["-n", m.metadata.namespace];
                const kind = m.apiVersion.includes("/") ? `${m.kind}.${m.apiVersion.split("/")[0]}` : m.kind;
                const live = JSON.parse(kubectlOk([...ns, "get", kind, m.metadata.name, "-o", "json"]));
                for (const [k, v] of Object.entries(m.metadata.labels ?? {})) {
                    assert.strictEqual(
                        live.metadata.labels?.[k],
                        v,
                        `${service}: ${kind} ${m.metadata.name} label ${k}`,
                    );
                }
            }
            const namespace = service.replace(/^dev-/, "");
            const labels = JSON.parse(kubectlOk(["get", "namespace", namespace, "-o", "json"])).metadata.labels;
            assert.strictEqual(labels["istio.io/dataplane-mode"], "ambient", service);
            assert.ok(!("istio-injection" in labels) && !("istio.io/rev" in labels), service);
            const pods = items(["pods", "-n", namespace]);
            assert.ok(pods.length > 0, `no pod in ${namespace}`);
            for (const pod of pods) {
                assert.ok(
                    !pod.spec.containers.some((c: any) => c.name === "istio-proxy"),
                    `${pod.metadata.name} was injected`,
                );
            }
        }
        // The waypoint and the route of the L7 service, as the real API server holds them.
        const waypoint = JSON.parse(
            kubectlOk(["-n", "backend", "get", "gateway.gateway.networking.k8s.io", "waypoint", "-o", "json"]),
        );
        assert.strictEqual(waypoint.spec.gatewayClassName, "istio-waypoint");
        const route = JSON.parse(kubectlOk(["-n", "backend", "get", "httproute", "backend", "-o", "json"]));
        assert.deepStrictEqual(
            route.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]),
            [
                ["backend-v1", 90],
                ["backend-v2", 10],
            ],
        );
        const attached = items(["-n", "backend", "authorizationpolicies.security.istio.io"])
            .filter((p) => p.spec.targetRefs !== undefined)
            .map((p) => p.metadata.name)
            .sort();
        assert.deepStrictEqual(attached, ["allow-callers", "waypoint-allow-nothing"]);
        // The exposed frontend: the gateway's route bound to the gateway alone (admitted by istiod's
        // webhook), and its namespace sending the gateway through its waypoint.
        const atGateway = JSON.parse(
            kubectlOk(["-n", "frontend", "get", "virtualservices.networking.istio.io", "frontend", "-o", "json"]),
        );
        assert.deepStrictEqual(atGateway.spec.gateways, ["frontend/frontend"]);
        const labels = JSON.parse(kubectlOk(["get", "namespace", "frontend", "-o", "json"])).metadata.labels;
        assert.strictEqual(labels["istio.io/ingress-use-waypoint"], "true");
    });

    it("one namespace, the L7 service behind a waypoint, moves to sidecars and back (serviceDataPlane): each preview exactly the offline plans' changes, the pods rejoining the mesh the new way", async () => {
        // backend: its caller (frontend) stays ambient, so the environment allows the mix (a sidecar
        // caller of a service behind a waypoint is refused: docs/service.md "Moving a service between
        // data planes").
        const MOVED = "dev-backend";
        const namespace = "backend";
        const file = path.join(project, `Pulumi.${MOVED}.yaml`);
        const ambientFile = fs.readFileSync(file, "utf8");
        const mixedDir = stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, {
            [MOVED]: BACKEND_ON_SIDECARS,
        });
        checkAllowedCallers("dev", mixedDir);
        const mixedPlans = await planEnvironment("dev", mixedDir);
        const expected = (from: StackPlan[], to: StackPlan[]) =>
            upgradeOfPlans(plannedStacks(from), plannedStacks(to)).find((u) => u.stack === MOVED)!.changes;
        const step = async (label: string, want: ObservedChange[]) => {
            const preview = await backend.run(project, ["preview", "--json", "--stack", MOVED]);
            recordTiming(`${MOVED} (moved between data planes)`, `preview (${label})`, preview.seconds);
            assert.strictEqual(preview.code, 0, describeCommand(preview));
            const observed = observedChanges((JSON.parse(preview.stdout) as { steps?: PreviewStep[] }).steps ?? []);
            const problems = compareWithDeclared(MOVED, declarationsOf(want), observed, [], "the engine");
            assert.deepStrictEqual(problems, [], `${label}:\n${problems.join("\n")}`);
            const up = await backend.run(project, ["up", "--yes", "--skip-preview", "--stack", MOVED]);
            recordTiming(`${MOVED} (moved between data planes)`, `up (${label})`, up.seconds);
            assert.strictEqual(up.code, 0, describeCommand(up));
            // The Deployments' rollouts replaced the pods, which joined the mesh as their namespace now says.
            for (const version of ["v1", "v2"]) {
                kubectlOk(["-n", namespace, "rollout", "status", `deployment/backend-${version}`, "--timeout=120s"]);
            }
            const again = await backend.run(project, ["preview", "--expect-no-changes", "--diff", "--stack", MOVED]);
            recordTiming(`${MOVED} (moved between data planes)`, `preview (no change after ${label})`, again.seconds);
            assert.strictEqual(again.code, 0, describeCommand(again));
        };
        const podsOf = () => items(["pods", "-n", namespace]).filter((p) => p.metadata.deletionTimestamp === undefined);
        const gateways = () =>
            items(["-n", namespace, "gateways.gateway.networking.k8s.io"]).map((g) => g.metadata.name);

        // To sidecars: injection on, the pods rolled and injected by istiod's webhook, the Sidecar and
        // the VirtualService made; the waypoint, its HTTPRoute and the version Services gone.
        fs.copyFileSync(path.join(mixedDir, `Pulumi.${MOVED}.yaml`), file);
        await step("to sidecar", expected(ambientPlans, mixedPlans));
        const injected = JSON.parse(kubectlOk(["get", "namespace", namespace, "-o", "json"])).metadata.labels;
        assert.strictEqual(injected["istio-injection"], "enabled");
        assert.ok(!("istio.io/dataplane-mode" in injected) && !("istio.io/use-waypoint" in injected));
        assert.ok(podsOf().length > 0, `no pod in ${namespace}`);
        for (const pod of podsOf()) {
            assert.ok(
                pod.spec.containers.some((c: any) => c.name === "istio-proxy"),
                `${pod.metadata.name} has no sidecar`,
            );
        }
        kubectlOk(["-n", namespace, "get", "sidecars.networking.istio.io", "default"]);
        kubectlOk(["-n", namespace, "get", "virtualservices.networking.istio.io", "backend"]);
        assert.deepStrictEqual(gateways(), []);
        assert.deepStrictEqual(items(["-n", namespace, "httproutes.gateway.networking.k8s.io"]), []);

        // Back to the environment's ambient: no injection, the pods rolled again without a sidecar,
        // the waypoint and its route back.
        fs.writeFileSync(file, ambientFile);
        await step("back to ambient", expected(mixedPlans, ambientPlans));
        const captured = JSON.parse(kubectlOk(["get", "namespace", namespace, "-o", "json"])).metadata.labels;
        assert.strictEqual(captured["istio.io/dataplane-mode"], "ambient");
        assert.strictEqual(captured["istio.io/use-waypoint"], "waypoint");
        assert.ok(!("istio-injection" in captured));
        assert.ok(podsOf().length > 0, `no pod in ${namespace}`);
        for (const pod of podsOf()) {
            assert.ok(
                !pod.spec.containers.some((c: any) => c.name === "istio-proxy"),
                `${pod.metadata.name} was injected`,
            );
            assert.strictEqual(pod.metadata.labels["istio.io/dataplane-mode"], "ambient", pod.metadata.name);
        }
        assert.strictEqual(kubectl(["-n", namespace, "get", "sidecars.networking.istio.io", "default"]).code, 1);
        assert.deepStrictEqual(gateways(), ["waypoint"]);
        kubectlOk(["-n", namespace, "get", "httproutes.gateway.networking.k8s.io", "backend"]);
    });

    it("the ambient services' second preview shows no changes, and their destroy leaves none of their namespaces", async () => {
        for (const service of AMBIENT_SERVICES) {
            const r = await backend.run(project, ["preview", "--expect-no-changes", "--diff", "--stack", service]);
            recordTiming(`${service} (ambient, on the real ${STACK})`, "preview (no change)", r.seconds);
            assert.strictEqual(r.code, 0, describeCommand(r));
        }
        // metrics-server's aggregated API never answers behind kwok's fake pods, and a namespace is
        // only deleted once every API group answers: it goes first, as before the sidecar services' destroy.
        beforeCommonDestroy();
        for (const service of [...AMBIENT_SERVICES].reverse()) {
            const r = await backend.run(project, ["destroy", "--yes", "--skip-preview", "--stack", service]);
            recordTiming(`${service} (ambient, on the real ${STACK})`, "destroy", r.seconds);
            assert.strictEqual(r.code, 0, describeCommand(r));
        }
        for (const service of AMBIENT_SERVICES) {
            const namespace = service.replace(/^dev-/, "");
            kubectlOk(["wait", "--for=delete", `namespace/${namespace}`, "--timeout=120s"]);
        }
    });

    it("the teardown (env destroy --unprotect) removes the releases and keeps the Gateway API CRDs", async () => {
        const teardown = await teardownCommon(backend, project, STACK);
        recordTiming(`${STACK} (existing cluster, ambient)`, "teardown (env destroy --unprotect)", teardown.seconds);
        assert.strictEqual(teardown.code, EXIT.ok, teardown.output);
        assert.deepStrictEqual(items(["secrets", "-A", "-l", "owner=helm"]), []);
        assert.deepStrictEqual(
            NAMESPACES.filter((ns) => kubectl(["get", "namespace", ns]).code === 0),
            [],
        );
        assert.deepStrictEqual(crdsOf(".gateway.networking.k8s.io"), [...GATEWAY_API_CRDS].sort());
        assert.strictEqual(
            kubectl(["get", "validatingadmissionpolicy", "safe-upgrades.gateway.networking.k8s.io"]).code,
            1,
        );
    });
});
