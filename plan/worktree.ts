// Another revision of the repository, checked out beside this one into a temporary git worktree
// (detached at a commit): the base tree of `npm run plan -- --diff` (./base-tree.ts) and a
// release's tree (./release-tree.ts) are planned there with their own code.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

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
