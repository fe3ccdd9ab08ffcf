// A previous release's tree, for the release-upgrade test: its commit (the tag's, else the one
// CHANGELOG.md records, since tags may not reach every clone) checked out into a temporary,
// detached git worktree, with the node_modules of its own package-lock.json. `npm ci` runs once
// per lockfile: the installed node_modules is kept in a cache outside the clone, keyed by the
// lockfile's hash, Node's major version and the platform, and hard-linked (or copied) into the
// next worktree that needs it.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readPlanFile } from "./base-tree";
import { Release } from "./changelog";
import type { PlannedStack } from "./release-diff";
import { ROOT } from "./root";
import { git, runTreePlan, temporaryWorktree } from "./worktree";

/** The release cannot be checked out here: the message says why and what to do. */
export class ReleaseTreeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReleaseTreeError";
    }
}

/** A checked-out release and how to remove it. */
export interface ReleaseTree {
    readonly release: Release;
    readonly commit: string;
    /** The worktree's folder. */
    readonly dir: string;
    /** Where its node_modules came from: the cache, or `npm ci` just now (then cached). */
    readonly modules: "cached" | "installed";
    /** Removes the worktree and its temporary folder (the cache stays). */
    remove(): void;
}

function tryGit(args: readonly string[], cwd: string): string | undefined {
    try {
        return git(args, cwd);
    } catch {
        return undefined;
    }
}

/**
 * The commit of a release: its tag's when the clone has the tag (which must agree with the
 * changelog), else the commit CHANGELOG.md records, which must be in the clone's history.
 */
export function releaseCommit(release: Release, root = ROOT): string {
    const tagged = tryGit(["rev-parse", "--verify", "--quiet", `refs/tags/${release.tag}^{commit}`], root);
    if (release.commit === undefined) {
        if (tagged === undefined) {
            throw new ReleaseTreeError(
                `release ${release.version}: this clone has no tag ${release.tag} and CHANGELOG.md records no commit for it; fetch the tags (git fetch --tags) or record the commit (docs/releasing.md)`,
            );
        }
        return tagged;
    }
    if (tagged !== undefined && tagged !== release.commit) {
        throw new ReleaseTreeError(
            `tag ${release.tag} points at ${tagged}, but CHANGELOG.md records commit ${release.commit} for ${release.version}: correct one of them (docs/releasing.md)`,
        );
    }
    if (tryGit(["cat-file", "-e", `${release.commit}^{commit}`], root) === undefined) {
        throw new ReleaseTreeError(
            `commit ${release.commit} of release ${release.version} (CHANGELOG.md) is not in this clone's history; fetch it (git fetch --tags, or a full clone: actions/checkout with fetch-depth: 0)`,
        );
    }
    return release.commit;
}

/** The cache key of a tree's node_modules: its lockfile, Node's major version, the platform. */
export function modulesKey(lockfile: string): string {
    const hash = createHash("sha256");
    hash.update(lockfile);
    hash.update(`\0node${process.versions.node.split(".")[0]}\0${process.platform}-${process.arch}`);
    return hash.digest("hex").slice(0, 32);
}

/** Hard links of `from` at `to` (same file system), else a copy. */
function linkOrCopy(from: string, to: string): void {
    try {
        execFileSync("cp", ["-al", from, to], { stdio: ["ignore", "ignore", "pipe"] });
    } catch {
        fs.rmSync(to, { recursive: true, force: true });
        execFileSync("cp", ["-a", from, to], { stdio: ["ignore", "ignore", "pipe"] });
    }
}

