import * as assert from "assert";
import { accessMeshOf, accessPlan, checkAllowedCallers } from "../../../plan/access-plan";
import { evaluate } from "../../../plan/evaluate";
import { StackPlan, hasViolations, manifestsOf, planEnvironment } from "../../../plan/plan";
import { declarationsOf } from "../../../plan/upgrade";
import { plannedStacks, upgradeOfPlans } from "../../../plan/release-diff";
import { readStackConfig, stackFilesWithKeys } from "../../../plan/stack-config";
import { devStackOutputs } from "../../helpers/fixtures";
import { AMBIENT_FIXTURE_STACKS, BACKEND_ON_SIDECARS, FIXTURE_STACKS } from "../../helpers/stacks";

/** The Kubernetes object `kind`/`name` of a planned stack. */
function object(plan: StackPlan, kind: string, name: string): any {
    const found = manifestsOf(plan.evaluation.resources).filter(
        (m) => m.kind === kind && (m.metadata as { name: string }).name === name,
    );
    assert.strictEqual(found.length, 1, `${plan.config.stack}: ${kind} ${name}`);
    return found[0];
}

// The ambient fixture environment with its payment kept on sidecars (serviceDataPlane: sidecar): a
// mixed mesh, and the two ends of one namespace's move between data planes.
describe("a mixed mesh: a service's own data plane (serviceDataPlane) in an ambient environment", () => {
    let ambient: StackPlan[];
    let mixed: StackPlan[];
    const byStack = (plans: StackPlan[], stack: string) => plans.find((p) => p.config.stack === stack)!;
    before(async () => {
        ambient = await planEnvironment("dev", AMBIENT_FIXTURE_STACKS);
        mixed = await planEnvironment(
            "dev",
            stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, { "dev-payment": { serviceDataPlane: "sidecar" } }),
        );
    });

    it("the service kept on sidecars is injected and scoped by its Sidecar; its callers through ztunnel reach it over HBONE", () => {
        for (const plan of mixed) {
            assert.ok(!hasViolations(plan), `${plan.config.stack}: ${JSON.stringify(plan.violations)}`);
        }
        const payment = byStack(mixed, "dev-payment");
        assert.strictEqual(object(payment, "Namespace", "payment").metadata.labels["istio-injection"], "enabled");
        assert.ok(!("istio.io/dataplane-mode" in object(payment, "Namespace", "payment").metadata.labels));
        object(payment, "Sidecar", "default");
        object(payment, "VirtualService", "payment");
        assert.ok(
            !("istio.io/dataplane-mode" in object(payment, "Deployment", "payment-v1").spec.template.metadata.labels),
        );
        // The backend (ambient) calls it through ztunnel, which reaches a sidecar over HBONE (15008).
        assert.deepStrictEqual(object(payment, "NetworkPolicy", "allow-callers").spec, {
            podSelector: { matchLabels: { app: "payment" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: {
                                matchExpressions: [
                                    { key: "kubernetes.io/metadata.name", operator: "In", values: ["backend"] },
                                ],
                            },
                        },
                    ],
                    ports: [
                        { protocol: "TCP", port: 8080 },
                        { protocol: "TCP", port: 15008 },
                    ],
                },
            ],
        });
        // The others stay in ambient, their pods labelled for it.
        for (const service of ["backend", "frontend"]) {
            const plan = byStack(mixed, `dev-${service}`);
            assert.strictEqual(
                object(plan, "Namespace", service).metadata.labels["istio.io/dataplane-mode"],
                "ambient",
            );
            for (const m of manifestsOf(plan.evaluation.resources).filter((x) => x.kind === "Deployment")) {
                assert.strictEqual((m as any).spec.template.metadata.labels["istio.io/dataplane-mode"], "ambient");
            }
        }
    });

    it("moving its namespace to ambient changes exactly its own stack: labels, pods rolled, the sidecar-only objects deleted", () => {
        const upgrades = upgradeOfPlans(plannedStacks(mixed), plannedStacks(ambient));
        assert.deepStrictEqual(
            upgrades.filter((u) => u.changes.length > 0).map((u) => u.stack),
            ["dev-payment"],
        );
        const payment = upgrades.find((u) => u.stack === "dev-payment")!;
        assert.deepStrictEqual(declarationsOf(payment.changes), [
            { op: "delete", type: "kubernetes:networking.istio.io/v1:DestinationRule", name: "payment" },
            { op: "delete", type: "kubernetes:networking.istio.io/v1:Sidecar", name: "payment-sidecar" },
            { op: "delete", type: "kubernetes:networking.istio.io/v1:VirtualService", name: "payment" },
            { op: "delete", type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "payment-allow-prometheus" },
            {
                op: "update",
                type: "kubernetes:apps/v1:Deployment",
                name: "payment-v1",
                inputs: ["spec.template.metadata.labels.istio.io/dataplane-mode"],
            },
            {
                op: "update",
                type: "kubernetes:core/v1:Namespace",
                name: "payment",
                inputs: ["metadata.labels.istio-injection", "metadata.labels.istio.io/dataplane-mode"],
            },
        ]);
        assert.deepStrictEqual(payment.protection, []);
        assert.deepStrictEqual(payment.outputs, {});
        // The pods roll only after their namespace is relabelled: the Deployment waits for the Namespace.
        const resources = byStack(ambient, "dev-payment").evaluation.resources;
        const namespace = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        assert.ok(
            deployment.dependsOn.includes(namespace.name),
            `the Deployment does not depend on the Namespace: ${JSON.stringify(deployment.dependsOn)}`,
        );
    });

    it("moving it back to sidecars is the same change reversed", () => {
        const back = upgradeOfPlans(plannedStacks(ambient), plannedStacks(mixed)).find(
            (u) => u.stack === "dev-payment",
        )!;
        assert.deepStrictEqual(
            declarationsOf(back.changes).map((c) => `${c.op} ${c.name}`),
            [
                "create payment",
                "create payment-sidecar",
                "create payment",
                "create payment-allow-prometheus",
                "update payment-v1",
                "update payment",
            ],
        );
    });

    it("the access matrix is judged across modes: an ambient caller admitted by a sidecar service's namespace rule, a sidecar caller sent past an ambient service's waypoint", () => {
        const access = accessPlan(mixed, accessMeshOf(mixed));
        const verdicts = (to: string) =>
            access.rows
                .filter((r) => r.to === to && r.method === "GET" && r.path === "/" && !r.token)
                .map((r) => `${r.from} ${r.allowed}`);
        assert.deepStrictEqual(verdicts("payment"), [
            "backend true",
            "frontend false",
            "ingress-gateway false",
            "outsider false",
            "other-in-backend true",
        ]);
        // The sidecar service as a caller of the ambient services behind waypoints: istiod gives its
        // sidecar their pods, past the waypoint, and the pods' ztunnel admits only the waypoint.
        const fromPayment = access.rows.filter((r) => r.from === "payment" && ["backend", "frontend"].includes(r.to));
        assert.ok(fromPayment.length > 0);
        for (const r of fromPayment) {
            assert.strictEqual(r.allowed, false, JSON.stringify(r));
            assert.match(
                r.reason,
                /^past the waypoint \(a sidecar or the gateway sends to the pods\): ztunnel: no ALLOW policy matched \((backend|frontend)\/allow-nothing, (backend|frontend)\/allow-waypoint\)$/,
            );
        }
        // Its rows are those of every service running ambient: frontend, its declared callee, also
        // requires an end-user token (which the matrix gives the gateway alone), so payment is refused
        // there either way: by the waypoint when payment runs ambient, by ztunnel past it here.
        const allAmbient = accessPlan(ambient, accessMeshOf(ambient));
        const key = (r: { from: string; to: string; method: string; path: string; token: boolean }) =>
            `${r.from} ${r.to} ${r.method} ${r.path} ${r.token}`;
        const before = new Map(allAmbient.rows.map((r) => [key(r), r.allowed]));
        assert.deepStrictEqual(access.rows.filter((r) => before.get(key(r)) !== r.allowed).map(key), []);
        const atWaypoint = allAmbient.rows.filter((r) => r.from === "payment" && r.to === "frontend");
        assert.ok(atWaypoint.every((r) => !r.allowed && r.reason.startsWith("waypoint: ")));
    });

    it("the environment refuses that mix before anything runs, naming the allow rule, the two data planes and the order that works", () => {
        const dir = stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, { "dev-payment": { serviceDataPlane: "sidecar" } });
        assert.throws(() => checkAllowedCallers("dev", dir), {
            name: "MissingCallerError",
            message:
                'environment "dev": an allow rule names a caller whose data plane cannot reach the service:\n' +
                '  - Pulumi.dev-frontend.yaml: platform:allowedCallers[0].service = "payment": payment runs sidecars (Pulumi.dev-payment.yaml), ' +
                "and Istio's sidecars send to frontend's pods past its waypoint, where ztunnel admits only the waypoint (frontend needs one: jwt); " +
                "allowed: move payment to ambient first (platform:serviceDataPlane ambient), or keep frontend on sidecars until then " +
                '(docs/service.md, "Moving a service between data planes")',
        });
        // A namespace rule too: payment, behind a waypoint (it names methods now), allows backend's namespace.
        const namespaceRule = stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, {
            "dev-backend": BACKEND_ON_SIDECARS,
            "dev-payment": { allowedCallers: [{ namespace: "backend", methods: ["POST"] }] },
        });
        assert.throws(() => checkAllowedCallers("dev", namespaceRule), {
            message:
                'environment "dev": an allow rule names a caller whose data plane cannot reach the service:\n' +
                '  - Pulumi.dev-payment.yaml: platform:allowedCallers[0].namespace = "backend": backend runs sidecars (Pulumi.dev-backend.yaml), ' +
                "and Istio's sidecars send to payment's pods past its waypoint, where ztunnel admits only the waypoint (payment needs one: allowedCallers[0] names methods or paths); " +
                "allowed: move backend to ambient first (platform:serviceDataPlane ambient), or keep payment on sidecars until then " +
                '(docs/service.md, "Moving a service between data planes")',
        });
        // The other way round is fine: backend on sidecars, called by the ambient frontend and calling payment (no waypoint).
        checkAllowedCallers(
            "dev",
            stackFilesWithKeys(AMBIENT_FIXTURE_STACKS, {
                "dev-backend": BACKEND_ON_SIDECARS,
            }),
        );
        checkAllowedCallers("dev", AMBIENT_FIXTURE_STACKS);
    });
});

