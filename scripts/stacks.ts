// The stack listings the workflows need (.github/scripts/stacks.sh runs this), as JSON for a job
// matrix, from the Pulumi.<stack>.yaml files and the layering of layers/layering.ts (which stack is an
// environment's global stack, which environment a stack belongs to), so no workflow restates it:
//
//   stacks envs                        ["dev","prod"]          every environment (each global stack)
//   stacks touched <base-ref>          ["dev-backend"]         the stacks a change since <base-ref> touches
//   stacks touched-envs <base-ref>     ["dev"]                 the environments of those stacks
//   stacks preview-envs <base-ref>     ["dev"]                 those of them that are not production
//
// A pull request previews only environments that are not production (platform:production: false in
// their global stack's file): its job holds no production secret (docs/operations.md "CI/CD").
//
// A change to a stack's own file touches that stack; a change to code, dependencies or Pulumi.yaml
// touches every stack; docs, README and workflow changes touch none.
import { execFileSync } from "child_process";
import { envOfStackName, layerOfStackName } from "../layers/layering";
import { ROOT, allStacks } from "../plan/stack-config";
import { isProductionInFile } from "./production";

/** Every environment: the stacks that are an environment's global stack, sorted. */
export function environments(stacks: readonly string[]): string[] {
    return stacks.filter((s) => layerOfStackName(s) === "global").sort();
}

/** The environments `stacks` belong to, each once, sorted. */
export function environmentsOf(stacks: readonly string[]): string[] {
    return [...new Set(stacks.map(envOfStackName))].sort();
}

/** Files whose change touches no stack. */
const NO_STACK = /^(docs\/.*|README\.md|\.github\/.*)$/;
const STACK_FILE = /^Pulumi\.([^/]+)\.yaml$/;

/** The stacks of `existing` a change of `changed` (paths from the repository root) touches, sorted. */
export function touchedStacks(changed: readonly string[], existing: readonly string[]): string[] {
    // Pulumi.yaml is not a stack file: a change to it is a change to every stack.
    if (changed.some((f) => !NO_STACK.test(f) && !STACK_FILE.test(f))) {
        return [...existing].sort();
    }
    const touched = changed
        .map((f) => STACK_FILE.exec(f)?.[1])
        .filter((s): s is string => s !== undefined && existing.includes(s));
    return [...new Set(touched)].sort();
}

function changedSince(base: string): string[] {
    return execFileSync("git", ["diff", "--name-only", `${base}...HEAD`], { cwd: ROOT, encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
}

const USAGE = "usage: stacks envs | touched <base-ref> | touched-envs <base-ref> | preview-envs <base-ref>";

/** Runs one listing; returns its JSON, or throws with the usage. */
export function listing(
    args: readonly string[],
    stacks = allStacks(ROOT),
    changed: (base: string) => string[] = changedSince,
    isProduction: (env: string) => boolean = (env) => isProductionInFile(env, ROOT),
): string[] {
    const [command, base, ...rest] = args;
    if (command === "envs" && base === undefined) {
        return environments(stacks);
    }
    if (["touched", "touched-envs", "preview-envs"].includes(command) && base && rest.length === 0) {
        const touched = touchedStacks(changed(base), stacks);
        if (command === "touched") {
            return touched;
        }
        const envs = environmentsOf(touched);
        return command === "touched-envs" ? envs : envs.filter((env) => !isProduction(env));
    }
    throw new Error(USAGE);
}

if (require.main === module) {
    try {
        console.log(JSON.stringify(listing(process.argv.slice(2))));
    } catch (err) {
        console.error(err instanceof Error ? err.message : String(err));
        process.exit(2);
    }
}
