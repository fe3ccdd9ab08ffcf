// Another revision of the repository, checked out beside this one into a temporary git worktree
// (detached at a commit): the base tree of `npm run plan -- --diff` (./base-tree.ts) and a
// release's tree (./release-tree.ts) are planned there with their own code.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACK_CONFIG_DIR_VARIABLE } from "../infra/environment";

/** The component package, a workspace of the repository: in each tree, that tree's own. */
const WORKSPACE_PACKAGE = path.join("@platform", "components");

/**
 * Gives `dir` (a worktree or a copy of the repository) the installed packages of the checkout at
 * `root` (one link per package), but its own component package: the program imports
 * `@platform/components` by name, and a link to the checkout's would run the tree's program over
 * the checkout's components. The tree's package is built in place (its own build script) when the
 * tree has one; a build already copied into its components/bin is brought up to date incrementally.
 */
export function shareModules(root: string, dir: string): void {
    const source = path.join(root, "node_modules");
    const target = path.join(dir, "node_modules");
    fs.mkdirSync(target);
    for (const entry of fs.readdirSync(source)) {
        if (entry !== "@platform") {
            fs.symlinkSync(path.join(source, entry), path.join(target, entry), "dir");
        }
    }
    if (!fs.existsSync(path.join(dir, "components", "package.json"))) {
        return;
    }
    fs.mkdirSync(path.join(target, "@platform"));
    fs.symlinkSync(path.join("..", "..", "components"), path.join(target, WORKSPACE_PACKAGE), "dir");
    execFileSync("npm", ["run", "--silent", "build", "--if-present"], {
        cwd: path.join(dir, "components"),
        stdio: ["ignore", "ignore", "inherit"],
    });
}

/** Runs git in `cwd`; returns its output, trimmed. Throws on a non-zero exit. */
export function git(args: readonly string[], cwd: string): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A checked-out revision: its folder, and how to remove it. */
export interface TemporaryWorktree {
    readonly dir: string;
    /** Removes the worktree (its node_modules first: a link or an install) and its temporary folder. */
    readonly remove: () => void;
}

/**
 * Checks `commit` out into a new worktree of the repository at `root`, in a new temporary folder
 * named from `prefix` (e.g. `platform-diff-`).
 */
export function temporaryWorktree(commit: string, root: string, prefix: string): TemporaryWorktree {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const dir = path.join(tmp, "tree");
    git(["worktree", "add", "--detach", "--quiet", dir, commit], root);
    const remove = () => {
        fs.rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
        try {
            git(["worktree", "remove", "--force", dir], root);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
            try {
                git(["worktree", "prune"], root);
            } catch {
                // A stale entry is pruned by the next run; the folder is gone either way.
            }
        }
    };
    return { dir, remove };
}

/** How a plan run in another tree ended: its exit code and the last lines it printed. */
export interface TreePlanRun {
    readonly code: number | null;
    /** The last twelve lines of its output (stdout and stderr), for a message. */
    readonly tail: string;
}

/**
 * Runs that tree's own offline plan (`scripts/plan.ts` with `args`, by its own ts-node and
 * node_modules) in a process of its own, with the stack files it finds itself (this process's
 * PLATFORM_STACK_CONFIG_DIR is not passed on).
 */
export function runTreePlan(dir: string, args: readonly string[]): Promise<TreePlanRun> {
    const childEnv = { ...process.env };
    Reflect.deleteProperty(childEnv, STACK_CONFIG_DIR_VARIABLE);
    const tsNode = path.join(dir, "node_modules", "ts-node", "dist", "bin.js");
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [tsNode, "--transpile-only", "scripts/plan.ts", ...args], {
            cwd: dir,
            env: childEnv,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, tail: output.trim().split("\n").slice(-12).join("\n") }));
    });
}
