// How `npm run plan -- --env <env> --diff <ref>` shows its result: text for the terminal,
// Markdown for a pull-request comment and JSON for other tools (the pull-request workflow reads
// `changedStacks`; an upgrade test can read the rest). The verdicts themselves are plan/diff.ts's.
import { EdgeChange, ResourceChange, StackDiff, unacknowledged } from "./diff";
import { layerOfStackName } from "../layers/layering";

/** The whole result of a diff of one environment: what the JSON file holds. */
export interface DiffReport {
    readonly env: string;
    /** The ref given and the commit it named. */
    readonly base: { readonly ref: string; readonly commit: string };
    /** Every stack of the environment in either tree, in deploy order. */
    readonly stacks: StackDiff[];
    readonly access: EdgeChange[];
    /** Stacks with a file in the head tree whose plan changes: the ones a preview must run for. */
    readonly changedStacks: string[];
    /** Stacks whose file is gone: `pulumi destroy` of each is what deploying the change means. */
    readonly removedStacks: string[];
    /** Replacements and deletions that lose something and that no `--allow-replace` acknowledged. */
    readonly unacknowledged: number;
    /** What the offline diff cannot see. */
    readonly notes: string[];
}

/** What the offline diff cannot see, said with every report. */
export const DIFF_NOTES = [
    "AWS resources are planned under Pulumi's mocks: no AWS provider checked these inputs, and replacements are decided from the provider's replace-on-change properties (docs/living-with-an-environment.md).",
    "Values only known after apply (ids, ARNs, addresses) are fixed in the offline plan, so a change they carry shows only where they come from a replaced resource, marked (known after apply); a changed secret value is not seen (both sides read [secret]).",
    "A replacement in a lower layer changes outputs the stacks above read; those stacks show only their own changes.",
];

/** Builds the report of an environment's stack diffs and access changes. */
export function diffReport(
    env: string,
    base: { ref: string; commit: string },
    stacks: StackDiff[],
    access: EdgeChange[],
): DiffReport {
    return {
        env,
        base,
        stacks,
        access,
        changedStacks: stacks.filter((s) => s.status === "changed" || s.status === "added").map((s) => s.stack),
        removedStacks: stacks.filter((s) => s.status === "removed").map((s) => s.stack),
        unacknowledged: stacks.reduce((n, s) => n + unacknowledged(s).length, 0),
        notes: DIFF_NOTES,
    };
}

const SYMBOL: Record<ResourceChange["op"], string> = { create: "+ ", update: "~ ", replace: "+-", delete: "- " };

/** At most `n` items, then how many more. */
function some(items: readonly string[], n = 8, separator = ", "): string {
    return items.length <= n
        ? items.join(separator)
        : `${items.slice(0, n).join(separator)} and ${items.length - n} more`;
}

function counts(s: StackDiff): string {
    if (s.status === "unchanged") {
        return "no changes";
    }
    const n = (op: ResourceChange["op"]) => s.changes.filter((c) => c.op === op).length;
    const parts = [
        `${n("replace")} to replace`,
        `${n("delete")} to delete`,
        `${n("create")} to create`,
        `${n("update")} to update`,
        `${s.unchanged} unchanged`,
    ];
    const status = s.status === "added" ? " (new stack)" : s.status === "removed" ? " (stack file removed)" : "";
    return `${parts.join(", ")}${status}`;
}

/** The risk of a change as one line, and what acknowledges it. */
export function riskText(c: ResourceChange): string | undefined {
    if (!c.risk) {
        return undefined;
    }
    const why = [
        ...c.risk.protection.map((p) =>
            p === "protect"
                ? "protected (protect: the engine refuses it until the resource is unprotected)"
                : "retainOnDelete (the old one stays in the cloud, outside Pulumi)",
        ),
        ...(c.risk.stateful ? [`stateful: ${c.risk.stateful}`] : []),
    ];
    const ack = c.risk.acknowledged ? "acknowledged by --allow-replace" : `acknowledge with --allow-replace ${c.type}`;
    return `${why.join("; ")} [${ack}]`;
}

