// Proof that a restructuring changed nothing a deploy would see: plans environment `dev` in this
// tree and in another git revision, and compares, byte for byte,
//   - what `npm run plan -- --env dev` prints and writes (the example stack files at the root), and
//   - a dump of every recorded resource (URN, type, parent, provider, custom or component, inputs,
//     every resource option, dependsOn) and of the outputs of every stack, for the example stack
//     files, the tests' fixture stacks and variants of them that reach the other branches of the
//     common layer (an existing cluster, a chart mirror, istiod's webhooks at a URL, a canary
//     control plane, a team's ClusterIssuer, an internet-facing gateway).
// Both trees plan the same stack files (this tree's), so only the code differs.
//
//   npm run plan:same                  compare with main
//   npm run plan:same -- <git-ref>     compare with another revision (a branch, a tag, HEAD~3)
//
// Exit code: 0 identical, 1 a difference (the first lines of each differing file are printed),
// 2 the other revision could not be planned.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import type * as PlanModule from "../plan/plan";

const ROOT = path.resolve(__dirname, "..");

/** The stack-file variants planned in each tree: the name of each and how it changes the fixture stacks. */
const VARIANTS: Readonly<Record<string, ((files: Record<string, Record<string, unknown>>) => void) | null>> = {
    /** The tests' own stack files, unchanged. */
    fixtures: null,
    /** An existing cluster from its kubeconfig, charts from a local folder, cert-manager and a ClusterIssuer of the team's. */
    existing: (files) => {
        const common = files["dev-common"];
        for (const key of ["kmsKeyAdminArns", "scheduledNodeScaling", "nodeGroups"]) {
            Reflect.deleteProperty(common, `platform:${key}`);
        }
        Object.assign(common, {
            "platform:clusterMode": "existing",
            "platform:kubeconfig": { secure: "v1:plan-same" },
            "platform:chartMirror": "/srv/charts",
            "platform:certManager": "existing",
            "platform:certificateIssuer": "team-issuer",
        });
    },
    /** Charts from an OCI mirror, istiod's webhooks at a URL, a canary control plane, an internet-facing gateway. */
    mirror: (files) => {
        Object.assign(files["dev-common"], {
            "platform:chartMirror": "oci://registry.example.com/charts",
            "platform:istiodWebhookUrl": "https://istiod.example.com:15017",
            "platform:istiodWebhookCaBundle": fs.readFileSync(
                path.join(ROOT, "test", "fixtures", "istiod-webhook", "ca.pem"),
                "utf8",
            ),
            "platform:certManagerWebhookHost": "cert-manager-webhook.example.com:10250",
            "platform:meshRevision": "1-30",
            "platform:meshCanaryRevision": "1-31",
            "platform:gatewayScheme": "internet-facing",
            "platform:gatewaySourceRanges": ["203.0.113.0/24"],
            "platform:grafanaAdminPassword": { secure: "v1:plan-same" },
            "platform:istiodReplicas": 3,
            "platform:gatewayReplicas": 4,
        });
        files["dev-frontend"]["platform:useCanaryMeshRevision"] = true;
    },
};

/** Writes each variant's stack files under `dir`: `examples` (the root's), then those of VARIANTS. */
function writeVariants(dir: string): string[] {
    const fixtures = path.join(ROOT, "test", "fixtures", "stacks");
    const stackFiles = (from: string) =>
        fs.readdirSync(from).filter((f) => /^Pulumi\.dev(-[a-z0-9-]+)?\.yaml$/.test(f));
    const copy = (from: string, to: string) => {
        fs.mkdirSync(to, { recursive: true });
        for (const f of stackFiles(from)) {
            fs.copyFileSync(path.join(from, f), path.join(to, f));
        }
    };
    copy(ROOT, path.join(dir, "examples"));
    for (const [name, change] of Object.entries(VARIANTS)) {
        const to = path.join(dir, name);
        copy(fixtures, to);
        if (change === null) {
            continue;
        }
        const files: Record<string, Record<string, unknown>> = {};
        for (const f of stackFiles(to)) {
            const doc = yaml.load(fs.readFileSync(path.join(to, f), "utf8")) as { config: Record<string, unknown> };
            files[f.slice("Pulumi.".length, -".yaml".length)] = doc.config;
        }
        change(files);
        for (const [stack, config] of Object.entries(files)) {
            fs.writeFileSync(path.join(to, `Pulumi.${stack}.yaml`), yaml.dump({ config }));
        }
    }
    return ["examples", ...Object.keys(VARIANTS)];
}

