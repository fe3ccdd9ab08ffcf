// Preloaded (node -r) before any other module of a child process, so that every module's copy of
// the `fs` namespace (TypeScript's and SWC's import helpers copy it on first import) holds the
// counting readFileSync: counts the reads of the files of COUNT_READS_DIR and of COUNT_READS_PROJECT
// (the project's Pulumi.yaml), by file name, and writes the counts as JSON to COUNT_READS_OUT when
// the process exits. Used by test/infra/environment.test.ts.
"use strict";
const fs = require("fs");
const path = require("path");

const dir = process.env.COUNT_READS_DIR;
const project = process.env.COUNT_READS_PROJECT;
const out = process.env.COUNT_READS_OUT;
const counts = {};
const readFileSync = fs.readFileSync;
fs.readFileSync = function countingReadFileSync(file, ...rest) {
    const name =
        typeof file !== "string"
            ? undefined
            : file === project
              ? "Pulumi.yaml (the project's)"
              : file.startsWith(dir + path.sep)
                ? path.basename(file)
                : undefined;
    if (name !== undefined) {
        counts[name] = (counts[name] ?? 0) + 1;
    }
    return readFileSync.call(this, file, ...rest);
};
process.on("exit", () => fs.writeFileSync(out, JSON.stringify(counts)));
