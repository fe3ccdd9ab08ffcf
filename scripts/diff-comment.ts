// The pull-request comment of a change's plan diffs (.github/workflows/pull-request.yml writes it,
// pull-request-comment.yml posts it): the Markdown of each environment's diff report, as
// `npm run plan -- --env <env> --diff <base> --json <file>` wrote them, in one comment cut to what
// GitHub accepts.
//
//   diff-comment <diff.json>...     the comment's Markdown, on stdout
import * as fs from "fs";
import { DiffReport, reportMarkdown } from "../plan/diff-report";

/** The longest comment body written: GitHub refuses one over 65,536 characters. */
export const COMMENT_LIMIT = 60000;

/** The label a maintainer puts on a pull request to acknowledge its risky replacements and deletions. */
export const ALLOW_REPLACE_LABEL = "allow-replace";

/** The comment of the diff reports of a pull request's environments, at most `limit` characters. */
export function diffComment(reports: readonly DiffReport[], limit = COMMENT_LIMIT): string {
    const risky = reports.reduce((n, r) => n + r.unacknowledged, 0);
    const head = [
        "## What this change does to each stack (offline plan diff)",
        "",
        reports.length === 0
            ? "No environment has a stack file in either tree."
            : `Previews run for: ${reports.flatMap((r) => r.changedStacks).join(", ") || "no stack (no plan changes)"}.`,
        ...(risky > 0
            ? [
                  "",
                  `**${risky} replacement(s) or deletion(s) of protected or stateful resources.** The check fails until a maintainer, having checked each, adds the label \`${ALLOW_REPLACE_LABEL}\`.`,
              ]
            : []),
        "",
    ].join("\n");
    const body = `${head}${reports.map(reportMarkdown).join("\n")}`;
    const cut = "\n\n… (cut: the whole diff is in the run's `plan-diff` artifact)\n";
    return body.length <= limit ? body : `${body.slice(0, limit - cut.length)}${cut}`;
}

if (require.main === module) {
    const files = process.argv.slice(2);
    if (files.length === 0) {
        console.error("usage: diff-comment <diff.json>...");
        process.exit(2);
    }
    process.stdout.write(diffComment(files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as DiffReport)));
}
