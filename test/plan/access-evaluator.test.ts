import * as assert from "assert";
import fc from "fast-check";
import { principalOf } from "../../components/service";
import { Decision, Request, accessEvaluator, evaluateAccess } from "../../plan/authorization";
import { PROBE_SUBJECT, authorizationPolicies, boundaryPaths } from "../../plan/access-plan";
import { ISSUERS, METHODS, PATHS, genCase, meshOf, stackPlansOf } from "../oracle/generate";

/** What deciding `request` gives: the decision, or the error it fails with. */
function outcome(decide: (r: Request) => Decision, request: Request): Decision | { error: string } {
    try {
        return decide(request);
    } catch (err) {
        return { error: (err as Error).message };
    }
}

describe("access evaluator: one evaluator for many requests (plan/authorization.ts)", () => {
    it("decides every request as a fresh evaluation of it alone does, whatever the order (generated policies, seed 25)", () => {
        const mesh = meshOf(true);
        const literalMethods = METHODS.filter((m) => !m.includes("*"));
        const allPaths = [...new Set(PATHS.flatMap(boundaryPaths))];
        // Each case tries every caller and token on a few methods and paths: a request alike in all but
        // the caller is what the evaluator reuses a decision for.
        const sample = fc.record({
            methods: fc.subarray(literalMethods, { minLength: 2, maxLength: 2 }),
            paths: fc.subarray(allPaths, { minLength: 4, maxLength: 4 }),
        });
        const property = fc.property(genCase, sample, fc.integer(), (c, { methods, paths }, shuffle) => {
            const plans = stackPlansOf(c, "c0", "gen", true).plans;
            const policies = authorizationPolicies(plans);
            const workloads = plans.flatMap((p) =>
                p.evaluation.resources
                    .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
                    .map((r) => {
                        const d = r.inputs as {
                            metadata: { namespace: string };
                            spec: { template: { metadata: { labels: Record<string, string> } } };
                        };
                        return { namespace: d.metadata.namespace, labels: d.spec.template.metadata.labels };
                    }),
            );
            // Callers: every service, another workload of each namespace, the outsider and no peer at all.
            const namespaces = [...new Set(workloads.map((w) => w.namespace))];
            const principals = [
                ...plans.map((p) => (p.evaluation.rawOutputs as { principal: string }).principal),
                ...namespaces.map((ns) => principalOf(mesh.trustDomain, ns, "default")),
                principalOf(mesh.trustDomain, "default", "default"),
                undefined,
            ];
            const tokens = [undefined, ...ISSUERS.map((iss) => ({ iss, sub: PROBE_SUBJECT }))];
            const requests = principals.flatMap((principal) =>
                tokens.flatMap((token) =>
                    methods.flatMap((method) => paths.map((path): Request => ({ principal, token, method, path }))),
                ),
            );
            // A deterministic shuffle: reuse must not depend on which request came first.
            const order = requests
                .map((r, i) => ({ r, k: (i * 7919 + shuffle) % requests.length }))
                .sort((a, b) => a.k - b.k);
            for (const workload of workloads) {
                let shared: ((r: Request) => Decision) | undefined;
                const sharedOutcome = (r: Request) =>
                    outcome(
                        (req) =>
                            (shared ??= accessEvaluator(policies, workload, mesh.rootNamespace, mesh.trustDomain))(req),
                        r,
                    );
                for (const { r } of order) {
                    const alone = outcome(
                        (req) => evaluateAccess(policies, workload, req, mesh.rootNamespace, mesh.trustDomain),
                        r,
                    );
                    assert.deepStrictEqual(sharedOutcome(r), alone, JSON.stringify({ workload, request: r }));
                }
            }
        });
        fc.assert(property, { seed: 25, numRuns: 30 });
    });
});
