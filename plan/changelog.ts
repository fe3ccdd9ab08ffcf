// CHANGELOG.md as data: its releases (version, date, tag, commit) and the machine-readable list of
// its Unreleased section, which says what each stack of the reference environment sees when an
// environment deployed from the previous release is updated to this tree. The release-upgrade test
// (test/integration/release-upgrade.test.ts) deploys the previous release and compares the engine's
// preview at this tree with that list (plan/upgrade.ts). docs/releasing.md says how both are kept.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ROOT } from "./root";

/** The changelog of the repository. */
export const CHANGELOG_FILE = path.join(ROOT, "CHANGELOG.md");

/** The info string of the fenced block that holds the Unreleased section's list: ```json upgrade */
export const UPGRADE_BLOCK = "json upgrade";

/** What `pulumi up` does to one resource, as the list declares it. */
export const OPERATIONS = ["create", "update", "replace", "delete"] as const;
export type UpgradeOperation = (typeof OPERATIONS)[number];

/** A semantic version as the changelog's headings and tags write it (tags with a leading `v`). */
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$/;

/** How an entry names its resource: its full URN, or its type and name when these name one resource of the stack. */
const resourceName = {
    urn: z.string().startsWith("urn:pulumi:").optional(),
    type: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
};

/** Refuses an entry that names its resource both ways or neither. */
function namedOnce(ctx: z.core.ParsePayload<{ urn?: string; type?: string; name?: string }>): void {
    const { urn, type, name } = ctx.value;
    if ((urn === undefined) === (type === undefined || name === undefined)) {
        ctx.issues.push({ code: "custom", message: "give either urn, or type and name (not both)", input: ctx.value });
    }
}

const change = z
    .strictObject({
        op: z.enum(OPERATIONS),
        ...resourceName,
        /** update and replace: the input paths that change, as the engine's detailed diff names them. */
        inputs: z.array(z.string().min(1)).optional(),
        /** What the change is, for the reader (not compared). */
        why: z.string().optional(),
    })
    .check(namedOnce)
    .check((ctx) => {
        const { op, inputs } = ctx.value;
        if ((op === "update" || op === "replace") && (inputs === undefined || inputs.length === 0)) {
            ctx.issues.push({
                code: "custom",
                message: `an ${op} lists the inputs that change (inputs: ["values.x", ...])`,
                input: ctx.value,
            });
        }
        if ((op === "create" || op === "delete") && inputs !== undefined) {
            ctx.issues.push({ code: "custom", message: `a ${op} lists no inputs`, input: ctx.value });
        }
    });

/**
 * A resource whose protection changes: `protect` and `retainOnDelete` as they are after the update
 * (only the ones that change). Not an engine step: `pulumi preview` shows it as no change, and
 * `pulumi up` records it in the state (`pulumi stack export`), where it decides what a destroy may do.
 */
const protection = z
    .strictObject({
        ...resourceName,
        protect: z.boolean().optional(),
        retainOnDelete: z.boolean().optional(),
        why: z.string().optional(),
    })
    .check(namedOnce)
    .check((ctx) => {
        if (ctx.value.protect === undefined && ctx.value.retainOnDelete === undefined) {
            ctx.issues.push({
                code: "custom",
                message: "give the new protect or retainOnDelete (or both)",
                input: ctx.value,
            });
        }
    });

/** A stack's outputs that appear, disappear or take another value. */
const outputs = z.strictObject({
    added: z.array(z.string().min(1)).optional(),
    removed: z.array(z.string().min(1)).optional(),
    changed: z.array(z.string().min(1)).optional(),
});

const upgradeList = z
    .strictObject({
        /** The release the list is relative to: the changelog's latest release, as its tag (`v0.1.0`). */
        from: z.string().regex(/^v/, "a release tag, e.g. v0.1.0"),
        /** Per stack of the reference environment, every resource that changes ([] for none). */
        stacks: z.record(z.string().min(1), z.array(change)),
        /** Per stack, every resource whose protect or retainOnDelete changes (a stack left out: none). */
        protection: z.record(z.string().min(1), z.array(protection)).default({}),
        /** Per stack, the outputs added, removed or changed (a stack left out: none). */
        outputs: z.record(z.string().min(1), outputs).default({}),
    })
    .check((ctx) => {
        for (const section of ["protection", "outputs"] as const) {
            for (const stack of Object.keys(ctx.value[section])) {
                if (!(stack in ctx.value.stacks)) {
                    ctx.issues.push({
                        code: "custom",
                        message: `${section} names stack "${stack}", which "stacks" does not list`,
                        input: ctx.value,
                        path: [section, stack],
                    });
                }
            }
        }
    });

/** One declared change. */
export type DeclaredChange = z.infer<typeof change>;
/** One declared change of protection. */
export type DeclaredProtection = z.infer<typeof protection>;
/** One stack's declared changes of outputs. */
export type DeclaredOutputs = z.infer<typeof outputs>;
/** The Unreleased section's list. */
export type UpgradeList = z.infer<typeof upgradeList>;

/** A released version, as its heading and the line below it record it. */
export interface Release {
    readonly version: string;
    /** Its git tag: `v<version>`. */
    readonly tag: string;
    readonly date: string;
    /**
     * The full commit the tag points at, recorded in the entry (tags may not reach every clone);
     * undefined between the release commit and the commit that records it (docs/releasing.md).
     */
    readonly commit: string | undefined;
}

/** What CHANGELOG.md holds. */
export interface Changelog {
    /** Newest first. */
    readonly releases: readonly Release[];
    /** The Unreleased section's list; undefined when the section has none (right after a release). */
    readonly unreleased: UpgradeList | undefined;
}

