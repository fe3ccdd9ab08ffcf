import * as assert from "assert";
import * as fs from "fs";
import { ALL_KEYS } from "../../layers/config";
import { StackDiff } from "../../plan/diff";
import {
    KEY_CHANGES,
    KEY_EFFECTS_DOC,
    KEY_EFFECTS_SECTION,
    KEY_NOTES,
    REPLACE_RULES_SECTION,
    keyEffectsMarkdown,
    replaceRulesMarkdown,
    stackEffect,
    verdict,
} from "../../scripts/key-effects";

/** The text of a section of docs/living-with-an-environment.md. */
function section(name: string): string {
    const text = fs.readFileSync(KEY_EFFECTS_DOC, "utf8");
    const begin = `<!-- begin ${name} -->\n`;
    const i = text.indexOf(begin);
    const j = text.indexOf(`<!-- end ${name} -->`);
    assert.ok(i >= 0 && j > i, `the page has the section ${name}`);
    return text.slice(i + begin.length, j).trimEnd();
}

const change = (op: "create" | "update" | "replace" | "delete", type: string, stateful = false) => ({
    op,
    urn: `urn:pulumi:dev::platform::${type}::x`,
    type,
    name: "x",
    inputs: [],
    reasons: [],
    ...(stateful ? { risk: { protection: [], stateful: "data", acknowledged: false } } : {}),
});

describe("what a change of each config key does (scripts/key-effects.ts, docs/living-with-an-environment.md)", () => {
    it("tries a change of every config key, or says why not", () => {
        const covered = new Set([...KEY_CHANGES.map((c) => c.key), ...KEY_NOTES.map((n) => n.key)]);
        assert.deepStrictEqual(
            ALL_KEYS.map((k) => k.key).filter((k) => !covered.has(k)),
            [],
            "keys with neither a change in KEY_CHANGES nor a note in KEY_NOTES",
        );
        const unknown = [...covered].filter((k) => !ALL_KEYS.some((s) => s.key === k));
        assert.deepStrictEqual(unknown, []);
    });

    it("the page shows a row for every change tried and every note (regenerate: npm run key-effects -- --update-docs)", () => {
        const text = section(KEY_EFFECTS_SECTION);
        const rows = text.split("\n").filter((l) => l.startsWith("| `"));
        assert.deepStrictEqual(
            rows.map((r) => r.split(" | ").slice(0, 3).join(" | ")),
            KEY_CHANGES.map(
                (c) => `| \`${c.key}\` | ${ALL_KEYS.find((k) => k.key === c.key)!.layers.join(", ")} | ${c.change}`,
            ),
        );
        for (const n of KEY_NOTES) {
            assert.ok(text.includes(`- \`${n.key}\`: ${n.note}`), n.key);
        }
    });

    it("the page's replace rules are plan/replacement.ts's, with their sources", () => {
        assert.strictEqual(section(REPLACE_RULES_SECTION), replaceRulesMarkdown());
        assert.match(
            replaceRulesMarkdown(),
            /^\| `aws:ec2\/vpc:Vpc` \| `cidrBlock`, .* \| hashicorp\/terraform-provider-aws internal\/service\/ec2\/vpc_\.go \(ForceNew\) \| every subnet/m,
        );
    });

    it("says per stack what is replaced, deleted, created and updated, and the strongest of them", () => {
        const d: StackDiff = {
            stack: "dev",
            status: "changed",
            changes: [
                change("replace", "aws:ec2/vpc:Vpc", true),
                change("replace", "aws:ec2/subnet:Subnet", true),
                change("replace", "aws:ec2/subnet:Subnet", true),
                change("update", "aws:route53/zone:Zone"),
            ],
            unchanged: 3,
        };
        assert.strictEqual(stackEffect(d), "replaces Vpc, Subnet ×2; updates Zone");
        assert.strictEqual(verdict([d]), "**replace** (stateful)");
        assert.strictEqual(verdict([{ ...d, changes: [change("update", "aws:route53/zone:Zone")] }]), "in place");
        assert.strictEqual(verdict([{ ...d, changes: [change("create", "aws:ec2/eip:Eip")] }]), "create");
        assert.strictEqual(verdict([]), "no change");
        assert.match(
            keyEffectsMarkdown(
                [
                    {
                        key: "k",
                        layer: "global",
                        change: "a | b",
                        verdict: "in place",
                        effects: "dev (global): updates Zone",
                    },
                ],
                [],
            ),
            /^\| `k` \| global \| a \\\| b \| in place \| dev \(global\): updates Zone \|$/m,
        );
    });
});
