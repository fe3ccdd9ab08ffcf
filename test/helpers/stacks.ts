import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { tempDir } from "../../plan/temp";
import { ROOT } from "../../plan/stack-config";

/**
 * The tests' own stack files: environment `dev` (global, common, backend, frontend, payment).
 * Tests of the layers and of the plan read these, never the example files at the repository root,
 * so a team that edits or forks the examples keeps a green `npm test` (test/examples.test.ts checks
 * the examples for invariants only).
 */
export const FIXTURE_STACKS = path.join(__dirname, "..", "fixtures", "stacks");

/** Copies the fixture stack files into `dir` (and the project's Pulumi.yaml with `project`), for a test to edit; returns `dir`. */
export function copyFixtureStacks(dir: string, options: { project?: boolean } = {}): string {
    for (const f of fs.readdirSync(FIXTURE_STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        fs.copyFileSync(path.join(FIXTURE_STACKS, f), path.join(dir, f));
    }
    if (options.project) {
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    }
    return dir;
}

/**
 * The tests' ambient environment `dev` (test/fixtures/ambient-stacks/README.md): dev-common with
 * `dataPlane: ambient`, and services that cover ztunnel alone (L4) and a waypoint (L7).
 */
export const AMBIENT_FIXTURE_STACKS = path.join(__dirname, "..", "fixtures", "ambient-stacks");

/**
 * A copy of the stack files of `from` in a new directory, with `platform:` keys of one stack's file
 * set (YAML values; null removes a key): an environment one change away from a fixture.
 */
export function stacksWithKeys(from: string, stack: string, values: Readonly<Record<string, unknown>>): string {
    const dir = tempDir("stacks-with-keys");
    for (const f of fs.readdirSync(from).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
        fs.copyFileSync(path.join(from, f), path.join(dir, f));
    }
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    for (const [key, value] of Object.entries(values)) {
        if (value === null) {
            Reflect.deleteProperty(doc.config, `platform:${key}`);
        } else {
            doc.config[`platform:${key}`] = value;
        }
    }
    fs.writeFileSync(file, yaml.dump(doc, { lineWidth: -1 }));
    return dir;
}
