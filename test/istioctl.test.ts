// Istio's own analyzers over every Kubernetes object of the dev plan (`istioctl analyze`, offline).
// istiod's validating webhook refuses what Istio's validation refuses, so an error here is a failed
// `pulumi up` on a real cluster. Runs when `istioctl` is on PATH; skipped, saying why, when it is
// not: `npm test` must pass on a machine without it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { devPlan } from "./helpers/dev-plan";
import { manifestsOf } from "./helpers/plan";
import { tempDir } from "./helpers/temp";

/**
 * Findings accepted on purpose, each with its reason: `code` (e.g. IST0151) and the resource as
 * istioctl names it (`<Kind> <namespace>/<name>`). Anything else at level Warning or Error fails.
 */
export const ACCEPTED_FINDINGS: readonly { code: string; resource: string; reason: string }[] = [];

/** The executable `name` on PATH, or undefined. */
export function onPath(name: string, pathVariable = process.env.PATH ?? ""): string | undefined {
    for (const dir of pathVariable.split(path.delimiter).filter((d) => d !== "")) {
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // not here
        }
    }
    return undefined;
}

interface AnalyzerMessage {
    code: string;
    level: string;
    origin: string;
    message: string;
}

describe("istioctl analyze over the dev plan (when istioctl is on PATH)", function () {
    this.timeout(120_000);

    it("reports no warning or error that is not accepted with a reason", async function () {
        const istioctl = onPath("istioctl");
        if (!istioctl) {
            console.log("      skipped: istioctl is not on PATH; install it (https://istio.io/latest/docs/ops/diagnostic-tools/istioctl/) to run Istio's analyzers over the dev plan");
            this.skip();
        }
        const dir = tempDir("istioctl");
        for (const plan of await devPlan()) {
            const docs = manifestsOf(plan.evaluation.resources).map((m) => yaml.dump(m, { noRefs: true, lineWidth: -1 }));
            fs.writeFileSync(path.join(dir, `${plan.config.stack}.yaml`), docs.join("---\n"));
        }
        const run = spawnSync(istioctl!, ["analyze", "--use-kube=false", "--recursive", "--output", "json", dir], { encoding: "utf8" });
        assert.ok(run.error === undefined, `istioctl did not run: ${run.error?.message}`);
        const text = run.stdout.trim();
        const messages: AnalyzerMessage[] = text.startsWith("[") ? JSON.parse(text) : [];
        assert.ok(text.startsWith("[") || text === "", `istioctl analyze printed no JSON (exit ${run.status}): ${run.stderr.trim()}`);
        const unaccepted = messages
            .filter((m) => m.level === "Warning" || m.level === "Error")
            .filter((m) => !ACCEPTED_FINDINGS.some((a) => a.code === m.code && m.origin === a.resource))
            .map((m) => `${m.level} [${m.code}] ${m.origin}: ${m.message}`);
        assert.deepStrictEqual(unaccepted, []);
    });

    it("finds executables on PATH and nothing else", () => {
        const dir = tempDir("path");
        fs.writeFileSync(path.join(dir, "tool"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "data"), "", { mode: 0o644 });
        assert.strictEqual(onPath("tool", `/nonexistent${path.delimiter}${dir}`), path.join(dir, "tool"));
        assert.strictEqual(onPath("data", dir), undefined);
        assert.strictEqual(onPath("tool", ""), undefined);
    });
});
