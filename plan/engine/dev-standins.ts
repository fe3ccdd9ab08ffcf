import * as fs from "fs";
import { StackPlan, planEnvironment } from "../plan";
import { ROOT } from "../stack-config";
import { Backend } from "./engine";
import { registerIstioValidation } from "./istio";
import { kubeconfigFile, kubectl, registerValidatingWebhook } from "./kube";
import { standIn } from "./standin";

/** What a suite of dev's service stacks starts from: the offline plan and how to undo the set-up. */
export interface DevServicesSetup {
    readonly plans: StackPlan[];
    /**
     * Undoes the set-up: removes the validating webhooks it registered and the gateway's namespace
     * when it made it.
     */
    readonly unregister: () => void;
}

/**
 * Sets up `backend` for dev's service stacks: Istio's and cert-manager's validation at admission on
 * the suite's cluster, the ingress gateway's namespace (where an exposed service's Certificate
 * goes; the common layer makes it), and STAND-IN STACKS for dev and dev-common (standIn) exporting
 * what the offline plan computes from the stack files in `dir` (default: the repository's),
 * dev-common's kubeconfig pointing at the suite's cluster.
 */
export async function setUpDevServices(backend: Backend, dir = ROOT): Promise<DevServicesSetup> {
    const kubeconfig = fs.readFileSync(kubeconfigFile(), "utf8");
    const unregister = registerIstioValidation();
    const plans = await planEnvironment("dev", dir);
    const planOf = (layer: "global" | "common"): StackPlan => {
        const plan = plans.find((p) => p.layer === layer);
        if (plan === undefined) {
            throw new Error(`dev's plan has no ${layer} stack`);
        }
        return plan;
    };
    await standIn(backend, planOf("global"));
    const common = planOf("common");
    await standIn(backend, common, { kubeconfig });
    const unregisterCertManager = registerCertManagerValidation();
    const removeNamespace = ensureNamespace(String(common.evaluation.outputs.gatewayNamespace));
    return {
        plans,
        unregister: () => {
            unregister();
            unregisterCertManager();
            removeNamespace();
        },
    };
}

/** Makes namespace `name` unless it exists; returns what deletes it again (nothing when it was there). */
function ensureNamespace(name: string): () => void {
    if (kubectl(["get", "namespace", name]).code === 0) {
        return () => undefined;
    }
    const made = kubectl(["create", "namespace", name]);
    if (made.code !== 0) {
        throw new Error(`could not create namespace ${name}: ${made.stderr}`);
    }
    return () => {
        // Waits until it is gone, so the next suite can make it again.
        kubectl(["delete", "namespace", name, "--ignore-not-found", "--timeout=120s"]);
    };
}

const CERT_MANAGER_WEBHOOK_NAME = "platform-integration-cert-manager-validation";

/**
 * Registers cert-manager's validation of cert-manager.io objects at admission, served by the
 * cert-manager webhook at PLATFORM_CERT_MANAGER_WEBHOOK_HOST (the suite runs one beside its API
 * server, whose certificate the API server trusts through its system roots); returns what removes
 * it. Without that variable nothing is registered: the cluster's own cert-manager, if any, validates.
 */
export function registerCertManagerValidation(): () => void {
    const host = process.env.PLATFORM_CERT_MANAGER_WEBHOOK_HOST;
    if (!host) {
        return () => undefined;
    }
    return registerValidatingWebhook(CERT_MANAGER_WEBHOOK_NAME, "cert-manager's validating webhook", {
        name: "webhook.cert-manager.io",
        url: `https://${host}/validate`,
        rules: [{ apiGroups: ["cert-manager.io", "acme.cert-manager.io"], apiVersions: ["v1"], resources: ["*/*"] }],
    });
}
