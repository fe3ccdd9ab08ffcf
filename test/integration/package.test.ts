// The component package from outside: examples/ts-service, a program of its own (its own project,
// package.json and tsconfig.json), gets @platform/components from the tarball `npm pack` makes, as
// a consumer would (npm install, then tsc against the packed declarations), and deploys one Service
// under the real Pulumi CLI to the suite's API server, with Istio's validation live at admission:
// up, a no-change preview, destroy.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Backend, CommandResult, describe as describeCommand } from "../../plan/engine/engine";
import { ISTIO_REFUSAL, refusalOfInvalidObject, registerIstioValidation } from "../../plan/engine/istio";
import { ObjectRef, getObject, kubeconfigFile, refText } from "../../plan/engine/kube";
import { ROOT } from "../../plan/stack-config";
import { tempDir } from "../../plan/temp";
import { recordTiming } from "./helpers/timings";

const EXAMPLE = path.join(ROOT, "examples", "ts-service");
const STACK = "dev";
const SERVICE = "catalog";

/** Runs `command args` in `cwd` (npm, for the consumer's install and build); fails with its output. */
function run(cwd: string, command: string, args: readonly string[]): string {
    const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.strictEqual(r.status, 0, `${command} ${args.join(" ")} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/** `type::name` of every resource of the stack's state but the stack and the engine's own providers. */
function stateResources(exported: any): string[] {
    return (exported.deployment.resources as { urn: string; type: string }[])
        .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
        .map((r) => `${r.type}::${r.urn.split("::").pop()}`)
        .sort();
}

/**
 * What one Service creates for a service that is not exposed, with one version, a caller rule, no
 * JWT, no rate limit and no external host (docs/service.md): its namespace with quota, limits and
 * account; the default-deny, allow-callers and STRICT mTLS policies; the NetworkPolicies (default
 * deny, the caller, Prometheus, egress) and the Sidecar of its access graph; its workload (one
 * Deployment per version, Service, PDB) and traffic rules (DestinationRule, VirtualService).
 */
const EXPECTED_RESOURCES = [
    "kubernetes:apps/v1:Deployment::catalog-v1",
    "kubernetes:core/v1:LimitRange::catalog",
    "kubernetes:core/v1:Namespace::catalog",
    "kubernetes:core/v1:ResourceQuota::catalog",
    "kubernetes:core/v1:Service::catalog",
    "kubernetes:core/v1:ServiceAccount::catalog",
    "kubernetes:networking.istio.io/v1:DestinationRule::catalog",
    "kubernetes:networking.istio.io/v1:Sidecar::catalog-sidecar",
    "kubernetes:networking.istio.io/v1:VirtualService::catalog",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy::catalog-allow-callers",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy::catalog-allow-egress",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy::catalog-allow-prometheus",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy::catalog-default-deny-ingress",
    "kubernetes:policy/v1:PodDisruptionBudget::catalog",
    "kubernetes:security.istio.io/v1:AuthorizationPolicy::catalog-allow-callers",
    "kubernetes:security.istio.io/v1:AuthorizationPolicy::catalog-allow-nothing",
    "kubernetes:security.istio.io/v1:PeerAuthentication::catalog-mtls",
    "platform:service:Service::catalog",
];

describe("the component package from outside: examples/ts-service, installed from npm pack's tarball", function () {
    this.timeout(15 * 60 * 1000);
    const backend = new Backend("package");
    let project: string;
    let unregister: () => void = () => undefined;
    const pulumi = async (step: string, args: string[]): Promise<CommandResult> => {
        const r = await backend.run(project, [...args, "--stack", STACK]);
        recordTiming("example-ts-service", step, r.seconds);
        return r;
    };
    const namespace: ObjectRef = { apiVersion: "v1", kind: "Namespace", name: SERVICE };
    const deployment: ObjectRef = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: SERVICE,
        name: `${SERVICE}-v1`,
    };

    before(async () => {
        // The program outside the repository: the example's own files only, no link to the checkout.
        project = tempDir("example-ts-service");
        for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts"]) {
            fs.copyFileSync(path.join(EXAMPLE, file), path.join(project, file));
        }
        // The package's published form: npm pack (its prepare script builds it first).
        const [packed] = JSON.parse(
            run(ROOT, "npm", ["pack", "--workspace", "@platform/components", "--pack-destination", project, "--json"]),
        ) as { filename: string }[];
        const manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
        assert.strictEqual(
            manifest.dependencies["@platform/components"],
            `file:${packed.filename}`,
            "examples/ts-service/package.json must depend on the tarball npm pack makes of the package's current version",
        );
        // As a consumer installs and builds it: the registry (or npm's cache) for @pulumi/*, the
        // tarball for the package; tsc checks the program against the packed declarations.
        run(project, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"]);
        run(project, "npm", ["run", "build"]);
        unregister = registerIstioValidation();
        await backend.ok(project, ["stack", "init", STACK]);
        await backend.ok(project, ["config", "set", "kubeconfig", kubeconfigFile(), "--stack", STACK]);
    });

    after(() => unregister());

    it("the cluster refuses an object Istio's validation refuses (the webhook is live)", () => {
        assert.match(
            refusalOfInvalidObject() ?? "the API server accepted an invalid VirtualService",
            new RegExp(ISTIO_REFUSAL),
        );
    });

    it("the installed package is the tarball's: its root only, with the public API", () => {
        const installed = path.join(project, "node_modules", "@platform", "components");
        assert.ok(
            !fs.lstatSync(installed).isSymbolicLink(),
            "installed as a copy of the tarball, not a link to the checkout",
        );
        assert.ok(fs.existsSync(path.join(installed, "bin", "index.d.ts")));
        assert.ok(!fs.existsSync(path.join(installed, "index.ts")), "no TypeScript source in the tarball");
    });

    it("pulumi up deploys the Service: its children, its outputs, its objects on the API server", async () => {
        const r = await pulumi("up", ["up", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
        const exported = JSON.parse((await backend.ok(project, ["stack", "export", "--stack", STACK])).stdout);
        assert.deepStrictEqual(stateResources(exported), EXPECTED_RESOURCES);
        const outputs = JSON.parse((await backend.ok(project, ["stack", "output", "--json", "--stack", STACK])).stdout);
        assert.deepStrictEqual(outputs, {
            namespace: SERVICE,
            serviceAccount: SERVICE,
            principal: `cluster.local/ns/${SERVICE}/sa/${SERVICE}`,
            host: `${SERVICE}.${SERVICE}.svc.cluster.local`,
        });
        const ns = getObject(namespace);
        assert.ok(ns, `${refText(namespace)} is missing`);
        for (const [label, value] of Object.entries({
            environment: "dev",
            "owner-service": SERVICE,
            "team-name": "catalog-team",
            "app.kubernetes.io/managed-by": "pulumi",
        })) {
            assert.strictEqual(ns.metadata.labels[label], value, `namespace label ${label}`);
        }
        assert.strictEqual(ns.metadata.annotations.contact, "catalog-team@example.com");
        const live = getObject(deployment);
        const available = (live.status.conditions ?? []).find((c: any) => c.type === "Available");
        assert.strictEqual(available?.status, "True", JSON.stringify(live.status));
        assert.strictEqual(live.status.readyReplicas, 2, JSON.stringify(live.status));
    });

    it("a second pulumi preview --expect-no-changes shows no changes", async () => {
        const r = await pulumi("preview-no-changes", ["preview", "--expect-no-changes", "--diff"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
    });

    it("pulumi destroy removes the Service's objects", async () => {
        const r = await pulumi("destroy", ["destroy", "--yes", "--skip-preview"]);
        assert.strictEqual(r.code, 0, describeCommand(r));
        assert.strictEqual(getObject(deployment), undefined, `${refText(deployment)} is left`);
        assert.strictEqual(getObject(namespace), undefined, `${refText(namespace)} is left`);
    });
});
