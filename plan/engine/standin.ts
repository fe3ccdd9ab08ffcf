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
    await standInOutputs(backend, plan.config.stack, outputs, plan.evaluation.secretOutputNames);
}

/**
 * A STAND-IN STACK `stack` exporting `outputs` (those named in `secret` as secrets); run again, it
 * updates the stand-in to the new outputs (as an update of the stack it stands for would).
 */
export async function standInOutputs(
    backend: Backend,
    stack: string,
    outputs: Record<string, unknown>,
    secret: readonly string[] = [],
): Promise<void> {
    const spec = { outputs, secret };
    const dir = programProject(`standin-${stack}`, path.join(__dirname, "programs", "standin"), {
        config: null,
        files: { "outputs.json": JSON.stringify(spec, null, 2) },
    });
    await backend.ok(dir, ["stack", "select", "--create", stack]);
    await backend.ok(dir, ["up", "--yes", "--stack", stack]);
}
