// What the real engine hands the program, compared with what the test harness builds
// (plan/stack-config.ts) for every stack of dev and for the fixture project of
// test/fixtures/engine-config: any difference fails with both values shown. The captures of the
// fixture project are recorded in test/fixtures/engine-config/recorded.json, which
// test/stack-config-fixture.test.ts (in `npm test`) checks the harness against.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT, SECRET_PLACEHOLDER, readStackConfig, stacksOfEnvironment } from "../../plan/stack-config";
import { Backend, programProject } from "../../plan/engine/engine";
import { programDir } from "./helpers/programs";
import { CapturedConfig, FIXTURE_DIR, RECORDED_FILE, configDifferences } from "../helpers/engine-config";

/** Runs the capture program as `stack` of a project with `projectConfig`, over the given stack file. */
async function capture(
    backend: Backend,
    stack: string,
    stackFile: string,
    projectConfig: unknown,
): Promise<CapturedConfig> {
    const dir = programProject(`capture-${stack}`, programDir("capture"), { config: projectConfig });
    const target = path.join(dir, `Pulumi.${stack}.yaml`);
    const original = fs.readFileSync(stackFile, "utf8");
    fs.writeFileSync(target, original);
    await backend.ok(dir, ["stack", "init", stack]);
    // `stack init` rewrites the file in its own YAML (e.g. `1.0` as "1"); a user's stack runs from the
    // file as they wrote it, so run from that, with the encryption salt the init added.
    const salt = /^encryptionsalt: .*$/m.exec(fs.readFileSync(target, "utf8"))?.[0];
    if (salt && !/^encryptionsalt:/m.test(original)) {
        fs.writeFileSync(target, `${original.trimEnd()}\n${salt}\n`);
    } else {
        fs.writeFileSync(target, original);
    }
    const out = path.join(dir, "captured.json");
    await backend.ok(dir, ["preview", "--stack", stack], { PLATFORM_CAPTURE_FILE: out });
    const captured = JSON.parse(fs.readFileSync(out, "utf8")) as CapturedConfig & { stack: string };
    assert.strictEqual(captured.stack, stack);
    return { config: captured.config, secretKeys: captured.secretKeys };
}

function projectConfigOf(dir: string): unknown {
    return (yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { config?: unknown }).config;
}

describe("the config the real engine hands the program", function () {
    this.timeout(10 * 60 * 1000);
    const backend = new Backend("config");

    for (const stack of stacksOfEnvironment("dev")) {
        it(`is what the harness builds for ${stack} (Pulumi.${stack}.yaml)`, async () => {
            const engine = await capture(
                backend,
                stack,
                path.join(ROOT, `Pulumi.${stack}.yaml`),
                projectConfigOf(ROOT),
            );
            const harness = readStackConfig(stack);
            assert.deepStrictEqual(configDifferences(harness, engine), []);
        });
    }

    it("is what the harness builds for the fixture project (every kind of value, a secure: one); recorded for npm test", async () => {
        // Record every capture first (the record is what the engine did, whatever the harness does),
        // then compare.
        const recorded: Record<string, CapturedConfig> = {};
        for (const file of fs
            .readdirSync(FIXTURE_DIR)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")
            .sort()) {
            const stack = file.slice("Pulumi.".length, -".yaml".length);
            const engine = await capture(backend, stack, path.join(FIXTURE_DIR, file), projectConfigOf(FIXTURE_DIR));
            // The engine decrypts secure: values; the record keeps only that they were secret.
            for (const key of engine.secretKeys) {
                engine.config[key] = SECRET_PLACEHOLDER;
            }
            recorded[stack] = engine;
        }
        fs.writeFileSync(RECORDED_FILE, `${JSON.stringify(recorded, null, 2)}\n`);
        const differences = Object.entries(recorded).flatMap(([stack, engine]) =>
            configDifferences(readStackConfig(stack, FIXTURE_DIR, FIXTURE_DIR), engine).map((d) => `${stack}: ${d}`),
        );
        assert.deepStrictEqual(differences, []);
    });
});
