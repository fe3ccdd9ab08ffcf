import { StackPlan } from "../plan";
import * as path from "path";
import { Backend, programProject } from "./engine";

/**
 * Creates a STAND-IN STACK for a stack that cannot run here (the global stack needs the aws
 * provider, the common stack an EKS cluster): a stack of the same name in `backend` whose program
 * (plan/engine/programs/standin) creates nothing and exports `plan`'s outputs, as the offline
 * plan computed them, the secret ones as secrets, with `override`s (e.g. the common stack's
 * kubeconfig pointing at the suite's cluster).
 */
export async function standIn(
    backend: Backend,
    plan: StackPlan,
    override: Record<string, unknown> = {},
): Promise<void> {
    const outputs = { ...plan.evaluation.rawOutputs, ...override };
    const spec = { outputs, secret: plan.evaluation.secretOutputNames };
    const dir = programProject(`standin-${plan.config.stack}`, path.join(__dirname, "programs", "standin"), {
        config: null,
        files: { "outputs.json": JSON.stringify(spec, null, 2) },
    });
    await backend.ok(dir, ["stack", "init", plan.config.stack]);
    await backend.ok(dir, ["up", "--yes", "--stack", plan.config.stack]);
}
