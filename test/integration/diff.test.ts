// `npm run plan -- --diff` against the real engine: a service stack of the tests' dev is deployed
// from a commit, its code and config then change, and what the offline diff of each change says
// is held against what the engine does with it: `pulumi preview`, and the steps `pulumi up` takes
// (its engine events, `pulumi up --json`). Two changes: one that renames an object and updates
// another, which `pulumi preview` can preview; and one of fields the API server refuses to change
// (a Deployment's selector, a Service's clusterIP), whose replacement keeps the objects' names:
// pulumi-kubernetes cannot dry-run that (the API server refuses the new object while the old one
// exists), so its preview fails, and `pulumi up --skip-preview` shows what the engine replaces. The
// stack reads dev's and dev-common's outputs from STAND-IN STACKS (plan/engine/dev-standins.ts),
// as the service suite does; every object is created by the real kubernetes provider.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Backend, CommandResult, describe as describeCommand } from "../../plan/engine/engine";
import { setUpDevServices } from "../../plan/engine/dev-standins";
import { getObject } from "../../plan/engine/kube";
import { DiffReport } from "../../plan/diff-report";
import { ResourceChange, urnKey } from "../../plan/diff";
import { git, gitProject, runPlan } from "../helpers/git-project";
import { FIXTURE_STACKS } from "../helpers/stacks";
import { recordTiming } from "./helpers/timings";

const STACK = "dev-backend";
/** The engine's steps of a replacement (with or without deleting first). */
const REPLACE_STEPS = ["replace", "create-replacement", "delete-replaced"];

/** The one .ts file under `dir`/components whose text matches `anchor`, with `anchor` replaced by `text`. */
function patchSource(dir: string, anchor: RegExp, text: string): void {
    const files = (fs.readdirSync(path.join(dir, "components"), { recursive: true }) as string[])
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(dir, "components", f))
        .filter((f) => anchor.test(fs.readFileSync(f, "utf8")));
    assert.strictEqual(files.length, 1, `exactly one file of components/ has ${String(anchor)}: ${files.join(", ")}`);
    fs.writeFileSync(files[0], fs.readFileSync(files[0], "utf8").replace(anchor, text));
}

/** The URNs (as the diff compares them) of the engine's steps whose op is one of `ops`. */
function stepUrns(steps: readonly { op: string; urn: string }[], ops: readonly string[]): string[] {
    return [...new Set(steps.filter((s) => ops.includes(s.op)).map((s) => urnKey(s.urn)))].sort();
}

/** The steps `pulumi up --json` took: its engine events, one JSON object per line. */
function loggedSteps(stdout: string): { op: string; urn: string }[] {
    return stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { resourcePreEvent?: { metadata: { op: string; urn: string } } })
        .flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata] : []));
}