function edgeName(e: EdgeChange): string {
    return `${e.from} -> ${e.to}${e.issuer === undefined ? "" : ` (token of ${e.issuer})`}`;
}

function edgeLine(e: EdgeChange): string {
    const sign = e.change === "added" ? "+" : e.change === "removed" ? "-" : "~";
    const parts = [
        ...(e.allowedNow.length > 0 ? [`now allowed: ${some(e.allowedNow, 6)}`] : []),
        ...(e.refusedNow.length > 0 ? [`now refused: ${some(e.refusedNow, 6)}`] : []),
    ];
    return `${sign} ${edgeName(e)}: ${parts.join("; ")}`;
}

/** The report as terminal text. */
export function reportText(r: DiffReport): string {
    const lines = [`diff of environment ${r.env}: ${r.base.ref} (${r.base.commit.slice(0, 12)}) -> this tree`];
    for (const s of r.stacks) {
        lines.push(`${s.stack} (${layerOfStackName(s.stack)}): ${counts(s)}`);
        for (const c of s.changes) {
            const detail = c.op === "update" ? `: ${some(c.inputs)}` : "";
            lines.push(`  ${SYMBOL[c.op]} ${c.type} ${c.name}${detail}`);
            if (c.op === "replace") {
                lines.push(
                    `       because ${some(c.reasons, 4, "; ")}${c.deleteBeforeReplace ? " (deleted before it is created again)" : ""}`,
                );
            }
            const risk = riskText(c);
            if (risk) {
                lines.push(`       ${c.risk?.acknowledged ? "" : "RISK: "}${risk}`);
            }
        }
    }
    const n = (k: EdgeChange["change"]) => r.access.filter((e) => e.change === k).length;
    lines.push(`access matrix: ${n("added")} edge(s) added, ${n("removed")} removed, ${n("changed")} changed`);
    lines.push(...r.access.map((e) => `  ${edgeLine(e)}`));
    if (r.unacknowledged > 0) {
        lines.push(
            `${r.unacknowledged} replacement(s) or deletion(s) of protected or stateful resources not acknowledged: the plan exits 3; ` +
                "after checking each, run again with --allow-replace <urn or type> for each (repeat the option)",
        );
    }
    lines.push(...r.notes.map((n) => `note: ${n}`));
    return lines.join("\n");
}

/** A Markdown table cell: no line breaks, pipes escaped. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The report as Markdown (a pull-request comment). */
export function reportMarkdown(r: DiffReport): string {
    const lines = [
        `### Plan diff of \`${r.env}\`: \`${r.base.ref}\` (${r.base.commit.slice(0, 12)}) → this change`,
        "",
        "| stack | changes |",
        "|---|---|",
        ...r.stacks.map((s) => `| \`${s.stack}\` | ${cell(counts(s))} |`),
        "",
    ];
    const changed = r.stacks.filter((s) => s.changes.length > 0);
    if (changed.length > 0) {
        lines.push("| stack | op | resource | what | risk |", "|---|---|---|---|---|");
        for (const s of changed) {
            for (const c of s.changes) {
                const what = c.op === "replace" ? c.reasons : c.op === "update" ? c.inputs : [];
                const sep = c.op === "replace" ? "; " : ", ";
                lines.push(
                    `| \`${s.stack}\` | ${c.op} | \`${c.type}\` ${cell(c.name)} | ${cell(some(what, 6, sep))} | ${cell(riskText(c) ?? "")} |`,
                );
            }
        }
        lines.push("");
    }
    lines.push(
        r.access.length === 0
            ? "Access matrix: no edge changes."
            : ["Access matrix:", "", ...r.access.map((e) => `- \`${cell(edgeLine(e))}\``)].join("\n"),
        "",
    );
    if (r.unacknowledged > 0) {
        lines.push(
            `**${r.unacknowledged} replacement(s) or deletion(s) of protected or stateful resources are not acknowledged.** ` +
                "Check each; the plan passes with `--allow-replace <urn or type>` for each (docs/living-with-an-environment.md).",
            "",
        );
    }
    lines.push(...r.notes.map((n) => `> ${n}`));
    return `${lines.join("\n")}\n`;
}
