// The harness gives the program exactly the config the real engine gives it. recorded.json holds
// what the real engine (pulumi 3.274) handed a capture program for each stack of the fixture
// project test/fixtures/engine-config; `npm run test:integration` captures it again and rewrites it.
import * as assert from "assert";
import * as fs from "fs";
import { CapturedConfig, FIXTURE_DIR, RECORDED_FILE, configDifferences } from "./helpers/engine-config";
import { readStackConfig } from "../plan/stack-config";

describe("the harness's config is the engine's (recorded from the real engine)", () => {
    const recorded = JSON.parse(fs.readFileSync(RECORDED_FILE, "utf8")) as Record<string, CapturedConfig>;

    it("covers every stack of the fixture project", () => {
        const stacks = fs
            .readdirSync(FIXTURE_DIR)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")
            .map((f) => f.slice("Pulumi.".length, -".yaml".length))
            .sort();
        assert.deepStrictEqual(Object.keys(recorded).sort(), stacks);
    });

    for (const [stack, engine] of Object.entries(recorded)) {
        it(`stack ${stack}: every key, value and secret as the engine passed them`, () => {
            assert.deepStrictEqual(configDifferences(readStackConfig(stack, FIXTURE_DIR, FIXTURE_DIR), engine), []);
        });
    }

    it("names both values when the harness and the engine differ", () => {
        const harness = {
            stack: "s",
            file: "f",
            config: { "p:a": "[1]", "p:b": "x", "p:s": "hidden" },
            secretKeys: ["p:s"],
        };
        const engine = { config: { "p:a": "[2]", "p:c": "y", "p:s": "plain" }, secretKeys: [] };
        assert.deepStrictEqual(configDifferences(harness, engine), [
            'p:a: the harness passes "[1]", the engine "[2]"',
            'p:b: the harness passes "x", the engine nothing',
            'p:c: the engine passes "y", the harness nothing',
            "p:s: secret for the harness only",
        ]);
    });
});
