// Istio's own analyzers over every Kubernetes object of the dev plan (`istioctl analyze`, offline),
// and Istio's own validation of each object (`istioctl validate`, what istiod's webhook runs).
// istiod's validating webhook refuses what Istio's validation refuses, so an error here is a failed
// `pulumi up` on a real cluster. Runs when `istioctl` is on PATH; skipped, saying why, when it is
// not: `npm test` must pass on a machine without it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { devPlan } from "./helpers/dev-plan";
import { manifestsOf } from "../plan/plan";
import { tempDir } from "./helpers/temp";
import { onPath } from "./helpers/on-path";

/**
 * Findings accepted on purpose, each with its reason: `code` (e.g. IST0151) and the resource as
 * istioctl names it (`<Kind> <namespace>/<name>`). Anything else at level Warning or Error fails.
 */
export const ACCEPTED_FINDINGS: readonly { code: string; resource: string; reason: string }[] = [];

/**
 * Warnings of `istioctl validate` accepted on purpose, by resource (`<Kind>/<namespace>/<name>`),
 * each with its reason. Anything else it reports fails.
 */
export const ACCEPTED_VALIDATION_WARNINGS: readonly { resource: string; reason: string }[] = [
    {
        resource: "EnvoyFilter/frontend/local-rate-limit",
        reason: "Istio has no first-class API for Envoy's local rate limit; the filter is pinned to the sidecar inbound listener with a priority (docs/service.md)",
    },
];

/** The findings of `istioctl validate -f FILE` (`* Kind/ns/name: message` lines), by level. */
export function validationFindings(
    output: string,
    failed: boolean,
): { level: "Error" | "Warning"; resource: string; message: string }[] {
    return [...output.matchAll(/^\s*\* ([^:\s]+): (.*)$/gm)].map((m) => ({
        level: failed ? "Error" : "Warning",
        resource: m[1],
        message: m[2],
    }));
}

export { onPath };

interface AnalyzerMessage {
    code: string;
    level: string;
    origin: string;
    message: string;
}

describe("istioctl analyze over the dev plan (when istioctl is on PATH)", function () {
    it("reports no warning or error that is not accepted with a reason", async function () {
        const istioctl = onPath("istioctl");
        assert.ok(
            istioctl !== undefined || !process.env.PLATFORM_REQUIRE_ISTIOCTL,
            "PLATFORM_REQUIRE_ISTIOCTL is set but istioctl is not on PATH",
        );
        if (!istioctl) {
            console.log(
                "      skipped: istioctl is not on PATH; install it (https://istio.io/latest/docs/ops/diagnostic-tools/istioctl/) to run Istio's analyzers over the dev plan",
            );
            this.skip();
        }
        const dir = tempDir("istioctl");
        for (const plan of await devPlan()) {
            const docs = manifestsOf(plan.evaluation.resources).map((m) =>
                yaml.dump(m, { noRefs: true, lineWidth: -1 }),
            );
            fs.writeFileSync(path.join(dir, `${plan.config.stack}.yaml`), docs.join("---\n"));
        }
        const run = spawnSync(istioctl, ["analyze", "--use-kube=false", "--output", "json", dir], { encoding: "utf8" });
        assert.ok(run.error === undefined, `istioctl did not run: ${run.error?.message}`);
        const text = run.stdout.trim();
        const messages: AnalyzerMessage[] = text.startsWith("[") ? JSON.parse(text) : [];
        assert.ok(
            text.startsWith("[") || text === "",
            `istioctl analyze printed no JSON (exit ${run.status}): ${run.stderr.trim()}`,
        );
        const unaccepted = messages
            .filter((m) => m.level === "Warning" || m.level === "Error")
            .filter((m) => !ACCEPTED_FINDINGS.some((a) => a.code === m.code && m.origin === a.resource))
            .map((m) => `${m.level} [${m.code}] ${m.origin}: ${m.message}`);
        assert.deepStrictEqual(unaccepted, []);
    });

    it("istioctl validate accepts every object of the plan (Istio's admission validation, offline), and refuses a bad one", async function () {
        const istioctl = onPath("istioctl");
        if (!istioctl) {
            this.skip();
        }
        const dir = tempDir("istioctl-validate");
        const found: string[] = [];
        for (const plan of await devPlan()) {
            const file = path.join(dir, `${plan.config.stack}.yaml`);
            fs.writeFileSync(
                file,
                manifestsOf(plan.evaluation.resources)
                    .map((m) => yaml.dump(m, { noRefs: true, lineWidth: -1 }))
                    .join("---\n"),
            );
            const run = spawnSync(istioctl, ["validate", "-f", file], { encoding: "utf8" });
            for (const f of validationFindings(run.stdout + run.stderr, run.status !== 0)) {
                if (f.level === "Error" || !ACCEPTED_VALIDATION_WARNINGS.some((a) => a.resource === f.resource)) {
                    found.push(`${f.level} ${f.resource}: ${f.message}`);
                }
            }
            assert.ok(
                run.status === 0 || found.length > 0,
                `istioctl validate failed without a finding: ${run.stderr}`,
            );
        }
        assert.deepStrictEqual(found, []);
        // The same check on the VirtualService payment had before retries: 0 became {attempts: 0}.
        const bad = path.join(dir, "bad.yaml");
        fs.writeFileSync(
            bad,
            yaml.dump({
                apiVersion: "networking.istio.io/v1",
                kind: "VirtualService",
                metadata: { name: "payment", namespace: "payment" },
                spec: {
                    hosts: ["payment.payment.svc.cluster.local"],
                    http: [
                        {
                            route: [{ destination: { host: "payment.payment.svc.cluster.local" } }],
                            retries: { attempts: 0, retryOn: "5xx" },
                        },
                    ],
                },
            }),
        );
        const run = spawnSync(istioctl, ["validate", "-f", bad], { encoding: "utf8" });
        assert.deepStrictEqual(validationFindings(run.stdout + run.stderr, run.status !== 0), [
            {
                level: "Error",
                resource: "VirtualService/payment/payment",
                message: "http retry policy configured when attempts are set to 0 (disabled)",
            },
        ]);
    });

    it("reads istioctl validate's findings", () => {
        assert.deepStrictEqual(
            validationFindings('"f.yaml" has warnings: \n\t* EnvoyFilter/frontend/x: exposes internals\n', false),
            [{ level: "Warning", resource: "EnvoyFilter/frontend/x", message: "exposes internals" }],
        );
        assert.deepStrictEqual(
            validationFindings("Error: 1 error occurred:\n\t* VirtualService/p/p: bad retry\n", true),
            [{ level: "Error", resource: "VirtualService/p/p", message: "bad retry" }],
        );
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