/**
 * The dump of one tree (run inside it, `--dump <tree> <variants dir> <out file>`): every variant
 * planned with that tree's plan module, every recorded resource in full.
 */
async function dump(tree: string, variantsDir: string, outFile: string): Promise<void> {
    // The other tree's own plan module: its program, components and mocks.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded from the tree given at run time
    const plan = require(path.join(tree, "plan", "plan")) as typeof PlanModule;
    const result: Record<string, unknown> = {};
    for (const variant of fs.readdirSync(variantsDir).sort()) {
        const plans = await plan.planEnvironment("dev", path.join(variantsDir, variant));
        result[variant] = plans.map((p) => ({
            stack: p.config.stack,
            resources: p.evaluation.resources,
            outputs: p.evaluation.outputs,
            secretOutputNames: p.evaluation.secretOutputNames,
            invokes: p.evaluation.invokes,
            violations: p.violations,
            policyViolations: p.policyViolations,
        }));
    }
    fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
}

/** Runs `args` with node (ts-node, transpile only) in `cwd`; its output, exit code and error text. */
function runNode(cwd: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", ...args], {
        cwd,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Plans `tree` into `out`: the plan CLI over the examples (its text and files), then the dump of every variant. */
function planTree(tree: string, variantsDir: string, out: string): void {
    fs.mkdirSync(out, { recursive: true });
    const planOut = path.join(out, "plan");
    const cli = runNode(tree, [
        "scripts/plan.ts",
        "--env",
        "dev",
        "--config-dir",
        path.join(variantsDir, "examples"),
        "--out",
        planOut,
    ]);
    // Paths differ between the two trees: the text says <out> and <tree> instead.
    const text = `exit ${cli.status}\n${cli.stdout}\n${cli.stderr}`
        .replaceAll(planOut, "<out>")
        .replaceAll(tree, "<tree>");
    fs.writeFileSync(path.join(out, "plan-cli.txt"), text);
    const d = runNode(tree, [__filename, "--dump", tree, variantsDir, path.join(out, "dump.json")]);
    if (d.status !== 0) {
        throw new Error(`the dump of ${tree} failed:\n${d.stderr}`);
    }
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .sort();
}

/** The differing files of two plan folders, each with the first lines of `diff -u`. */
function differences(a: string, b: string): string[] {
    const out: string[] = [];
    for (const f of [...new Set([...filesUnder(a), ...filesUnder(b)])].sort()) {
        const [fa, fb] = [path.join(a, f), path.join(b, f)];
        if (!fs.existsSync(fa) || !fs.existsSync(fb)) {
            out.push(`${f}: only in ${fs.existsSync(fa) ? "the other revision" : "this tree"}`);
        } else if (!fs.readFileSync(fa).equals(fs.readFileSync(fb))) {
            const diff = spawnSync("diff", ["-u", fa, fb], { encoding: "utf8" }).stdout;
            out.push(`${f} differs:\n${diff.split("\n").slice(0, 40).join("\n")}`);
        }
    }
    return out;
}

async function main(argv: readonly string[]): Promise<number> {
    if (argv[0] === "--dump") {
        await dump(argv[1], argv[2], argv[3]);
        return 0;
    }
    const ref = argv[0] ?? "main";
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-plan-same-"));
    try {
        const other = path.join(tmp, "tree");
        fs.mkdirSync(other);
        const archive = spawnSync("sh", ["-c", `git -C "${ROOT}" archive "${ref}" | tar -x -C "${other}"`], {
            encoding: "utf8",
        });
        if (archive.status !== 0) {
            console.error(`cannot read revision ${ref}: ${archive.stderr}`);
            return 2;
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(other, "node_modules"));
        const variants = path.join(tmp, "variants");
        const names = writeVariants(variants);
        planTree(other, variants, path.join(tmp, "before"));
        planTree(ROOT, variants, path.join(tmp, "after"));
        const diffs = differences(path.join(tmp, "before"), path.join(tmp, "after"));
        const planned = `the plan CLI over the examples, and the dump of every resource of ${names.join(", ")}`;
        if (diffs.length > 0) {
            console.log(`${ref} and this tree plan dev differently (${planned}):\n\n${diffs.join("\n\n")}`);
            return 1;
        }
        const files = filesUnder(path.join(tmp, "after")).length;
        console.log(`identical: ${files} files (${planned}) of ${ref} and this tree, byte for byte`);
        return 0;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(2);
    },
);
