import { Problem, throwIfProblems } from "./problems";

/**
 * Throws a ProblemError (kind ComponentArgsError) when `problems` is not empty, before the
 * component registers anything: `invalid <component> "<name>" arguments:` and one line per problem.
 */
export function assertValidArgs(component: string, resourceName: string, problems: readonly Problem[], notes: readonly string[] = []): void {
    throwIfProblems("ComponentArgsError", `invalid ${component} "${resourceName}" arguments:`, problems, notes);
}
