import { StackPlan, planEnvironment } from "../../plan/plan";
import { FIXTURE_STACKS } from "./stacks";

let cached: Promise<StackPlan[]> | undefined;

/** The plan of the whole `dev` environment, planned once per test run and shared by the tests that read it. */
export function devPlan(): Promise<StackPlan[]> {
    cached ??= planEnvironment("dev", FIXTURE_STACKS);
    return cached;
}
