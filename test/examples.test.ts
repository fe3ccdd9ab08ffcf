// The example stack files at the repository root are the team's to edit and fork: the tests of the
// layers use fixtures of their own (test/fixtures/stacks), and the examples are held to invariants
// only. A fork done as docs/operations.md "Add a service" says must keep them.
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { planAccess } from "../plan/access-plan";
import { StackPlan, planEnvironment } from "../plan/plan";
import { ROOT, allStacks } from "../plan/stack-config";
import { isStackOfEnvironment, layerOfStackName } from "../layers/layering";
import { devPlan } from "./helpers/dev-plan";
import { invariantProblems } from "./helpers/invariants";
import { FIXTURE_STACKS } from "./helpers/stacks";
import { tempDir } from "./helpers/temp";

/** The code block of docs/operations.md "Add a service" whose text contains `marker`, as written there (list indentation removed). */
function recipeBlock(marker: string): string {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
    const section = doc.slice(
        doc.indexOf("## Add a service"),
        doc.indexOf("\n## ", doc.indexOf("## Add a service") + 1),
    );
    for (const [, indent, body] of section.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```$/gm)) {
        if (body.includes(marker)) {
            return body
                .split("\n")
                .map((l) => l.slice(indent.length))
                .join("\n");
        }
    }
    throw new Error(`docs/operations.md "Add a service" has no yaml block with ${marker}`);
}

/** A copy of the project's Pulumi.yaml and every example stack file of `env`, for a test to edit. */
function exampleCopy(env: string): string {
    const dir = tempDir("fork");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const stack of allStacks(ROOT).filter((s) => isStackOfEnvironment(s, env))) {
        fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    }
    return dir;
}

describe("the example stack files: invariants only, and a fork as the README says", function () {
    it("every environment of the examples plans, and keeps every invariant", async () => {
        const envs = allStacks(ROOT).filter((s) => layerOfStackName(s) === "global");
        assert.ok(envs.length > 0, "no example environment (Pulumi.<env>.yaml) at the repository root");
        for (const env of envs) {
            const plans = await planEnvironment(env, ROOT);
            assert.deepStrictEqual(invariantProblems(env, ROOT, plans), [], `environment ${env}`);
        }
    });

    it("the invariants catch a stack not planned, a missing default deny and an edge no setting admits", async () => {
        const broken = (await devPlan())
            .filter((p) => p.config.stack !== "dev-frontend")
            .map((p) =>
                p.config.stack !== "dev-payment"
                    ? p
                    : {
                          ...p,
                          config: { ...p.config, config: { ...p.config.config, "platform:allowedCallers": "[]" } },
                          evaluation: {
                              ...p.evaluation,
                              resources: p.evaluation.resources.filter((r) => r.name !== "payment-allow-nothing"),
                          },
                      },
            );
        const problems = invariantProblems("dev", FIXTURE_STACKS, broken);
        assert.deepStrictEqual(problems.slice(0, 2), [
            "planned dev, dev-common, dev-backend, dev-payment; the stack files are dev, dev-backend, dev-common, dev-frontend, dev-payment",
            "dev-payment: no allow-nothing AuthorizationPolicy (empty spec) in namespace payment",
        ]);
        assert.ok(
            problems.slice(2).length > 0 &&
                problems
                    .slice(2)
                    .every((p) =>
                        /^access: (backend|other-in-backend) -> payment POST \/charge is allowed \(ALLOW payment\/.*\) but no allowedCallers or exposed setting of payment admits it$/.test(
                            p,
                        ),
                    ),
            problems.join("\n"),
        );
    });

    describe('"Add a service": orders, called by frontend, calling payment', () => {
        let dir: string;
        let plans: StackPlan[];
        before(async () => {
            dir = exampleCopy("dev");
            // Step 1: the file, as the recipe writes it.
            fs.writeFileSync(path.join(dir, "Pulumi.dev-orders.yaml"), recipeBlock("# Pulumi.dev-orders.yaml"));
            // Step 2: the entry the recipe adds to payment's allowedCallers, below the ones there.
            const paymentFile = path.join(dir, "Pulumi.dev-payment.yaml");
            const payment = yaml.load(fs.readFileSync(paymentFile, "utf8")) as { config: Record<string, unknown> };
            const added = yaml.load(
                recipeBlock("added to platform:allowedCallers in Pulumi.dev-payment.yaml"),
            ) as unknown[];
            const callers = (payment.config["platform:allowedCallers"] ?? []) as unknown[];
            payment.config["platform:allowedCallers"] = [...callers, ...added];
            fs.writeFileSync(paymentFile, yaml.dump(payment));
            plans = await planEnvironment("dev", dir);
        });

        it("plans every stack with the new one, and keeps every invariant", () => {
            assert.ok(plans.some((p) => p.config.stack === "dev-orders"));
            assert.deepStrictEqual(invariantProblems("dev", dir, plans), []);
        });

        it("lets frontend call orders and orders call payment, as the recipe's rules say, and nobody else", () => {
            const access = planAccess("dev", plans, path.join(dir, "out"));
            const allowed = (from: string, to: string, method: string, p: string) =>
                access.rows.find(
                    (r) => r.from === from && r.to === to && r.method === method && r.path === p && !r.token,
                )?.allowed;
            // The matrix probes each rule's boundary: /orders/example inside "/orders/*", /orders just outside.
            assert.strictEqual(allowed("frontend", "orders", "GET", "/orders/example"), true);
            assert.strictEqual(allowed("frontend", "orders", "GET", "/orders"), false);
            assert.strictEqual(allowed("frontend", "orders", "DELETE", "/orders/example"), false);
            assert.strictEqual(allowed("backend", "orders", "GET", "/orders/example"), false);
            assert.strictEqual(allowed("orders", "payment", "POST", "/charge"), true);
            assert.strictEqual(allowed("orders", "payment", "GET", "/charge"), false);
            assert.deepStrictEqual(
                access.edges
                    .filter((e) => e.from === "orders" || e.to === "orders")
                    .map((e) => `${e.from} -> ${e.to}`)
                    .sort(),
                // and, like every service, orders exports its traces to Jaeger's collector.
                ["frontend -> orders", "orders -> observability.jaeger", "orders -> payment"],
            );
        });

        it("opens frontend's egress to orders and orders' egress to payment (Sidecars), from the callees' files alone", () => {
            const egress = (service: string) => {
                const sidecar = plans
                    .find((p) => p.config.stack === `dev-${service}`)!
                    .evaluation.resources.find((r) => r.type === "kubernetes:networking.istio.io/v1:Sidecar")!;
                return ((sidecar.inputs.spec as { egress: { hosts: string[] }[] }).egress ?? []).flatMap(
                    (e) => e.hosts,
                );
            };
            assert.ok(
                egress("frontend").some((h) => h.startsWith("orders/")),
                `frontend's egress: ${egress("frontend").join(", ")}`,
            );
            assert.ok(
                egress("orders").some((h) => h.startsWith("payment/")),
                `orders' egress: ${egress("orders").join(", ")}`,
            );
        });
    });
});
