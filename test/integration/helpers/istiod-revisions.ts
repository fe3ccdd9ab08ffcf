// istiod as local processes, one per control-plane revision, beside the suite's API server: what
// the canary-upgrade test (mesh-canary.test.ts) runs its two control planes on. The binary is the
// one scripts/integration.sh starts for the suite (PLATFORM_ISTIOD_BIN), started again here with
// its own REVISION, ports and working folder, as ../shared/tools/istiod/up.sh starts it for the
// default revision. Each process reads its sidecar-injection template from its working folder
// (var/lib/istio/inject), where `copyInjectionTemplates` writes the one its revision's istiod
// chart makes (ConfigMap istio-sidecar-injector-<revision>), as the suite does for the default
// revision (common-stack.ts, whileChartsInstall). Both sign with one CA of the test's own, given
// as a plugged-in CA (ROOT_CA_DIR: istiod's cacerts files), so that neither makes nor reads the
// self-signed CA Secret the suite's own istiod keeps in istio-system.
import { ChildProcess, execFileSync, spawn } from "child_process";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";
import { kubeconfigFile, kubectl } from "../../../plan/engine/kube";
import { tempDir } from "../../helpers/temp";

/** One istiod process serving a revision. */
export interface RevisionIstiod {
    readonly revision: string;
    /** Its webhooks' base URL, `https://127.0.0.1:<port>`. */
    readonly url: string;
    /** Its working folder (log: istiod.log; the injection template under var/lib/istio/inject). */
    readonly dir: string;
    readonly process: ChildProcess;
}

/** The suite's istiod binary, or undefined when the suite runs without one. */
export function istiodBinary(): string | undefined {
    const bin = process.env.PLATFORM_ISTIOD_BIN;
    return bin !== undefined && fs.existsSync(bin) ? bin : undefined;
}

function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts istiod for `revision` with its ports at `base` + 10 (plain gRPC), 12 (secure gRPC), 17
 * (webhooks), 14 (monitoring) and `base` + 3080 (HTTP), and waits until it is ready (its /ready
 * and its webhook port answer). Fails, naming the port, when one is taken.
 */
export async function startRevisionIstiod(
    bin: string,
    revision: string,
    base: number,
    ca: MeshCa,
): Promise<RevisionIstiod> {
    const ports = {
        grpc: base + 10,
        secureGrpc: base + 12,
        webhook: base + 17,
        monitoring: base + 14,
        http: base + 3080,
    };
    for (const [name, port] of Object.entries(ports)) {
        if (await listening(port)) {
            throw new Error(`port ${port} (istiod ${revision}, ${name}) is in use on 127.0.0.1`);
        }
    }
    const dir = tempDir(`istiod-${revision}`);
    const inject = path.join(dir, "var", "lib", "istio", "inject");
    fs.mkdirSync(inject, { recursive: true });
    // Injection off until the chart's template is copied here (istiod reloads the files).
    fs.writeFileSync(path.join(inject, "config"), "policy: disabled\n");
    fs.writeFileSync(path.join(inject, "values"), "{}\n");
    const log = fs.openSync(path.join(dir, "istiod.log"), "w");
    const kubeconfig = kubeconfigFile();
    const child = spawn(
        bin,
        [
            "discovery",
            "--kubeconfig",
            kubeconfig,
            "--httpAddr",
            `127.0.0.1:${ports.http}`,
            "--grpcAddr",
            `127.0.0.1:${ports.grpc}`,
            "--secureGRPCAddr",
            `127.0.0.1:${ports.secureGrpc}`,
            "--httpsAddr",
            `127.0.0.1:${ports.webhook}`,
            "--monitoringAddr",
            `127.0.0.1:${ports.monitoring}`,
        ],
        {
            cwd: dir,
            stdio: ["ignore", log, log],
            env: {
                ...process.env,
                POD_NAMESPACE: "istio-system",
                POD_NAME: `istiod-local-${revision}`,
                REVISION: revision,
                PILOT_CERT_PROVIDER: "istiod",
                ISTIOD_CUSTOM_HOST: "127.0.0.1",
                ROOT_CA_DIR: ca.dir,
                KUBECONFIG: kubeconfig,
            },
        },
    );
    fs.closeSync(log);
    // Not left running when the test process ends without stopping it (a failed or killed run).
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    for (let i = 0; i < 90; i++) {
        if (child.exitCode !== null) {
            break;
        }
        const ready = await fetch(`http://127.0.0.1:${ports.http}/ready`).then(
            (r) => r.ok,
            () => false,
        );
        if (ready && (await listening(ports.webhook))) {
            return { revision, url: `https://127.0.0.1:${ports.webhook}`, dir, process: child };
        }
        await sleep(1000);
    }
    child.kill();
    const tail = fs.readFileSync(path.join(dir, "istiod.log"), "utf8").split("\n").slice(-8).join("\n");
    throw new Error(`istiod ${revision} did not become ready in 90 s; its log ends:\n${tail}`);
}

