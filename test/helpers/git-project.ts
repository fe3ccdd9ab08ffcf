import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../plan/stack-config";
import { shareModules } from "../../plan/worktree";
import { copyFixtureStacks } from "./stacks";
import { tempDir } from "./temp";

/** What the offline plan and the engine need of the project: its code, its package and build files and Pulumi.yaml. */
const PROJECT_PARTS = [
    "Pulumi.yaml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "tsconfig.build.json",
    "infra",
    "components",
    "layers",
    "plan",
    "scripts",
    "policy",
];

/** Runs git in `dir` as a test user; returns its output. */
export function git(dir: string, ...args: string[]): string {
    return execFileSync(
        "git",
        [
            "-c",
            "user.name=platform-test",
            "-c",
            "user.email=platform-test@example.com",
            "-c",
            "commit.gpgsign=false",
            ...args,
        ],
        { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    ).trim();
}

/**
 * A git repository in a temporary folder holding this project's code as it is now (the component
 * package's build too), the tests' own stack files (test/fixtures/stacks) at its root and this
 * checkout's installed packages (links; the component package its own: plan/worktree.ts
 * shareModules), with one commit: a project a test can change and plan with `--diff HEAD`.
 */
export function gitProject(name: string): string {
    const dir = tempDir(name);
    for (const part of PROJECT_PARTS) {
        fs.cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
    }
    copyFixtureStacks(dir);
    shareModules(ROOT, dir);
    // The repository's own ignores (out/, bin/, ...), and node_modules, which holds links here.
    const ignores = fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8");
    fs.writeFileSync(path.join(dir, ".gitignore"), `${ignores.trimEnd()}\nnode_modules\n`);
    git(dir, "init", "--quiet", "--initial-branch=main");
    git(dir, "add", "--all");
    git(dir, "commit", "--quiet", "--message", "base");
    return dir;
}

/** What a run of `npm run plan` printed, and how it ended. */
export interface PlanRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs `npm run plan -- <args>` of the project in `dir` (its own scripts/plan.ts, in a process of
 * its own), as a user does: its component package built first from its sources as they are now.
 */
export function runPlan(dir: string, args: readonly string[]): Promise<PlanRun> {
    execFileSync("npm", ["run", "--silent", "build:components"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [
                path.join(dir, "node_modules", "ts-node", "dist", "bin.js"),
                "--transpile-only",
                "scripts/plan.ts",
                ...args,
            ],
            { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) =>
                resolve({ status: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
    });
}
