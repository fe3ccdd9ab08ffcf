// Other languages, as far as they go here (docs/package.md "Other languages"): what `pulumi package
// add` and a Pulumi YAML program do with a source-based Node.js component package under the suite's
// tools (the Pulumi CLI, its Node.js language host, Pulumi YAML's language host v1.25.0, built by
// scripts/build-yaml-host.sh). @platform/components stops at its schema; a minimal package
// (test/fixtures/yaml-component) gets through `package add` up to its last step (Link, which the
// YAML host lacks) and, with the `packages:` entry that step would write, is deployed from YAML.
// @platform/remote (remote/), the platform's Service with arguments the host can infer, goes the
// same way and deploys one Service from YAML (examples/yaml-service) to the suite's API server.
// These tests pin each of those facts, so a change of the tools or of the package's types that
// changes one of them fails here and the docs are brought up to date.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { spawnSync } from "child_process";
import { Backend, CommandResult, describe as describeCommand } from "../../plan/engine/engine";
import { registerIstioValidation } from "../../plan/engine/istio";
import { getObject, kubeconfigFile } from "../../plan/engine/kube";
import { ROOT } from "../../plan/stack-config";
import { tempDir } from "../../plan/temp";

const FIXTURE = path.join(ROOT, "test", "fixtures", "yaml-component");

/** Whether the YAML language host is on PATH (integration.sh puts it there when it can build it). */
function yamlHostOnPath(): boolean {
    return (process.env.PATH ?? "")
        .split(path.delimiter)
        .some((dir) => dir !== "" && fs.existsSync(path.join(dir, "pulumi-language-yaml")));
}

/** A copy of `source` in `dir`, without what a build or an install made. */
function copyPackage(source: string, dir: string): string {
    fs.cpSync(source, dir, {
        recursive: true,
        filter: (file) => !["bin", "node_modules"].includes(path.basename(file)),
    });
    return dir;
}