describe("plan --diff and the real engine agree on what a change replaces and updates", function () {
    this.timeout(25 * 60 * 1000);
    const backend = new Backend("diff");
    let project: string;
    let unregister: () => void = () => undefined;
    let deployed = false;

    /** The offline diff of the working tree against HEAD, for the deployed stack: its changes by op. */
    async function offlineDiff(step: string): Promise<(op: ResourceChange["op"]) => ResourceChange[]> {
        const started = Date.now();
        const r = await runPlan(project, "--env dev --diff HEAD --out out/plan --json out/diff.json".split(" "));
        recordTiming(STACK, step, (Date.now() - started) / 1000);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        const report = JSON.parse(fs.readFileSync(path.join(project, "out", "diff.json"), "utf8")) as DiffReport;
        const changes = report.stacks.find((s) => s.stack === STACK)!.changes;
        return (op) => changes.filter((c) => c.op === op);
    }

    const urnsOf = (changes: readonly ResourceChange[]) => changes.map((c) => urnKey(c.urn)).sort();

    /** Builds the working tree's program, as the engine runs it (the built program refuses to run on changed sources). */
    function build(): void {
        execFileSync("npm", ["run", "--silent", "build:program"], {
            cwd: project,
            stdio: ["ignore", "ignore", "inherit"],
        });
    }

    /** `pulumi up` of the working tree without a preview (built first, as the engine runs it); returns the steps it took (its engine events). */
    async function up(step: string): Promise<{ result: CommandResult; steps: { op: string; urn: string }[] }> {
        build();
        const result = await backend.run(project, ["up", "--yes", "--skip-preview", "--json", "--stack", STACK]);
        recordTiming(STACK, step, result.seconds);
        assert.strictEqual(result.code, 0, describeCommand(result));
        const steps = loggedSteps(result.stdout);
        assert.ok(steps.length > 0, describeCommand(result));
        return { result, steps };
    }

    /** Makes the deployed tree the base of the next diff. */
    function commit(message: string): void {
        git(project, "add", "--all");
        git(project, "commit", "--quiet", "--message", message);
    }

    before(async () => {
        ({ unregister } = await setUpDevServices(backend, FIXTURE_STACKS));
        project = gitProject("engine-diff");
        await backend.ok(project, ["stack", "init", STACK]);
        // `pulumi stack init` writes the stack file again (values as strings, an encryption salt).
        commit("stack init");
        await up("diff-base-up");
        deployed = true;
    });

    after(async () => {
        if (deployed) {
            await backend.run(project, ["destroy", "--yes", "--skip-preview", "--stack", STACK]);
        }
        unregister();
    });

    describe("a change pulumi preview can preview: the ResourceQuota renamed, one more retry", () => {
        let offline: (op: ResourceChange["op"]) => ResourceChange[];

        before(async () => {
            patchSource(
                project,
                /new k8s\.core\.v1\.ResourceQuota\(service, \{ metadata, /,
                "new k8s.core.v1.ResourceQuota(service, { metadata: { ...metadata, name: `${service}-quota` }, ",
            );
            const file = path.join(project, `Pulumi.${STACK}.yaml`);
            const text = fs.readFileSync(file, "utf8");
            assert.match(text, /platform:retries: "?2"?$/m);
            fs.writeFileSync(file, text.replace(/platform:retries: "?2"?$/m, "platform:retries: 3"));
            offline = await offlineDiff("plan-diff-rename");
        });

        it("the offline diff replaces the ResourceQuota (its name) and updates the VirtualService (its retries)", () => {
            assert.deepStrictEqual(
                offline("replace").map((c) => `${c.type} ${c.name}: ${c.reasons.join("; ")}`),
                ["kubernetes:core/v1:ResourceQuota backend: metadata.name changes (replace-on-change property)"],
            );
            assert.deepStrictEqual(
                offline("update").map((c) => `${c.type} ${c.name}: ${c.inputs.join(", ")}`),
                [
                    "kubernetes:networking.istio.io/v1:VirtualService backend: spec.http[0].retries.attempts, spec.http[0].retries.perTryTimeout",
                ],
            );
            assert.deepStrictEqual([...offline("create"), ...offline("delete")], []);
        });

        it("pulumi preview replaces and updates exactly those", async () => {
            build();
            const r = await backend.run(project, ["preview", "--json", "--stack", STACK]);
            recordTiming(STACK, "preview-rename", r.seconds);
            assert.strictEqual(r.code, 0, describeCommand(r));
            const steps = (JSON.parse(r.stdout) as { steps: { op: string; urn: string }[] }).steps;
            assert.deepStrictEqual(stepUrns(steps, REPLACE_STEPS), urnsOf(offline("replace")));
            assert.deepStrictEqual(stepUrns(steps, ["update"]), urnsOf(offline("update")));
            assert.deepStrictEqual(stepUrns(steps, ["create", "delete"]), []);
        });

        it("pulumi up takes the same steps", async () => {
            const { steps } = await up("up-rename");
            assert.deepStrictEqual(stepUrns(steps, REPLACE_STEPS), urnsOf(offline("replace")));
            assert.deepStrictEqual(stepUrns(steps, ["update"]), urnsOf(offline("update")));
            assert.ok(
                getObject({ apiVersion: "v1", kind: "ResourceQuota", namespace: "backend", name: "backend-quota" }),
            );
            assert.strictEqual(
                getObject({ apiVersion: "v1", kind: "ResourceQuota", namespace: "backend", name: "backend" }),
                undefined,
            );
            commit("the ResourceQuota renamed, one more retry");
        });
    });

    describe("a change of fields the API server does not change: the Deployments' selector, the Service's clusterIP", () => {
        let offline: (op: ResourceChange["op"]) => ResourceChange[];

        before(async () => {
            patchSource(
                project,
                /return \{ app: service, version \};/,
                'return { app: service, version, track: "stable" };',
            );
            patchSource(
                project,
                /(export function serviceSpec\([^)]*\)[^{]*\{\s*return \{\s*)selector: \{ app: service \},/,
                '$1selector: { app: service },\n        clusterIP: "None",',
            );
            offline = await offlineDiff("plan-diff-immutable");
        });

        it("the offline diff replaces both Deployments and the Service, each deleted before it is created again", () => {
            assert.deepStrictEqual(
                offline("replace").map((c) => `${c.type} ${c.name}: ${c.reasons.join("; ")}`),
                [
                    "kubernetes:apps/v1:Deployment backend-v1: spec.selector.matchLabels.track changes (replace-on-change property)",
                    "kubernetes:apps/v1:Deployment backend-v2: spec.selector.matchLabels.track changes (replace-on-change property)",
                    "kubernetes:core/v1:Service backend: spec.clusterIP changes (replace-on-change property)",
                ],
            );
            assert.ok(offline("replace").every((c) => c.deleteBeforeReplace === true));
        });

        it("pulumi preview plans a replacement of one of them, then fails: the API server refuses the dry run while the old object exists", async () => {
            build();
            const r = await backend.run(project, ["preview", "--json", "--stack", STACK]);
            recordTiming(STACK, "preview-immutable", r.seconds);
            assert.notStrictEqual(r.code, 0, describeCommand(r));
            const out = JSON.parse(r.stdout) as {
                steps: { op: string; urn: string }[];
                diagnostics?: { message: string }[];
            };
            const planned = stepUrns(out.steps, REPLACE_STEPS);
            assert.ok(planned.length > 0, describeCommand(r));
            for (const urn of planned) {
                assert.ok(
                    urnsOf(offline("replace")).includes(urn),
                    `${urn} is not among the offline diff's replacements`,
                );
            }
            const errors = (out.diagnostics ?? []).map((d) => d.message).join("\n");
            assert.match(
                errors,
                /was not successfully created by the Kubernetes API server: .*(may not change once set|field is immutable)/,
            );
        });

        it("pulumi up replaces exactly what the offline diff replaces: the API server holds the new selector and a headless Service", async () => {
            const { steps } = await up("up-immutable");
            assert.deepStrictEqual(stepUrns(steps, REPLACE_STEPS), urnsOf(offline("replace")));
            assert.deepStrictEqual(stepUrns(steps, ["update"]), urnsOf(offline("update")));
            const deployment = getObject({
                apiVersion: "apps/v1",
                kind: "Deployment",
                namespace: "backend",
                name: "backend-v1",
            });
            assert.deepStrictEqual(deployment?.spec.selector.matchLabels, {
                app: "backend",
                version: "v1",
                track: "stable",
            });
            const service = getObject({ apiVersion: "v1", kind: "Service", namespace: "backend", name: "backend" });
            assert.strictEqual(service?.spec.clusterIP, "None");
        });
    });
});
