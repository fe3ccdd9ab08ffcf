import * as fs from "fs";
import { StackPlan, planEnvironment } from "../plan";
import { Backend } from "./engine";
import { registerIstioValidation } from "./istio";
import { kubeconfigFile } from "./kube";
import { standIn } from "./standin";

/** What a suite of dev's service stacks starts from: the offline plan and how to undo the set-up. */
export interface DevServicesSetup {
    readonly plans: StackPlan[];
    /** Removes Istio's validating webhook again (when the set-up registered one). */
    readonly unregister: () => void;
}

/**
 * Sets up `backend` for dev's service stacks: Istio's validation at admission on the suite's
 * cluster, and STAND-IN STACKS for dev and dev-common (standIn) exporting what the offline plan
 * computes, dev-common's kubeconfig pointing at the suite's cluster.
 */
export async function setUpDevServices(backend: Backend): Promise<DevServicesSetup> {
    const kubeconfig = fs.readFileSync(kubeconfigFile(), "utf8");
    const unregister = registerIstioValidation();
    const plans = await planEnvironment("dev");
    const planOf = (layer: "global" | "common"): StackPlan => {
        const plan = plans.find((p) => p.layer === layer);
        if (plan === undefined) {
            throw new Error(`dev's plan has no ${layer} stack`);
        }
        return plan;
    };
    await standIn(backend, planOf("global"));
    await standIn(backend, planOf("common"), { kubeconfig });
    return { plans, unregister };
}
