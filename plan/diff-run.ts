// What `npm run plan -- --env <env> --diff <ref>` does once both trees are planned: compares them
// stack by stack and in the access matrix (plan/diff.ts), prints the report, warns about an
// --allow-replace that acknowledges nothing, and writes the JSON and Markdown files asked for.
import * as fs from "fs";
import * as path from "path";
import { BasePlan, BaseTree } from "./base-tree";
import { AccessRequest, PlannedResource, diffAccess, diffStack, names, plannedResource } from "./diff";
import { DiffReport, diffReport, reportMarkdown, reportText } from "./diff-report";
import { StackPlan } from "./plan";
import { layerOfStackName, layerRank } from "../layers/layering";

/** The diff of environment `env` from the ref's plan to this tree's, stacks in deploy order. */
export function diffOfTrees(
    env: string,
    base: Pick<BaseTree, "ref" | "commit">,
    basePlan: BasePlan,
    plans: readonly StackPlan[],
    access: readonly AccessRequest[],
    allowReplace: readonly string[],
): DiffReport {
    const head = new Map<string, PlannedResource[]>(
        plans.map((p) => [p.config.stack, p.evaluation.resources.map(plannedResource)]),
    );
    const stacks = [...new Set([...basePlan.stacks.keys(), ...head.keys()])].sort(
        (a, b) => layerRank(layerOfStackName(a)) - layerRank(layerOfStackName(b)) || (a < b ? -1 : 1),
    );
    const allowed = new Set(allowReplace);
    return diffReport(
        env,
        { ref: base.ref, commit: base.commit },
        stacks.map((s) => diffStack(s, basePlan.stacks.get(s), head.get(s), allowed)),
        diffAccess(basePlan.access, access),
    );
}

/** Prints the report, warns about each --allow-replace that names nothing risky, and writes the files asked for. */
export function writeDiff(
    report: DiffReport,
    options: { readonly allowReplace: readonly string[]; readonly json?: string; readonly markdown?: string },
): void {
    console.log(reportText(report));
    const risky = report.stacks.flatMap((s) => s.changes.filter((c) => c.risk !== undefined));
    for (const allowance of options.allowReplace.filter((a) => !risky.some((c) => names(a, c)))) {
        console.error(
            `warning: --allow-replace ${allowance} acknowledges nothing in this diff: no replacement or deletion of a protected or stateful resource has that URN or type`,
        );
    }
    for (const [file, text] of [
        [options.json, `${JSON.stringify(report, null, 2)}\n`],
        [options.markdown, reportMarkdown(report)],
    ] as const) {
        if (file !== undefined) {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
            const relative = path.relative(process.cwd(), file);
            console.log(`  wrote ${relative.startsWith("..") || relative === "" ? file : relative}`);
        }
    }
}
