// Istio's validation at admission, on the suite's cluster: either the cluster already has it (a
// cluster with Istio installed), or the suite registers a ValidatingWebhookConfiguration at the URL
// of an istiod running outside the cluster ($PLATFORM_ISTIOD_URL and $PLATFORM_ISTIOD_CA, as
// ../shared/tools/istiod/up.sh prints them). Either way it is proven live before a stack is deployed.
import * as fs from "fs";
import { kubectl, registerValidatingWebhook } from "./kube";

const WEBHOOK_NAME = "platform-integration-istio-validator";

/** A VirtualService Istio's validation refuses (a retry policy next to zero attempts). */
const INVALID_VIRTUAL_SERVICE = {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "platform-integration-invalid", namespace: "default" },
    spec: {
        hosts: ["invalid.default.svc.cluster.local"],
        http: [
            {
                route: [{ destination: { host: "invalid.default.svc.cluster.local" } }],
                retries: { attempts: 0, retryOn: "5xx" },
            },
        ],
    },
};

export const ISTIO_REFUSAL = "http retry policy configured when attempts are set to 0";

/** Registers the webhook when istiod runs outside the cluster; returns how to remove it again. */
export function registerIstioValidation(): () => void {
    const url = process.env.PLATFORM_ISTIOD_URL;
    const caFile = process.env.PLATFORM_ISTIOD_CA;
    if (!url || !caFile) {
        return () => undefined;
    }
    return registerValidatingWebhook(WEBHOOK_NAME, "Istio's validating webhook", {
        name: "validation.istio.io",
        url: `${url}/validate`,
        caBundle: fs.readFileSync(caFile, "utf8"),
        rules: [
            {
                apiGroups: ["security.istio.io", "networking.istio.io", "telemetry.istio.io", "extensions.istio.io"],
                apiVersions: ["*"],
                resources: ["*"],
            },
        ],
    });
}

/**
 * What the API server answers to an object Istio's validation refuses (a server-side dry run):
 * its error text, or undefined when it accepted the object, i.e. no Istio validation is live.
 */
export function refusalOfInvalidObject(): string | undefined {
    const r = kubectl(["apply", "--dry-run=server", "-f", "-"], JSON.stringify(INVALID_VIRTUAL_SERVICE));
    return r.code === 0 ? undefined : r.stderr;
}
