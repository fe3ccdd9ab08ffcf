// kubectl against the cluster the integration suite deploys to ($PLATFORM_KUBECONFIG).
import { spawnSync } from "child_process";
import * as fs from "fs";

/** The kubeconfig of the suite's cluster; fails naming the variable when it is not set. */
export function kubeconfigFile(): string {
    const file = process.env.PLATFORM_KUBECONFIG;
    if (!file) {
        throw new Error(
            'set PLATFORM_KUBECONFIG to the kubeconfig of a cluster the suite may deploy to (see docs/testing.md, "Integration suite")',
        );
    }
    if (!fs.existsSync(file)) {
        throw new Error(`PLATFORM_KUBECONFIG=${file} does not exist`);
    }
    return file;
}

function kubectlBinary(): string {
    return process.env.KUBECTL ?? "kubectl";
}

/** Runs kubectl; returns its exit code and output. */
export function kubectl(args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
    // Lists of CRDs run to megabytes: a buffer well above spawnSync's 1 MiB default.
    const r = spawnSync(kubectlBinary(), ["--kubeconfig", kubeconfigFile(), ...args], {
        input,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) {
        throw new Error(
            `kubectl (${kubectlBinary()}) could not run: ${r.error.message}; put kubectl on PATH or set KUBECTL`,
        );
    }
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** kubectl's name for an object's kind: `deployment.v1.apps`, `namespace` (core). */
export function resourceOf(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return group ? `${kind.toLowerCase()}.${version}.${group}` : kind.toLowerCase();
}

/** A manifest's identity: kind, namespace and name. */
export interface ObjectRef {
    readonly apiVersion: string;
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
}

export function refText(r: ObjectRef): string {
    return `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

/** The object as the API server has it, or undefined when it does not exist. */
export function getObject(r: ObjectRef): any {
    const args = [
        "get",
        resourceOf(r.apiVersion, r.kind),
        r.name,
        "-o",
        "json",
        ...(r.namespace ? ["-n", r.namespace] : []),
    ];
    const result = kubectl(args);
    if (result.code !== 0) {
        if (/NotFound|not found/.test(result.stderr)) {
            return undefined;
        }
        throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
    }
    return JSON.parse(result.stdout);
}

/** One webhook of a ValidatingWebhookConfiguration: at a URL, failing closed, on `rules`. */
export interface UrlWebhook {
    readonly name: string;
    /** `https://...`: where the API server calls it. */
    readonly url: string;
    /** PEM of the CA that signed its certificate; none: the API server's system roots. */
    readonly caBundle?: string;
    readonly rules: readonly {
        readonly apiGroups: readonly string[];
        readonly apiVersions: readonly string[];
        readonly resources: readonly string[];
    }[];
}

/**
 * Registers a ValidatingWebhookConfiguration `name` with one webhook (CREATE and UPDATE,
 * `failurePolicy: Fail`) on the suite's cluster; returns what removes it again. `what` names it
 * in the error when the API server refuses it.
 */
export function registerValidatingWebhook(name: string, what: string, webhook: UrlWebhook): () => void {
    const config = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name },
        webhooks: [
            {
                name: webhook.name,
                admissionReviewVersions: ["v1"],
                sideEffects: "None",
                failurePolicy: "Fail",
                matchPolicy: "Equivalent",
                clientConfig: {
                    url: webhook.url,
                    ...(webhook.caBundle === undefined
                        ? {}
                        : { caBundle: Buffer.from(webhook.caBundle).toString("base64") }),
                },
                rules: webhook.rules.map((r) => ({ operations: ["CREATE", "UPDATE"], ...r })),
            },
        ],
    };
    const applied = kubectl(["apply", "-f", "-"], JSON.stringify(config));
    if (applied.code !== 0) {
        throw new Error(`could not register ${what} at ${webhook.url}: ${applied.stderr}`);
    }
    return () => {
        kubectl(["delete", "validatingwebhookconfiguration", name, "--ignore-not-found"]);
    };
}
