// The mutation probe: applies, one at a time, a change to a setting that matters on a real update
// (resource options, provider flags, secure defaults), runs the tests that should notice it, and
// reports each mutation as killed (a test failed) or survived (no test noticed). Each mutation runs
// in a copy of the project's tracked files in a temp folder (node_modules linked, the component
// package the copy's own, built from the copy's sources), so the checkout
// is never changed, even if the probe is interrupted. Not part of `npm test`; run it after changing
// these settings or their tests:
//
//   npm run mutation-probe                 (the tests unmutated, then the targeted tests of each mutation: under a minute)
//   npm run mutation-probe -- --all        (the whole mocha suite for each mutation: slower)
//   npm run mutation-probe -- --only kms-deletion-window
//
// Exit code: 0 every mutation killed, 1 a mutation survived, 2 a mutation no longer applies (its
// source text changed: update it here).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command } from "commander";
import { shareModules } from "../plan/worktree";

const ROOT = path.resolve(__dirname, "..");

interface Mutation {
    readonly id: string;
    readonly file: string;
    /** The exact source text to change; it must occur exactly once in `file`. */
    readonly from: string;
    readonly to: string;
    /** The test files that should fail. */
    readonly tests: readonly string[];
}

const COMMON = "test/layers/common/deploy.test.ts";
const SERVICE = "test/layers/service/deploy.test.ts";
const PROTECTION = "test/plan/protection.test.ts";

export const MUTATIONS: readonly Mutation[] = [
    {
        id: "cluster-ignore-changes",
        file: "components/cluster/cluster.ts",
        from: '...(scheduled ? { ignoreChanges: ["scalingConfig.desiredSize"] } : {}),',
        to: "",
        tests: [COMMON],
    },
    {
        id: "server-side-apply",
        file: "layers/providers.ts",
        from: ", enableServerSideApply: true }",
        to: " }",
        tests: [COMMON, SERVICE],
    },
    {
        id: "service-account-token-automount",
        file: "components/service/service.ts",
        from: "automountServiceAccountToken: false }",
        to: "automountServiceAccountToken: true }",
        tests: [SERVICE, "test/components/service/workload.test.ts"],
    },
    {
        id: "pod-token-automount",
        file: "components/service/workload.ts",
        from: "automountServiceAccountToken: false,",
        to: "automountServiceAccountToken: true,",
        tests: [SERVICE, "test/components/service/workload.test.ts"],
    },
    {
        id: "kms-deletion-window",
        file: "components/kms/key.ts",
        from: "deletionWindowInDays: 30,",
        to: "deletionWindowInDays: 7,",
        tests: [COMMON, "test/components/network/network.test.ts"],
    },
    {
        id: "node-group-max-unavailable",
        file: "components/cluster/cluster.ts",
        from: "updateConfig: { maxUnavailable: 1 },",
        to: "updateConfig: { maxUnavailable: 2 },",
        tests: [COMMON],
    },
    {
        id: "addon-conflicts-on-update",
        file: "components/cluster/cluster.ts",
        from: 'resolveConflictsOnUpdate: "OVERWRITE",',
        to: 'resolveConflictsOnUpdate: "PRESERVE",',
        tests: [COMMON],
    },
    {
        id: "addon-conflicts-on-create",
        file: "components/cluster/cluster.ts",
        from: 'resolveConflictsOnCreate: "OVERWRITE",',
        to: 'resolveConflictsOnCreate: "NONE",',
        tests: [COMMON],
    },
    {
        id: "nat-address-protect",
        file: "components/network/network.ts",
        from: "{ ...afterIgw, protect: true },",
        to: "{ ...afterIgw },",
        tests: [PROTECTION],
    },
    {
        id: "kms-key-protect",
        file: "components/kms/key.ts",
        from: "{ ...opts, protect: true },",
        to: "{ ...opts },",
        tests: [PROTECTION],
    },
    {
        id: "mesh-root-namespace-protect",
        file: "components/mesh/istio.ts",
        from: "systemNs: namespace(ISTIO_NAMESPACE, true),",
        to: "systemNs: namespace(ISTIO_NAMESPACE, false),",
        tests: [PROTECTION],
    },
    {
        id: "ca-key-outlives-certificate",
        file: "components/certificates/cert-manager.ts",
        from: '[DELETION_PROPAGATION]: "orphan"',
        to: '[DELETION_PROPAGATION]: "background"',
        tests: [PROTECTION],
    },
];

type Outcome = "killed" | "survived" | "does not apply";

