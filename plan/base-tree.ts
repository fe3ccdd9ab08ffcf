// The other side of `npm run plan -- --env <env> --diff <ref>`: the repository as it is at <ref>,
// checked out into a temporary git worktree and planned by its own code (its scripts/plan.ts, its
// program, its stack files) in a process of its own, into a temporary folder. Its node_modules is
// this checkout's when both package-lock.json files are the same (the usual case: a plan takes
// seconds), else `npm ci` installs the ref's own (minutes). The plan files it writes
// (resources.json, access.json) are what plan/diff.ts compares; a ref from before resources.json
// carried URNs gets them rebuilt from each resource's type and parent.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AccessRequest, DiffOptions, PlannedResource } from "./diff";
import { ROOT } from "./root";
import { git, runTreePlan, shareModules, temporaryWorktree } from "./worktree";
import { envOfStackName } from "../layers/layering";

/** `--diff <ref>` names no commit of the repository (a usage error; told by its name, as the plan's modules load late). */
export class BadRefError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BadRefError";
    }
}

/** The plan of the ref's tree failed: its config is invalid there, or its code fails. */
export class BasePlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BasePlanError";
    }
}

/** A ref checked out for planning, and how to remove it. */
export interface BaseTree {
    readonly ref: string;
    /** The full commit hash the ref names. */
    readonly commit: string;
    /** The worktree's folder. */
    readonly dir: string;
    /** How its node_modules came: `shared` (the same lockfile) or `installed` (npm ci). */
    readonly modules: "shared" | "installed";
    /** Removes the worktree and its temporary folder. */
    remove(): void;
}

/** The full commit hash `ref` names in the repository at `root`; a BadRefError naming it otherwise. */
export function resolveRef(ref: string, root = ROOT): string {
    try {
        return git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], root);
    } catch {
        throw new BadRefError(
            `--diff ${ref}: not a commit of the repository in ${root}; allowed: a branch, tag or commit (e.g. main, origin/main, HEAD~1); in CI, fetch it first (actions/checkout with fetch-depth: 0)`,
        );
    }
}

/**
 * Checks `ref` out into a new temporary worktree of the repository at `root`, with node_modules:
 * this checkout's own (a symbolic link) when the two package-lock.json files are the same, else
 * installed there with `npm ci` (`log` is told which).
 */
export function checkoutBase(ref: string, root = ROOT, log: (line: string) => void = () => undefined): BaseTree {
    const commit = resolveRef(ref, root);
    const { dir, remove } = temporaryWorktree(commit, root, "platform-diff-");
    try {
        const lock = (d: string) => fs.readFileSync(path.join(d, "package-lock.json"), "utf8");
        if (fs.existsSync(path.join(dir, "package-lock.json")) && lock(dir) === lock(root)) {
            shareModules(root, dir);
            return { ref, commit, dir, modules: "shared", remove };
        }
        log(`${ref}'s package-lock.json differs from this checkout's: npm ci in its tree (a few minutes)`);
        execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--silent"], {
            cwd: dir,
            stdio: ["ignore", "ignore", "inherit"],
        });
        return { ref, commit, dir, modules: "installed", remove };
    } catch (err) {
        remove();
        throw err;
    }
}

/** One resource of a plan's resources.json (`npm run plan`), as any version of the plan writes it. */
interface PlanFileResource {
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly urn?: string;
    readonly inputs: Record<string, unknown>;
    readonly options?: DiffOptions;
}

/** Whether a type is a component the engine does not diff (this project's own components). */
function isLocalComponent(type: string): boolean {
    return !/^(aws|kubernetes|random|eks|pulumi):/.test(type);
}

/**
 * The resources of a stack's resources.json. URNs are the file's own; a plan from before they were
 * written gets them rebuilt as the offline plan makes them (the parent's type, `$`, the type).
 */
export function readPlanFile(stack: string, file: string, project = "platform"): PlannedResource[] {
    const entries = JSON.parse(fs.readFileSync(file, "utf8")) as PlanFileResource[];
    const parentType = (parent: string | null) =>
        parent === null
            ? undefined
            : (
                  entries.find((e) => e.name === parent && isLocalComponent(e.type)) ??
                  entries.find((e) => e.name === parent)
              )?.type;
    return entries.map((e) => {
        const p = parentType(e.parent);
        return {
            urn: e.urn ?? `urn:pulumi:${stack}::${project}::${p ? `${p}$${e.type}` : e.type}::${e.name}`,
            type: e.type,
            name: e.name,
            component: isLocalComponent(e.type),
            inputs: e.inputs,
            options: e.options ?? {},
        };
    });
}

/** What the plan of the ref's tree found for an environment. */
export interface BasePlan {
    /** Each stack of the environment that has a file there, and its resources. */
    readonly stacks: Map<string, PlannedResource[]>;
    /** The environment's access matrix there (empty when the environment has no file there). */
    readonly access: AccessRequest[];
}

/**
 * Plans environment `env` in the checked-out tree with its own `npm run plan -- --env`, into `out`.
 * An environment without a global stack file there has no stacks (every stack is added). A plan
 * that fails other than with violations (exit 1, its files written) is a BasePlanError with the
 * end of what it printed.
 */
export function planBase(tree: BaseTree, env: string, out: string): Promise<BasePlan> {
    if (!fs.existsSync(path.join(tree.dir, `Pulumi.${env}.yaml`))) {
        return Promise.resolve({ stacks: new Map(), access: [] });
    }
    return runTreePlan(tree.dir, ["--env", env, "--out", out]).then(({ code, tail }) => {
        if (code !== 0 && code !== 1) {
            throw new BasePlanError(
                `the plan of ${tree.ref} (${tree.commit.slice(0, 12)}) failed with exit code ${code}; what it printed last:\n${tail}`,
            );
        }
        return readBasePlan(env, out);
    });
}

/** The plan files of environment `env` under `out`, as `npm run plan -- --env` wrote them. */
export function readBasePlan(env: string, out: string): BasePlan {
    const stacks = new Map<string, PlannedResource[]>();
    for (const stack of fs.readdirSync(out).sort()) {
        const file = path.join(out, stack, "resources.json");
        if (envOfStackName(stack) === env && fs.existsSync(file)) {
            stacks.set(stack, readPlanFile(stack, file));
        }
    }
    const accessFile = path.join(out, env, "access.json");
    const access = fs.existsSync(accessFile)
        ? (JSON.parse(fs.readFileSync(accessFile, "utf8")) as AccessRequest[])
        : [];
    return { stacks, access };
}