function npm(args: readonly string[], cwd: string): void {
    execFileSync("npm", [...args], { cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
}

/**
 * Checks `release` out into a new temporary worktree of the repository at `root`, with its own
 * node_modules from `cacheDir` (installed with `npm ci` and cached there when missing). A cached
 * node_modules comes without what npm ci builds in the tree itself: the `prepare` scripts of the
 * root and its workspaces run again.
 */
export function checkoutRelease(
    release: Release,
    options: { cacheDir: string; root?: string; log?: (line: string) => void },
): ReleaseTree {
    const root = options.root ?? ROOT;
    const log = options.log ?? (() => undefined);
    const commit = releaseCommit(release, root);
    const { dir, remove } = temporaryWorktree(commit, root, `platform-release-${release.version}-`);
    try {
        const lockfile = path.join(dir, "package-lock.json");
        if (!fs.existsSync(lockfile)) {
            throw new ReleaseTreeError(
                `release ${release.version} (${commit}) has no package-lock.json to install from`,
            );
        }
        const cached = path.join(
            options.cacheDir,
            "release-node-modules",
            modulesKey(fs.readFileSync(lockfile, "utf8")),
        );
        const modules = path.join(dir, "node_modules");
        if (fs.existsSync(path.join(cached, "node_modules"))) {
            linkOrCopy(path.join(cached, "node_modules"), modules);
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
                workspaces?: unknown;
            };
            npm(["run", "--silent", "prepare", "--if-present"], dir);
            if (pkg.workspaces !== undefined) {
                npm(["run", "--silent", "prepare", "--workspaces", "--if-present"], dir);
            }
            log(`${release.tag}: node_modules from the cache (${cached})`);
            return { release, commit, dir, modules: "cached", remove };
        }
        log(`${release.tag}: npm ci in its worktree (once per lockfile; cached in ${cached})`);
        npm(["ci", "--no-audit", "--no-fund"], dir);
        // Into a folder of its own first, so a cache entry is whole or absent.
        const staging = `${cached}.${process.pid}.tmp`;
        fs.rmSync(staging, { recursive: true, force: true });
        fs.mkdirSync(staging, { recursive: true });
        linkOrCopy(modules, path.join(staging, "node_modules"));
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        try {
            fs.renameSync(staging, cached);
        } catch {
            // Another run cached the same lockfile meanwhile.
            fs.rmSync(staging, { recursive: true, force: true });
        }
        return { release, commit, dir, modules: "installed", remove };
    } catch (err) {
        remove();
        if (err instanceof ReleaseTreeError) {
            throw err;
        }
        const stderr = (err as { stderr?: string }).stderr;
        throw new ReleaseTreeError(
            `could not set up release ${release.version}'s tree (${commit}): ${(err as Error).message}${stderr ? `\n${stderr}` : ""}`,
        );
    }
}

/**
 * Every stack of environment `env` as the release's own offline plan makes it (its
 * `scripts/plan.ts --env`, run with its node_modules) from the stack files in `configDir`: its
 * resources (resources.json) and outputs (outputs.json; secret outputs read "[secret]"). Fails
 * with the end of what the plan printed when it fails.
 */
export function planRelease(tree: ReleaseTree, env: string, configDir: string): Promise<Map<string, PlannedStack>> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `platform-release-plan-${tree.release.version}-`));
    const args = ["--env", env, "--config-dir", configDir, "--out", out];
    return runTreePlan(tree.dir, args)
        .then(({ code, tail }) => {
            if (code !== 0) {
                throw new ReleaseTreeError(
                    `the offline plan of ${tree.release.tag} (${tree.commit.slice(0, 12)}) exited ${code}; what it printed last:\n${tail}`,
                );
            }
            const stacks = new Map<string, PlannedStack>();
            for (const stack of fs.readdirSync(out).sort()) {
                const file = (name: string) => path.join(out, stack, name);
                if (fs.existsSync(file("resources.json"))) {
                    stacks.set(stack, {
                        resources: readPlanFile(stack, file("resources.json")),
                        outputs: fs.existsSync(file("outputs.json"))
                            ? (JSON.parse(fs.readFileSync(file("outputs.json"), "utf8")) as Record<string, unknown>)
                            : {},
                    });
                }
            }
            return stacks;
        })
        .finally(() => fs.rmSync(out, { recursive: true, force: true }));
}