/** Stops the process (SIGTERM, then SIGKILL after 10 s). */
export async function stopRevisionIstiod(istiod: RevisionIstiod): Promise<void> {
    if (istiod.process.exitCode !== null || istiod.process.signalCode !== null) {
        return;
    }
    const exited = new Promise((r) => istiod.process.once("exit", r));
    istiod.process.kill("SIGTERM");
    const timer = setTimeout(() => istiod.process.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
}

/** A CA for istiod (its cacerts files) and its certificate, PEM: the webhooks' CA bundle. */
export interface MeshCa {
    readonly dir: string;
    readonly pem: string;
}

/**
 * Makes a self-signed CA (openssl, valid two days) as istiod's plugged-in CA files: ca-cert.pem,
 * ca-key.pem, and root-cert.pem and cert-chain.pem (the same certificate: no intermediate).
 */
export function makeMeshCa(): MeshCa {
    const dir = tempDir("istiod-ca");
    const key = path.join(dir, "ca-key.pem");
    const cert = path.join(dir, "ca-cert.pem");
    execFileSync(
        "openssl",
        [
            ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
            ...["-keyout", key, "-out", cert, "-subj", "/O=cluster.local/CN=canary upgrade test CA"],
            ...["-addext", "basicConstraints=critical,CA:TRUE"],
            ...["-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"],
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    for (const copy of ["root-cert.pem", "cert-chain.pem"]) {
        fs.copyFileSync(cert, path.join(dir, copy));
    }
    return { dir, pem: fs.readFileSync(cert, "utf8") };
}

/** The certificate istiod serves at its webhook port. */
function servedCertificate(url: string): Promise<X509Certificate> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
            const raw = socket.getPeerCertificate().raw;
            socket.destroy();
            resolve(new X509Certificate(raw));
        });
        socket.once("error", reject);
    });
}

/** Fails, naming the revision, unless `ca` signed the certificate each of `istiods` serves at its webhook port. */
export async function checkServedBy(istiods: readonly RevisionIstiod[], ca: MeshCa): Promise<void> {
    const root = new X509Certificate(ca.pem);
    for (const istiod of istiods) {
        const served = await servedCertificate(istiod.url);
        if (!served.checkIssued(root) || !served.verify(root.publicKey)) {
            throw new Error(`istiod ${istiod.revision} serves a certificate its CA did not sign (${served.issuer})`);
        }
    }
}

/**
 * Deletes every admission webhook configuration with a webhook at one of `urls` (best effort): what
 * a failed run leaves behind would otherwise refuse, with failurePolicy Fail, every pod or Istio
 * object of the tests that come after, once these istiods are stopped.
 */
export function deleteWebhooksAt(urls: readonly string[]): string[] {
    const deleted: string[] = [];
    for (const kind of ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"]) {
        const r = kubectl(["get", kind, "-o", "json"]);
        if (r.code !== 0) {
            continue;
        }
        const items = (
            JSON.parse(r.stdout) as {
                items: { metadata: { name: string }; webhooks?: { clientConfig?: { url?: string } }[] }[];
            }
        ).items;
        for (const o of items) {
            if ((o.webhooks ?? []).some((w) => urls.some((u) => w.clientConfig?.url?.startsWith(u) === true))) {
                kubectl(["delete", kind, o.metadata.name, "--ignore-not-found"]);
                deleted.push(`${kind}/${o.metadata.name}`);
            }
        }
    }
    return deleted;
}

/**
 * Copies each revision's injection template (ConfigMap istio-system/istio-sidecar-injector-<rev>,
 * made by that revision's istiod chart) to its process every 200 ms, whenever it changes, until the
 * returned function is called.
 */
export function copyInjectionTemplates(istiods: readonly RevisionIstiod[]): () => void {
    const poll = setInterval(() => {
        for (const istiod of istiods) {
            const cm = kubectl([
                "-n",
                "istio-system",
                "get",
                "configmap",
                `istio-sidecar-injector-${istiod.revision}`,
                "-o",
                "json",
            ]);
            if (cm.code !== 0) {
                continue;
            }
            const data = (JSON.parse(cm.stdout) as { data: { config: string; values: string } }).data;
            for (const key of ["values", "config"] as const) {
                const file = path.join(istiod.dir, "var", "lib", "istio", "inject", key);
                if (fs.readFileSync(file, "utf8") !== data[key]) {
                    fs.writeFileSync(file, data[key]);
                }
            }
        }
    }, 200);
    return () => clearInterval(poll);
}
