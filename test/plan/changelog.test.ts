import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ChangelogError, compareVersions, parseChangelog, readChangelog } from "../../plan/changelog";
import { releaseCommit } from "../../plan/release-tree";
import { ROOT, stacksOfEnvironment } from "../../plan/stack-config";
import { ENGINE_STACKS } from "../../plan/upgrade";
import { FIXTURE_STACKS } from "../helpers/stacks";

const COMMIT = "b76e66462ac09e12870d9cdcd2410769ff9b5250";

/** A changelog with an Unreleased list (`list`, raw text of the block) and the given release sections. */
function changelog(
    list: string | undefined,
    releases: string[] = [`## 0.1.0 - 2026-12-07\n\nTag \`v0.1.0\`, commit \`${COMMIT}\`.\n`],
): string {
    const block = list === undefined ? "" : `\n\`\`\`json upgrade\n${list}\n\`\`\`\n`;
    return `# Changelog\n\nIntro.\n\n## Unreleased\n\nText.\n${block}\n${releases.join("\n")}`;
}

function refusal(text: string): string {
    try {
        parseChangelog(text);
    } catch (err) {
        assert.ok(err instanceof ChangelogError, String(err));
        return err.message;
    }
    assert.fail("the changelog was accepted");
}

describe("CHANGELOG.md", () => {
    const log = readChangelog();

    it("has the releases newest first, each with its tag, and the first release v0.1.0 at the commit users ran", () => {
        assert.ok(log.releases.length > 0);
        const first = log.releases.at(-1)!;
        assert.deepStrictEqual(first, { version: "0.1.0", tag: "v0.1.0", date: "2026-12-07", commit: COMMIT });
    });

    it("records for each release the commit its tag names, and that commit is in this clone's history", () => {
        for (const release of log.releases.filter((r) => r.commit !== undefined)) {
            assert.strictEqual(releaseCommit(release), release.commit, release.version);
        }
    });

    it("package.json and the component package carry the latest release's version", () => {
        const version = (file: string) =>
            (JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as { version: string }).version;
        assert.deepStrictEqual(
            [version("package.json"), version("components/package.json")],
            [log.releases[0].version, log.releases[0].version],
        );
    });

    it("has an Unreleased list from the latest release with an entry for every stack the upgrade is checked on", () => {
        assert.ok(log.unreleased, "no ```json upgrade block in Unreleased");
        assert.strictEqual(log.unreleased.from, log.releases[0].tag);
        const stacks = [...stacksOfEnvironment("dev", FIXTURE_STACKS), ...Object.values(ENGINE_STACKS)].sort();
        assert.deepStrictEqual(Object.keys(log.unreleased.stacks).sort(), stacks);
    });

    it("reads a list, with types and names or URNs", () => {
        const text = changelog(
            JSON.stringify({
                from: "v0.1.0",
                stacks: {
                    "dev-common": [
                        {
                            op: "update",
                            type: "kubernetes:helm.sh/v3:Release",
                            name: "istiod",
                            inputs: ["values.env.X"],
                        },
                        { op: "create", urn: "urn:pulumi:dev-common::platform::kubernetes:core/v1:Namespace::x" },
                    ],
                    dev: [],
                },
            }),
        );
        assert.deepStrictEqual(
            parseChangelog(text).unreleased?.stacks["dev-common"].map((c) => c.op),
            ["update", "create"],
        );
    });

    it("has no list right after a release (an Unreleased section without a block)", () => {
        assert.strictEqual(parseChangelog(changelog(undefined)).unreleased, undefined);
    });

    it("refuses a list that is not valid JSON, naming the file and line", () => {
        assert.match(
            refusal(changelog("{ from: v0.1.0 }")),
            /^CHANGELOG\.md:9: the ```json upgrade block is not valid JSON: /,
        );
    });

    it("refuses entries without what the test compares, naming each", () => {
        const message = refusal(
            changelog(
                JSON.stringify({
                    from: "v0.1.0",
                    stacks: {
                        dev: [
                            { op: "update", type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc" },
                            {
                                op: "delete",
                                urn: "urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::v",
                                type: "aws:ec2/vpc:Vpc",
                                name: "v",
                            },
                            { op: "create", type: "aws:ec2/vpc:Vpc", name: "v", inputs: ["cidrBlock"] },
                            { op: "move", type: "aws:ec2/vpc:Vpc", name: "v" },
                        ],
                    },
                }),
            ),
        );
        assert.strictEqual(
            message,
            [
                'CHANGELOG.md:9: the ```json upgrade block of Unreleased is not a valid list (docs/releasing.md, "The declared changes"):',
                '  stacks.dev.0: an update lists the inputs that change (inputs: ["values.x", ...])',
                "  stacks.dev.1: give either urn, or type and name (not both)",
                "  stacks.dev.2: a create lists no inputs",
                '  stacks.dev.3.op: Invalid option: expected one of "create"|"update"|"replace"|"delete"',
            ].join("\n"),
        );
    });

    it("reads the protection and output sections, and takes their absence as no such changes", () => {
        const list = (extra: object) =>
            parseChangelog(changelog(JSON.stringify({ from: "v0.1.0", stacks: { dev: [] }, ...extra }))).unreleased!;
        assert.deepStrictEqual(
            list({
                protection: { dev: [{ type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc", protect: true }] },
                outputs: { dev: { added: ["production"] } },
            }),
            {
                from: "v0.1.0",
                stacks: { dev: [] },
                protection: { dev: [{ type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc", protect: true }] },
                outputs: { dev: { added: ["production"] } },
            },
        );
        assert.deepStrictEqual(list({}), { from: "v0.1.0", stacks: { dev: [] }, protection: {}, outputs: {} });
    });

    it("refuses protection entries without a new value or a name, output lists of another kind, and stacks the list does not have", () => {
        const message = refusal(
            changelog(
                JSON.stringify({
                    from: "v0.1.0",
                    stacks: { dev: [] },
                    protection: {
                        dev: [
                            { type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc" },
                            { name: "dev-global-vpc", protect: true },
                        ],
                        "dev-commmon": [],
                    },
                    outputs: { dev: { renamed: ["x"] } },
                }),
            ),
        );
        assert.strictEqual(
            message,
            [
                'CHANGELOG.md:9: the ```json upgrade block of Unreleased is not a valid list (docs/releasing.md, "The declared changes"):',
                "  protection.dev.0: give the new protect or retainOnDelete (or both)",
                "  protection.dev.1: give either urn, or type and name (not both)",
                '  outputs.dev: Unrecognized key: "renamed"',
            ].join("\n"),
        );
        assert.match(
            refusal(
                changelog(JSON.stringify({ from: "v0.1.0", stacks: { dev: [] }, protection: { "dev-commmon": [] } })),
            ),
            /\n {2}protection\.dev-commmon: protection names stack "dev-commmon", which "stacks" does not list$/,
        );
    });

    it("refuses a list from another release than the latest", () => {
        assert.strictEqual(
            refusal(changelog(JSON.stringify({ from: "v0.0.9", stacks: {} }))),
            'CHANGELOG.md: the Unreleased list is "from": "v0.0.9", but the latest release is v0.1.0',
        );
    });

    it("refuses a release heading without version and date, or without its tag line", () => {
        assert.strictEqual(
            refusal(changelog(undefined, ["## Version 0.2\n"])),
            'CHANGELOG.md:9: heading "## Version 0.2" is neither "## Unreleased" nor a release "## <major>.<minor>.<patch> - <YYYY-MM-DD>"',
        );
        assert.strictEqual(
            refusal(changelog(undefined, ["## 0.2.0 - 2027-01-10\n\nNo tag line.\n"])),
            'CHANGELOG.md:9: release 0.2.0 has no line "Tag `v0.2.0`, commit `<40 hex digits>`." (or "Tag `v0.2.0`." until the commit is recorded; docs/releasing.md)',
        );
        assert.strictEqual(
            refusal(changelog(undefined, ["## 0.2.0 - 2027-01-10\n\nTag `v0.3.0`.\n"])),
            "CHANGELOG.md:9: release 0.2.0 names tag v0.3.0; its tag is v0.2.0",
        );
    });

    it("takes a release whose commit is not recorded yet (between the release commit and the next)", () => {
        const text = changelog(undefined, [
            "## 0.2.0 - 2027-01-10\n\nTag `v0.2.0`.\n",
            `## 0.1.0 - 2026-12-07\n\nTag \`v0.1.0\`, commit \`${COMMIT}\`.\n`,
        ]);
        assert.deepStrictEqual(parseChangelog(text).releases[0], {
            version: "0.2.0",
            tag: "v0.2.0",
            date: "2027-01-10",
            commit: undefined,
        });
    });

    it("refuses releases out of order and an Unreleased section below a release", () => {
        assert.strictEqual(
            refusal(
                changelog(undefined, [
                    `## 0.1.0 - 2026-12-07\n\nTag \`v0.1.0\`, commit \`${COMMIT}\`.\n`,
                    "## 0.2.0 - 2027-01-10\n\nTag `v0.2.0`.\n",
                ]),
            ),
            "CHANGELOG.md: releases must be newest first: 0.1.0 comes before 0.2.0",
        );
        assert.strictEqual(
            refusal(`# Changelog\n\n## 0.1.0 - 2026-12-07\n\nTag \`v0.1.0\`, commit \`${COMMIT}\`.\n\n## Unreleased\n`),
            'CHANGELOG.md: "## Unreleased" must come once, before every release',
        );
    });

    it("orders versions as semantic versions", () => {
        assert.ok(compareVersions("0.10.0", "0.9.1") > 0);
        assert.ok(compareVersions("1.0.0-rc.1", "1.0.0") < 0);
        assert.strictEqual(compareVersions("0.1.0", "0.1.0"), 0);
    });
});
