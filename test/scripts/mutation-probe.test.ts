import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MUTATIONS } from "../../scripts/mutation-probe";

const ROOT = path.join(__dirname, "..", "..");

describe("the mutation probe's mutations (scripts/mutation-probe.ts) still apply", () => {
    it("each one's source text occurs exactly once in its file, and its tests exist", () => {
        const stale = MUTATIONS.flatMap((m) => {
            const count = fs.readFileSync(path.join(ROOT, m.file), "utf8").split(m.from).length - 1;
            const missing = m.tests.filter((t) => !fs.existsSync(path.join(ROOT, t)));
            return [
                ...(count === 1 ? [] : [`${m.id}: ${m.file} has ${count} occurrences of ${JSON.stringify(m.from)}`]),
                ...missing.map((t) => `${m.id}: no test file ${t}`),
            ];
        });
        assert.deepStrictEqual(stale, []);
        assert.deepStrictEqual(
            MUTATIONS.map((m) => m.id),
            [
                "cluster-ignore-changes",
                "server-side-apply",
                "service-account-token-automount",
                "pod-token-automount",
                "kms-deletion-window",
                "node-group-max-unavailable",
                "addon-conflicts-on-update",
                "addon-conflicts-on-create",
                "nat-address-protect",
                "kms-key-protect",
                "mesh-root-namespace-protect",
                "ca-key-outlives-certificate",
            ],
        );
    });
});
