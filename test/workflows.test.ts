import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT } from "../plan/stack-config";
import { ALLOW_REPLACE_LABEL, COMMENT_LIMIT, diffComment } from "../scripts/diff-comment";
import { DIFF_NOTES, DiffReport } from "../plan/diff-report";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");

/** A workflow file, parsed. */
function workflow(file: string): any {
    return yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
}

/**
 * actionlint: `ACTIONLINT` (a binary), else `actionlint` on PATH, else the one
 * scripts/build-actionlint.sh builds into the cache; undefined when there is none.
 */
function actionlint(): string | undefined {
    const candidates = [
        process.env.ACTIONLINT,
        ...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "actionlint")),
        path.join(
            process.env.PLATFORM_CI_CACHE ?? path.join(os.homedir(), ".cache", "platform-ci"),
            "actionlint",
            "actionlint",
        ),
    ];
    return candidates.find((c): c is string => c !== undefined && c !== "" && fs.existsSync(c));
}

describe("the GitHub workflows (.github/workflows)", () => {
    it("pass actionlint (when it is here; CI builds it: scripts/build-actionlint.sh)", function () {
        const bin = actionlint();
        if (bin === undefined) {
            if (process.env.PLATFORM_REQUIRE_ACTIONLINT === "1") {
                assert.fail(
                    "actionlint is required (PLATFORM_REQUIRE_ACTIONLINT=1) but not found: run scripts/build-actionlint.sh",
                );
            }
            console.log(
                "      skipped: actionlint is not here (scripts/build-actionlint.sh builds it from the Go module proxy)",
            );
            this.skip();
        }
        try {
            execFileSync(bin, ["-no-color"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        } catch (err) {
            const e = err as { stdout?: string; stderr?: string };
            assert.fail(`actionlint found problems:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
        }
    });

    it("pull requests: the preview runs for every stack the plan diff says changes, and only there", () => {
        const pr = workflow("pull-request.yml");
        const diff = pr.jobs.diff;
        assert.deepStrictEqual(diff.permissions, { contents: "read" });
        const script = diff.steps.map((s: any) => String(s.run ?? "")).join("\n");
        assert.match(script, /stacks\.sh envs-with "\$BASE_SHA"/);
        assert.match(script, /npm run --silent plan -- --env "\$env" --diff "\$BASE_SHA"/);
        assert.match(script, /--json "out\/diff\/\$env\.json"/);
        assert.match(script, /stacks\.sh changed "\$\{reports\[@\]\}"/);
        assert.strictEqual(diff.outputs.stacks, "${{ steps.stacks.outputs.stacks }}");
        const preview = pr.jobs.preview;
        assert.deepStrictEqual(preview.needs, ["test", "diff"]);
        assert.strictEqual(preview.strategy.matrix.env, "${{ fromJSON(needs.diff.outputs.envs) }}");
        const step = preview.steps.find((s: any) => String(s.run ?? "").includes("env -- preview"));
        assert.strictEqual(step.env.STACKS, "${{ needs.diff.outputs.stacks }}");
        assert.match(step.run, /"\$\{narrow\[@\]\}"/);
        assert.strictEqual(pr.jobs.touched, undefined);
        // The label re-runs the check: it acknowledges the risky replacements.
        assert.ok(pr.on.pull_request.types.includes("labeled"));
        assert.match(script, new RegExp(`if \\[ "\\$rc" -eq 3 \\] && \\[ "\\$ALLOWED" = true \\]`));
        assert.match(diff.steps.find((s: any) => s.id === "diff").env.ALLOWED, new RegExp(`'${ALLOW_REPLACE_LABEL}'`));
    });

    it("the diff comment is posted by a workflow_run job that runs none of the pull request's code", () => {
        const comment = workflow("pull-request-comment.yml");
        assert.deepStrictEqual(comment.on, { workflow_run: { workflows: ["pull-request"], types: ["completed"] } });
        assert.deepStrictEqual(comment.permissions, {});
        const job = comment.jobs.comment;
        assert.deepStrictEqual(job.permissions, { actions: "read", "pull-requests": "write" });
        const uses = job.steps.map((s: any) => String(s.uses ?? ""));
        assert.ok(!uses.some((u: string) => u.startsWith("actions/checkout")), "no checkout");
        assert.ok(!job.steps.some((s: any) => /npm|node|ts-node/.test(String(s.run ?? ""))), "runs no project code");
        const check = job.steps.find((s: any) => s.id === "pr").run as string;
        assert.match(check, /\^\[0-9\]\+\$/);
        assert.match(check, /head\.sha/);
        // The untrusted job leaves exactly what this one reads.
        const upload = workflow("pull-request.yml").jobs.diff.steps.find(
            (s: any) => s.uses === "actions/upload-artifact@v4",
        );
        assert.strictEqual(upload.with.name, "plan-diff");
        assert.match(upload.with.path, /out\/comment\//);
    });

    it("the comment joins every environment's diff, says where previews run and what acknowledges a risk, and fits GitHub", () => {
        const report = (env: string, unacknowledged: number): DiffReport => ({
            env,
            base: { ref: "abc", commit: "0123456789abcdef" },
            stacks: [{ stack: env, status: "unchanged", changes: [], unchanged: 3 }],
            access: [],
            changedStacks: unacknowledged > 0 ? [env] : [],
            removedStacks: [],
            unacknowledged,
            notes: DIFF_NOTES,
        });
        const text = diffComment([report("dev", 2), report("prod", 0)]);
        assert.match(
            text,
            /^## What this change does to each stack \(offline plan diff\)\n\nPreviews run for: dev\.\n/,
        );
        assert.match(
            text,
            /\*\*2 replacement\(s\) or deletion\(s\) of protected or stateful resources\.\*\* The check fails until a maintainer, having checked each, adds the label `allow-replace`\./,
        );
        assert.match(text, /^### Plan diff of `dev`/m);
        assert.match(text, /^### Plan diff of `prod`/m);
        assert.match(diffComment([report("dev", 0)]), /Previews run for: no stack \(no plan changes\)\./);
        const cut = diffComment([report("dev", 0)], 300);
        assert.strictEqual(cut.length, 300);
        assert.match(cut, /the whole diff is in the run's `plan-diff` artifact\)\n$/);
        assert.ok(COMMENT_LIMIT < 65536);
    });
});
