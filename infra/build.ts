// The program as the engine runs it: JavaScript built from infra/ and layers/ (`npm run build`, into
// bin/), over the component package's own build (components/bin/). A build that is older than its
// sources would deploy code nobody reviewed, so the build records a digest of every source it was
// made from (bin/infra/build.json), and the built program refuses to start when the sources in the
// project differ from it, naming the files and the command to run.
//
//   node bin/infra/build.js    (npm run build:program, after tsc) writes the stamp
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/** The folders, from the project's root, whose files the built program is made of. */
export const BUILD_SOURCES = ["infra", "layers", "components"] as const;

/** Folders inside those that are build output or installed packages, not sources. */
const NOT_SOURCES = new Set(["bin", "node_modules"]);

/** The stamp, beside the built entry point. */
export const STAMP_FILE = "build.json";

/** What a build records: each source file (from the project's root) and the SHA-256 of its bytes. */
export interface BuildStamp {
    readonly sources: Readonly<Record<string, string>>;
}

/** The project's root: the nearest folder above `from` that holds Pulumi.yaml. */
export function projectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no Pulumi.yaml in ${from} or any folder above it`);
        }
    }
}

/** Every source file under the build's folders, with its digest, in path order. */
export function sourceDigests(root: string): Record<string, string> {
    const digests: Record<string, string> = {};
    const walk = (relative: string): void => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const file = path.posix.join(relative, entry.name);
            if (entry.isDirectory()) {
                if (!NOT_SOURCES.has(entry.name)) {
                    walk(file);
                }
            } else if (entry.isFile()) {
                digests[file] = createHash("sha256")
                    .update(fs.readFileSync(path.join(root, file)))
                    .digest("hex");
            }
        }
    };
    for (const folder of BUILD_SOURCES) {
        walk(folder);
    }
    return Object.fromEntries(Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The files that differ between a stamp and the sources now: changed, added or removed. */
export function staleSources(stamp: BuildStamp, now: Readonly<Record<string, string>>): string[] {
    const files = new Set([...Object.keys(stamp.sources), ...Object.keys(now)]);
    return [...files].filter((f) => stamp.sources[f] !== now[f]).sort();
}

/**
 * Refuses to run a built program whose sources changed after its build. `builtDir` is the folder
 * of the built entry point (bin/infra).
 */
export function checkBuild(builtDir: string): void {
    const root = projectRoot(builtDir);
    const stampFile = path.join(builtDir, STAMP_FILE);
    const rebuild = "run `npm run build` in the project's folder, then pulumi again";
    if (!fs.existsSync(stampFile)) {
        throw new BuildError(`the built program in ${path.relative(root, builtDir)} has no ${STAMP_FILE}: ${rebuild}`);
    }
    const stale = staleSources(JSON.parse(fs.readFileSync(stampFile, "utf8")) as BuildStamp, sourceDigests(root));
    if (stale.length > 0) {
        const shown = stale.slice(0, 5).join(", ") + (stale.length > 5 ? ` and ${stale.length - 5} more` : "");
        throw new BuildError(`the program's sources changed after its last build (${shown}): ${rebuild}`);
    }
}

/** A built program that must not run; its message says why and what to do (no stack trace). */
export class BuildError extends pulumi.RunError {}

if (require.main === module) {
    const root = projectRoot(__dirname);
    const stamp: BuildStamp = { sources: sourceDigests(root) };
    fs.writeFileSync(path.join(__dirname, STAMP_FILE), JSON.stringify(stamp, null, 1) + "\n");
}
