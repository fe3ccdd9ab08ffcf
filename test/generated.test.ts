import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ALL_KEYS } from "../layers/config";
import { generatedFiles } from "../scripts/generated";

const ROOT = path.join(__dirname, "..");

describe("generated files (npm run gen)", () => {
    for (const [file, expected] of Object.entries(generatedFiles())) {
        it(`${file} is in sync with the code; run npm run gen if not`, () => {
            assert.strictEqual(fs.readFileSync(path.join(ROOT, file), "utf8"), expected);
        });
    }

    it("Pulumi.yaml declares every key with description, type and default, in that order", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as any;
        assert.strictEqual(project.name, "platform");
        assert.deepStrictEqual(project.runtime, { name: "nodejs", options: { typescript: false } });
        assert.strictEqual(project.main, "bin/infra/index.js");
        assert.deepStrictEqual(project.config["pulumi:disable-default-providers"], { value: ["*"] });
        for (const spec of ALL_KEYS) {
            const decl = project.config[spec.key];
            assert.ok(decl, `${spec.key} is declared`);
            const order = Object.keys(decl).filter((k) => ["description", "type", "default"].includes(k));
            const expected = ["description", "type", "default"].filter((k) => k in decl);
            assert.deepStrictEqual(order, expected, `${spec.key}: ${order.join(", ")}`);
            assert.ok(decl.description.length > 10, `${spec.key} has a description`);
            // A declared key without a default fails every stack that does not set it.
            assert.ok("default" in decl, `${spec.key} has a default`);
        }
    });

    it("list keys have plural names", () => {
        for (const spec of ALL_KEYS.filter((k) => k.type.endsWith("[]"))) {
            assert.match(spec.key, /s$/, spec.key);
        }
    });
});