/** CHANGELOG.md cannot be read as the release process writes it; the message names the file, the line and what is expected. */
export class ChangelogError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ChangelogError";
    }
}

/** `## Unreleased` or `## 1.2.3 - 2026-11-26` */
const HEADING = /^## (.*)$/;
const RELEASE_HEADING = /^(\S+) - ([0-9]{4}-[0-9]{2}-[0-9]{2})$/;
const RELEASE_LINE = /^Tag `(v\S+)`(?:, commit `([0-9a-f]{40})`)?\.$/;

interface Section {
    readonly title: string;
    /** 1-based line of the heading. */
    readonly line: number;
    readonly body: string[];
}

function sections(text: string): Section[] {
    const out: { title: string; line: number; body: string[] }[] = [];
    let fenced = false;
    text.split("\n").forEach((line, i) => {
        if (line.startsWith("```")) {
            fenced = !fenced;
        }
        const m = fenced ? null : HEADING.exec(line);
        if (m) {
            out.push({ title: m[1].trim(), line: i + 1, body: [] });
        } else {
            out.at(-1)?.body.push(line);
        }
    });
    return out;
}

function release(section: Section, file: string): Release {
    const where = `${file}:${section.line}`;
    const heading = RELEASE_HEADING.exec(section.title);
    if (!heading || !SEMVER.test(heading[1])) {
        throw new ChangelogError(
            `${where}: heading "## ${section.title}" is neither "## Unreleased" nor a release "## <major>.<minor>.<patch> - <YYYY-MM-DD>"`,
        );
    }
    const [, version, date] = heading;
    const line = section.body.map((l) => RELEASE_LINE.exec(l.trim())).find((m) => m !== null);
    if (!line) {
        throw new ChangelogError(
            `${where}: release ${version} has no line "Tag \`v${version}\`, commit \`<40 hex digits>\`." (or "Tag \`v${version}\`." until the commit is recorded; docs/releasing.md)`,
        );
    }
    if (line[1] !== `v${version}`) {
        throw new ChangelogError(`${where}: release ${version} names tag ${line[1]}; its tag is v${version}`);
    }
    return { version, tag: line[1], date, commit: line[2] };
}

/** The fenced ```json upgrade block of a section, parsed and checked; undefined when there is none. */
function upgradeBlock(section: Section, file: string): UpgradeList | undefined {
    const start = section.body.findIndex((l) => l.trim() === "```" + UPGRADE_BLOCK);
    if (start < 0) {
        return undefined;
    }
    const end = section.body.findIndex((l, i) => i > start && l.trim() === "```");
    const line = section.line + start + 1;
    if (end < 0) {
        throw new ChangelogError(`${file}:${line}: the \`\`\`${UPGRADE_BLOCK} block is not closed`);
    }
    let value: unknown;
    try {
        value = JSON.parse(section.body.slice(start + 1, end).join("\n"));
    } catch (err) {
        throw new ChangelogError(
            `${file}:${line}: the \`\`\`${UPGRADE_BLOCK} block is not valid JSON: ${(err as Error).message}`,
        );
    }
    const parsed = upgradeList.safeParse(value);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(the block)"}: ${i.message}`);
        throw new ChangelogError(
            `${file}:${line}: the \`\`\`${UPGRADE_BLOCK} block of Unreleased is not a valid list (docs/releasing.md, "The declared changes"):\n${problems.join("\n")}`,
        );
    }
    return parsed.data;
}

/** Reads a changelog's text: `## Unreleased` first (optional), then releases newest first. */
export function parseChangelog(text: string, file = "CHANGELOG.md"): Changelog {
    const all = sections(text);
    const unreleasedSections = all.filter((s) => s.title === "Unreleased");
    if (unreleasedSections.length > 1 || (unreleasedSections.length === 1 && all[0] !== unreleasedSections[0])) {
        throw new ChangelogError(`${file}: "## Unreleased" must come once, before every release`);
    }
    const releases = all.filter((s) => s.title !== "Unreleased").map((s) => release(s, file));
    for (let i = 1; i < releases.length; i++) {
        if (compareVersions(releases[i - 1].version, releases[i].version) <= 0) {
            throw new ChangelogError(
                `${file}: releases must be newest first: ${releases[i - 1].version} comes before ${releases[i].version}`,
            );
        }
    }
    const unreleased = unreleasedSections.length === 1 ? upgradeBlock(unreleasedSections[0], file) : undefined;
    if (unreleased !== undefined && releases.length > 0 && unreleased.from !== releases[0].tag) {
        throw new ChangelogError(
            `${file}: the Unreleased list is "from": "${unreleased.from}", but the latest release is ${releases[0].tag}`,
        );
    }
    return { releases, unreleased };
}

/** Reads CHANGELOG.md (or `file`). */
export function readChangelog(file = CHANGELOG_FILE): Changelog {
    return parseChangelog(fs.readFileSync(file, "utf8"), path.relative(process.cwd(), file) || file);
}

/** Orders two semantic versions (pre-releases before their release, compared as text). */
export function compareVersions(a: string, b: string): number {
    const parts = (v: string) => {
        const m = SEMVER.exec(v);
        if (!m) {
            throw new ChangelogError(`${v} is not a semantic version <major>.<minor>.<patch>`);
        }
        return { numbers: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] };
    };
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i++) {
        if (x.numbers[i] !== y.numbers[i]) {
            return x.numbers[i] - y.numbers[i];
        }
    }
    if (x.pre === y.pre) {
        return 0;
    }
    if (x.pre === undefined || y.pre === undefined) {
        return x.pre === undefined ? 1 : -1;
    }
    return x.pre < y.pre ? -1 : 1;
}
