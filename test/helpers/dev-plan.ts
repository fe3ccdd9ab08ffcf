import * as fs from "fs";
import * as path from "path";
import { StackPlan, planEnvironment } from "./plan";
import { ROOT } from "./stack-config";

/**
 * Whether a layer is still the foundation's skeleton (its deploy function says so): then the
 * `dev` plan cannot run yet, because the skeleton global stack lacks the outputs common reads.
 */
export function layersAreSkeletons(): string[] {
    return ["global", "common", "service"].filter((layer) =>
        fs.readFileSync(path.join(ROOT, "stacks", `${layer}.ts`), "utf8").includes("FOUNDATION: only"),
    );
}

let cached: Promise<StackPlan[]> | undefined;

/** The plan of the whole `dev` environment, planned once per test run. */
export function devPlan(): Promise<StackPlan[]> {
    cached ??= planEnvironment("dev");
    return cached;
}

/**
 * The `dev` plan for a test; skips the test (pending, with a warning) only while the layers are
 * the foundation's skeletons and the plan fails for that reason. Any other failure fails the test.
 */
export async function devPlanOrSkip(ctx: Mocha.Context, plan: () => Promise<StackPlan[]> = devPlan): Promise<StackPlan[]> {
    try {
        return await plan();
    } catch (err) {
        const skeletons = layersAreSkeletons();
        if (skeletons.length > 0 && err instanceof Error && /does not have the outputs this stack reads/.test(err.message)) {
            console.warn(`    (skipped: the ${skeletons.join(", ")} layer(s) are still skeletons, so dev cannot be planned: ${err.message.slice(0, 120)}...)`);
            ctx.skip();
        }
        throw err;
    }
}
