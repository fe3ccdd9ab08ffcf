// The stack listings the workflows need (.github/scripts/stacks.sh runs this), as JSON for a job
// matrix, from the Pulumi.<stack>.yaml files and the layering of layers/layering.ts (which stack is an
// environment's global stack, which environment a stack belongs to), so no workflow restates it:
//
//   stacks envs                           ["dev","prod"]          every environment (each global stack)
//   stacks envs-with <ref>                ["dev","prod","qa"]     the environments of this tree and of <ref>'s
//   stacks changed <diff.json>...         ["dev-backend"]         the stacks whose plan changes, from the
//                                                                 reports of `npm run plan -- --diff --json`
//   stacks changed-envs <diff.json>...    ["dev"]                 the environments of those stacks
//   stacks preview-envs <diff.json>...    ["dev"]                 those of them that are not production
//
// A pull request previews only environments that are not production (platform:production: false in
// their global stack's file): its job holds no production secret (docs/operations.md "CI/CD").
//
// Which stacks a change touches is not guessed from the files it changes: the plan diff of each
// environment says it (a change of one service's allowedCallers changes its callers' Sidecars too).
import { execFileSync } from "child_process";
import * as fs from "fs";
import { envOfStackName, layerOfStackName } from "../layers/layering";
import { DiffReport } from "../plan/diff-report";
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

/** The stacks of the `Pulumi.<stack>.yaml` files at the root of git ref `ref`'s tree. */
function stacksAt(ref: string): string[] {
    return execFileSync("git", ["ls-tree", "--name-only", ref], { cwd: ROOT, encoding: "utf8" })
        .split("\n")
        .map((f) => /^Pulumi\.([^/]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
}

/** The stacks whose plan changes, from diff reports (`npm run plan -- --env <env> --diff <ref> --json`), each once, in the reports' order. */
export function changedStacks(reports: readonly Pick<DiffReport, "changedStacks">[]): string[] {
    return [...new Set(reports.flatMap((r) => r.changedStacks))];
}

function readReports(files: readonly string[]): DiffReport[] {
    return files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as DiffReport);
}

const USAGE =
    "usage: stacks envs | envs-with <ref> | changed <diff.json>... | changed-envs <diff.json>... | preview-envs <diff.json>...";

/** Runs one listing; returns its JSON, or throws with the usage. */
export function listing(
    args: readonly string[],
    stacks = allStacks(ROOT),
    at: (ref: string) => string[] = stacksAt,
    reports: (files: readonly string[]) => Pick<DiffReport, "changedStacks">[] = readReports,
    // An environment whose global stack file this tree no longer has is taken as production.
    isProduction: (env: string) => boolean = (env) =>
        !fs.existsSync(`${ROOT}/Pulumi.${env}.yaml`) || isProductionInFile(env, ROOT),
): string[] {
    const [command, ...rest] = args;
    if (command === "envs" && rest.length === 0) {
        return environments(stacks);
    }
    if (command === "envs-with" && rest.length === 1) {
        return environments([...new Set([...stacks, ...at(rest[0])])]);
    }
    if (["changed", "changed-envs", "preview-envs"].includes(command) && rest.length > 0) {
        const changed = changedStacks(reports(rest));
        if (command === "changed") {
            return changed;
        }
        const envs = environmentsOf(changed);
        return command === "changed-envs" ? envs : envs.filter((env) => !isProduction(env));
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