/** A copy of the tracked files of the checkout (with uncommitted edits), without node_modules (`withModules` links them). */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-mutation-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: ROOT,
        encoding: "utf8",
    })
        .split("\0")
        .filter(Boolean);
    for (const file of files) {
        const source = path.join(ROOT, file);
        if (!fs.existsSync(source) || !fs.lstatSync(source).isFile()) {
            continue; // deleted in the working tree, or a link such as a node_modules of a copy
        }
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(source, path.join(dir, file));
    }
    // The layers import the component package by its name: the copy's own, built from its (mutated)
    // sources, starting from the checkout's build so only what a mutation touches is compiled again.
    fs.cpSync(path.join(ROOT, "components", "bin"), path.join(dir, "components", "bin"), { recursive: true });
    return dir;
}

function runTests(dir: string, tests: readonly string[] | "all"): { ok: boolean; failing: string } {
    const mocha = path.join(dir, "node_modules", ".bin", "mocha");
    const args =
        tests === "all"
            ? ["--reporter", "dot"]
            : [
                  "--no-config",
                  "-r",
                  "ts-node/register/transpile-only",
                  "-r",
                  "test/helpers/setup.ts",
                  "-r",
                  "test/helpers/fixture-stacks.ts",
                  "--extension",
                  "ts",
                  "--timeout",
                  "60000",
                  "--reporter",
                  "dot",
                  ...tests,
              ];
    const run = spawnSync(mocha, args, { cwd: dir, encoding: "utf8" });
    const failing = /(\d+) failing/.exec(run.stdout)?.[1] ?? (run.status === 0 ? "0" : "?");
    return { ok: run.status === 0, failing };
}

/** The tests without any mutation: they must pass, or a "killed" would prove nothing. */
function baseline(tests: readonly string[] | "all"): boolean {
    const dir = projectCopy();
    try {
        shareModules(ROOT, dir);
        return runTests(dir, tests).ok;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function probe(mutation: Mutation, all: boolean): { outcome: Outcome; detail: string } {
    const dir = projectCopy();
    try {
        const file = path.join(dir, mutation.file);
        const text = fs.readFileSync(file, "utf8");
        const count = text.split(mutation.from).length - 1;
        if (count !== 1) {
            return {
                outcome: "does not apply",
                detail: `${mutation.file} has ${count} occurrences of ${JSON.stringify(mutation.from)} (expected 1)`,
            };
        }
        fs.writeFileSync(file, text.replace(mutation.from, mutation.to));
        shareModules(ROOT, dir);
        const { ok, failing } = runTests(dir, all ? "all" : mutation.tests);
        return ok
            ? { outcome: "survived", detail: "every test passed" }
            : { outcome: "killed", detail: `${failing} test(s) failed` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    const program = new Command("mutation-probe")
        .description(
            "Applies each mutation in a copy of the project and reports whether a test fails (killed) or not (survived).",
        )
        .option("--all", "run the whole mocha suite for each mutation instead of its targeted tests")
        .option("--only <id...>", `only these mutations: ${MUTATIONS.map((m) => m.id).join(", ")}`)
        .parse();
    const opts = program.opts<{ all?: boolean; only?: string[] }>();
    const unknown = (opts.only ?? []).filter((id) => !MUTATIONS.some((m) => m.id === id));
    if (unknown.length > 0) {
        console.error(`unknown mutation ${unknown.join(", ")}; known: ${MUTATIONS.map((m) => m.id).join(", ")}`);
        process.exit(64);
    }
    const chosen = MUTATIONS.filter((m) => !opts.only || opts.only.includes(m.id));
    const targeted = opts.all ? "all" : [...new Set(chosen.flatMap((m) => m.tests))];
    if (!baseline(targeted)) {
        console.error(
            `the tests fail without any mutation (${targeted === "all" ? "the whole suite" : targeted.join(", ")}): fix them first`,
        );
        process.exit(1);
    }
    const outcomes: Outcome[] = [];
    console.log("| mutation | file | change | tests | result |\n|---|---|---|---|---|");
    for (const m of chosen) {
        const { outcome, detail } = probe(m, opts.all ?? false);
        outcomes.push(outcome);
        const tests = opts.all ? "all" : m.tests.join(", ");
        console.log(
            `| ${m.id} | ${m.file} | \`${m.from}\` -> \`${m.to || "(removed)"}\` | ${tests} | **${outcome}** (${detail}) |`,
        );
    }
    const killed = outcomes.filter((o) => o === "killed").length;
    console.log(`\n${killed} of ${outcomes.length} mutations killed`);
    process.exit(outcomes.includes("does not apply") ? 2 : outcomes.includes("survived") ? 1 : 0);
}

if (require.main === module) {
    main();
}