/** A YAML project in `dir`: the fixture's program, or an empty one. */
function yamlProject(dir: string, program?: string): string {
    fs.mkdirSync(dir, { recursive: true });
    if (program) {
        fs.copyFileSync(path.join(program, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    } else {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform-yaml-components\nruntime: yaml\n");
    }
    return dir;
}

const output = (r: CommandResult): string => `${r.stdout}\n${r.stderr}`;

describe("other languages: pulumi package add and a Pulumi YAML program", function () {
    this.timeout(15 * 60 * 1000);
    const backend = new Backend("yaml");

    before(function () {
        if (!yamlHostOnPath()) {
            console.log("      skipped: pulumi-language-yaml is not on PATH (scripts/build-yaml-host.sh builds it)");
            this.skip();
        }
    });

    it("pulumi package add of @platform/components stops at its schema: the component provider host refuses its argument types", async () => {
        const work = tempDir("yaml-components");
        copyPackage(path.join(ROOT, "components"), path.join(work, "components"));
        const project = yamlProject(path.join(work, "program"));
        const r = await backend.run(project, ["package", "add", "../components"]);
        assert.notStrictEqual(r.code, 0, describeCommand(r));
        // Its dependencies were installed and it ran as a provider: the schema is what failed.
        assert.match(output(r), /Finished installing dependencies/, describeCommand(r));
        assert.match(
            output(r),
            /error: failed to get schema: .*Unsupported type for component 'Network' property 'NetworkArgs\.providers': type 'ComponentProviders<"aws">'/,
            describeCommand(r),
        );
        const declared = yaml.load(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8")) as Record<
            string,
            unknown
        >;
        assert.strictEqual(declared.packages, undefined);
    });

    describe("a minimal component package (test/fixtures/yaml-component)", () => {
        let work: string;
        let project: string;

        before(() => {
            work = tempDir("yaml-greeting");
            copyPackage(path.join(FIXTURE, "package"), path.join(work, "package"));
            project = yamlProject(path.join(work, "program"), path.join(FIXTURE, "program"));
        });

        it("pulumi package add gets its schema and generates its SDK, then stops at Link, which Pulumi YAML v1.25.0 lacks", async () => {
            const r = await backend.run(project, ["package", "add", "../package"]);
            assert.notStrictEqual(r.code, 0, describeCommand(r));
            assert.match(output(r), /Successfully generated an SDK for the greeting package/, describeCommand(r));
            assert.match(output(r), /error: linking package: method Link not implemented/, describeCommand(r));
            assert.ok(fs.existsSync(path.join(project, "sdks", "platform-fixtures-greeting", "greeting-0.1.0.yaml")));
        });

        it("with the packages: entry package add would have written, pulumi up constructs the component from YAML", async () => {
            const file = path.join(project, "Pulumi.yaml");
            const declared = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
            fs.writeFileSync(file, yaml.dump({ ...declared, packages: { greeting: "../package" } }));
            await backend.ok(project, ["stack", "init", "dev"]);
            const up = await backend.run(project, ["up", "--yes", "--skip-preview", "--stack", "dev"]);
            assert.strictEqual(up.code, 0, describeCommand(up));
            const outputs = JSON.parse(
                (await backend.ok(project, ["stack", "output", "--json", "--stack", "dev"])).stdout,
            );
            assert.deepStrictEqual(outputs, { text: "hello yaml" });
            const exported = JSON.parse((await backend.ok(project, ["stack", "export", "--stack", "dev"])).stdout);
            const types = (exported.deployment.resources as { type: string }[]).map((r) => r.type);
            assert.ok(types.includes("greeting:index:Greeting"), types.join(", "));
        });

        it("a no-change preview, then destroy", async () => {
            const preview = await backend.run(project, ["preview", "--expect-no-changes", "--stack", "dev"]);
            assert.strictEqual(preview.code, 0, describeCommand(preview));
            const destroy = await backend.run(project, ["destroy", "--yes", "--skip-preview", "--stack", "dev"]);
            assert.strictEqual(destroy.code, 0, describeCommand(destroy));
        });
    });

    describe("@platform/remote: the platform's Service from a Pulumi YAML program (examples/yaml-service)", () => {
        let work: string;
        let program: string;
        let unregister: () => void = () => undefined;
        const STACK = "dev";

        before(() => {
            // remote/ as a user gets it, with @platform/components from the tarball npm pack makes.
            work = tempDir("yaml-remote");
            const remote = copyPackage(path.join(ROOT, "remote"), path.join(work, "remote"));
            const pack = spawnSync(
                "npm",
                ["pack", "--workspace", "@platform/components", "--pack-destination", remote, "--json"],
                { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
            );
            assert.strictEqual(pack.status, 0, pack.stderr);
            const [packed] = JSON.parse(pack.stdout) as { filename: string }[];
            const manifestFile = path.join(remote, "package.json");
            const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
            manifest.dependencies["@platform/components"] = `file:${packed.filename}`;
            fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 4));
            program = path.join(work, "examples", "yaml-service");
            yamlProject(program, path.join(ROOT, "examples", "yaml-service"));
            unregister = registerIstioValidation();
        });

        after(() => unregister());

        it("pulumi package add infers its schema and generates its SDK, then stops at Link, which Pulumi YAML v1.25.0 lacks", async () => {
            const project = yamlProject(path.join(work, "add"));
            const r = await backend.run(project, ["package", "add", "../remote"]);
            assert.notStrictEqual(r.code, 0, describeCommand(r));
            assert.match(output(r), /Successfully generated an SDK for the remote package/, describeCommand(r));
            assert.match(output(r), /error: linking package: method Link not implemented/, describeCommand(r));
        });

        it("pulumi up constructs the Service from YAML: the platform's objects on the API server, its outputs", async () => {
            await backend.ok(program, ["stack", "init", STACK]);
            await backend.ok(program, ["config", "set", "kubeconfig", kubeconfigFile(), "--stack", STACK]);
            const up = await backend.run(program, ["up", "--yes", "--skip-preview", "--stack", STACK]);
            assert.strictEqual(up.code, 0, describeCommand(up));
            const outputs = JSON.parse(
                (await backend.ok(program, ["stack", "output", "--json", "--stack", STACK])).stdout,
            );
            assert.deepStrictEqual(outputs, {
                namespace: "inventory",
                serviceAccount: "inventory",
                principal: "cluster.local/ns/inventory/sa/inventory",
                host: "inventory.inventory.svc.cluster.local",
            });
            const exported = JSON.parse((await backend.ok(program, ["stack", "export", "--stack", STACK])).stdout);
            const types = (exported.deployment.resources as { type: string }[]).map((r) => r.type);
            for (const type of [
                "remote:index:Service",
                "platform:service:Service",
                "kubernetes:security.istio.io/v1:AuthorizationPolicy",
                "kubernetes:networking.istio.io/v1:Sidecar",
                "kubernetes:apps/v1:Deployment",
            ]) {
                assert.ok(types.includes(type), `${type} not in ${types.join(", ")}`);
            }
            const policy = getObject({
                apiVersion: "security.istio.io/v1",
                kind: "AuthorizationPolicy",
                namespace: "inventory",
                name: "allow-callers",
            });
            assert.deepStrictEqual(policy?.spec, {
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { principals: ["cluster.local/ns/frontend/sa/frontend"] } }],
                        to: [{ operation: { methods: ["GET"], paths: ["/items*"] } }],
                    },
                ],
                selector: { matchLabels: { app: "inventory" } },
            });
            const ns = getObject({ apiVersion: "v1", kind: "Namespace", name: "inventory" });
            assert.strictEqual(ns?.metadata.labels["team-name"], "inventory-team");
        });

        it("a no-change preview; a bad argument refused by the Service's own checks, naming it; destroy", async () => {
            const preview = await backend.run(program, ["preview", "--expect-no-changes", "--stack", STACK]);
            assert.strictEqual(preview.code, 0, describeCommand(preview));
            const file = path.join(program, "Pulumi.yaml");
            const good = fs.readFileSync(file, "utf8");
            fs.writeFileSync(file, good.replace("      replicas: 2\n", "      replicas: 2\n      protocol: ftp\n"));
            const refused = await backend.run(program, ["preview", "--stack", STACK]);
            assert.notStrictEqual(refused.code, 0, describeCommand(refused));
            assert.match(output(refused), /invalid Service "inventory"/, describeCommand(refused));
            assert.match(output(refused), /protocol = "ftp": allowed: http, http2, grpc/, describeCommand(refused));
            fs.writeFileSync(file, good);
            const destroy = await backend.run(program, ["destroy", "--yes", "--skip-preview", "--stack", STACK]);
            assert.strictEqual(destroy.code, 0, describeCommand(destroy));
            assert.strictEqual(getObject({ apiVersion: "v1", kind: "Namespace", name: "inventory" }), undefined);
        });
    });
});