describe("serviceDataPlane in a sidecar environment", () => {
    it("sidecar is the environment's own: the plan is the same as without the key", async () => {
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const without = await evaluate({
            stack: "dev-payment",
            config: config.config,
            stackOutputs: devStackOutputs(),
        });
        const pinned = await evaluate({
            stack: "dev-payment",
            config: { ...config.config, "platform:serviceDataPlane": "sidecar" },
            stackOutputs: devStackOutputs(),
        });
        assert.deepStrictEqual(
            pinned.resources.map((r) => [r.urn, r.inputs]),
            without.resources.map((r) => [r.urn, r.inputs]),
        );
    });

    it("refuses ambient before its common stack runs it, and a data plane that is none, naming the key", async () => {
        const config = readStackConfig("dev-payment", FIXTURE_STACKS);
        const run = (value: string) =>
            evaluate({
                stack: "dev-payment",
                config: { ...config.config, "platform:serviceDataPlane": value },
                stackOutputs: devStackOutputs(),
            });
        await assert.rejects(run("ambient"), {
            message:
                'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                '  - platform:serviceDataPlane = "ambient": stack "dev-common" runs dataPlane sidecar (no ztunnel, no istio-cni); set platform:dataPlane ambient there first, or leave this empty',
        });
        await assert.rejects(run("ztunnel"), {
            message:
                'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:\n' +
                '  - platform:serviceDataPlane = "ztunnel": allowed: empty (the environment\'s data plane), sidecar, ambient',
        });
    });
});
