// Every service stack of dev under the real engine, on a real Kubernetes API server with Istio's
// validation live at admission: preview (with the policy pack), up, a no-change preview, the pack
// again, destroy. The global and common stacks cannot run here (no aws or eks provider plugin), so
// their outputs come from two STAND-IN STACKS of this project (test/integration/programs/standin):
// they export exactly what the offline plan computes for dev and dev-common, the common one's
// `kubeconfig` pointing at the suite's cluster. The stand-ins are stacks, not stand-in providers:
// every resource of a service stack is created by the real kubernetes provider.
import * as assert from "assert";
import { StackPlan, manifestsOf } from "../../plan/plan";
import { Backend, CommandResult, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { setUpDevServices } from "../../plan/engine/dev-standins";
import { ObjectRef, getObject, refText } from "../../plan/engine/kube";
import { ISTIO_REFUSAL, refusalOfInvalidObject } from "../../plan/engine/istio";
import { recordTiming } from "./helpers/timings";

/** The policy pack's notice when a policy read a value that is unknown during preview. */
const CANT_RUN = /can't run policy/g;

/**
 * The engine's state of one stack: `type::name` of every resource but the stack itself and the
 * engine's built-in provider that reads StackReferences (`pulumi:providers:pulumi`), which no
 * program registers.
 */
function stateResources(exported: any): string[] {
    return (exported.deployment.resources as { urn: string; type: string }[])
        .filter((r) => r.type !== "pulumi:pulumi:Stack" && r.type !== "pulumi:providers:pulumi")
        .map((r) => `${r.type}::${r.urn.split("::").pop()}`)
        .sort();
}

function planResources(plan: StackPlan): string[] {
    return plan.evaluation.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map((r) => `${r.type}::${r.name}`)
        .sort();
}

function refOf(m: Record<string, any>): ObjectRef {
    return { apiVersion: m.apiVersion, kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name };
}

describe("dev's service stacks under the real engine, on a real API server", function () {
    this.timeout(15 * 60 * 1000);
    const backend = new Backend("services");
    let plans: StackPlan[];
    let project: string;
    let unregister: () => void = () => undefined;

    before(async () => {
        ({ plans, unregister } = await setUpDevServices(backend));
        project = projectCopy("services");
    });

    after(() => unregister());

    it("the cluster refuses an object Istio's validation refuses (the webhook is live)", () => {
        const refusal = refusalOfInvalidObject();
        assert.ok(
            refusal !== undefined,
            'the API server accepted an invalid VirtualService: no Istio validating webhook is live; run istiod (docs/testing.md, "Integration suite")',
        );
        assert.match(refusal, new RegExp(ISTIO_REFUSAL));
    });

    for (const stack of ["dev-backend", "dev-frontend", "dev-payment"]) {
        describe(stack, () => {
            let plan: StackPlan;
            let manifests: Record<string, any>[];
            const run = async (step: string, args: string[]): Promise<CommandResult> => {
                const r = await backend.run(project, [...args, "--stack", stack]);
                recordTiming(stack, step, r.seconds);
                return r;
            };

            before(async () => {
                plan = plans.find((p) => p.config.stack === stack)!;
                assert.ok(plan, `the offline plan has no ${stack}`);
                manifests = manifestsOf(plan.evaluation.resources);
                await backend.ok(project, ["stack", "init", stack]);
            });

            it('pulumi preview --policy-pack policy: no violation and no "can\'t run policy" notice on a first preview', async () => {
                const r = await run("preview", ["preview", "--policy-pack", "policy"]);
                assert.strictEqual(r.code, 0, describeCommand(r));
                // The pack ran, and passed.
                assert.match(r.stdout, /Policies:\s+✅ platform@v[0-9.]+/, describeCommand(r));
                assert.deepStrictEqual((r.stdout + r.stderr).match(CANT_RUN) ?? [], [], describeCommand(r));
                assert.doesNotMatch(r.stdout, /mandatory|advisory/, describeCommand(r));
            });

            it("pulumi up creates exactly the resources the offline plan records", async () => {
                const r = await run("up", ["up", "--yes", "--skip-preview"]);
                assert.strictEqual(r.code, 0, describeCommand(r));
                const exported = JSON.parse((await backend.ok(project, ["stack", "export", "--stack", stack])).stdout);
                assert.deepStrictEqual(stateResources(exported), planResources(plan));
            });

            it("every Kubernetes object of the plan is on the API server with the plan's labels, annotations and namespace", () => {
                for (const m of manifests) {
                    const live = getObject(refOf(m));
                    assert.ok(live, `${refText(refOf(m))} is missing`);
                    for (const field of ["labels", "annotations"] as const) {
                        for (const [k, v] of Object.entries((m.metadata[field] ?? {}) as Record<string, string>)) {
                            assert.strictEqual(live.metadata[field]?.[k], v, `${refText(refOf(m))}: ${field} ${k}`);
                        }
                    }
                }
            });

            it("every Deployment is available with all its replicas", () => {
                const deployments = manifests.filter((m) => m.kind === "Deployment");
                assert.ok(deployments.length > 0);
                for (const m of deployments) {
                    const live = getObject(refOf(m));
                    const available = (live.status.conditions ?? []).find((c: any) => c.type === "Available");
                    assert.strictEqual(
                        available?.status,
                        "True",
                        `${refText(refOf(m))}: ${JSON.stringify(live.status)}`,
                    );
                    assert.strictEqual(
                        live.status.readyReplicas,
                        live.spec.replicas,
                        `${refText(refOf(m))}: ${JSON.stringify(live.status)}`,
                    );
                }
            });

            it("a second pulumi preview --expect-no-changes shows no changes", async () => {
                const r = await run("preview-no-changes", ["preview", "--expect-no-changes", "--diff"]);
                assert.strictEqual(r.code, 0, describeCommand(r));
            });

            it("pulumi preview --policy-pack policy passes on the deployed stack", async () => {
                const r = await run("preview-policy", ["preview", "--policy-pack", "policy"]);
                assert.strictEqual(r.code, 0, describeCommand(r));
                assert.match(r.stdout, /Policies:\s+✅ platform@v[0-9.]+/, describeCommand(r));
                assert.doesNotMatch(r.stdout, /mandatory|advisory/, describeCommand(r));
            });

            it("pulumi destroy leaves none of the stack's objects behind", async () => {
                const r = await run("destroy", ["destroy", "--yes", "--skip-preview"]);
                assert.strictEqual(r.code, 0, describeCommand(r));
                const left = manifests
                    .map(refOf)
                    .filter((ref) => getObject(ref) !== undefined)
                    .map(refText);
                assert.deepStrictEqual(left, []);
            });
        });
    }
});
