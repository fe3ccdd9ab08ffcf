import * as fs from "fs";
import * as path from "path";
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
 * The keys that keep the ambient fixture's backend (the L7 service) on sidecars: a mix the
 * environment allows (its caller, frontend, stays ambient). Its quota makes room for the sidecars:
 * 22 pods x (100m + 100m) CPU requests, x (500m + 500m) limits.
 */
export const BACKEND_ON_SIDECARS = {
    serviceDataPlane: "sidecar",
    quota: { requestsCpu: "4400m", limitsCpu: "22" },
} as const;
