import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const made: string[] = [];

/** A new empty folder under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `platform-${prefix}-`));
    made.push(dir);
    return dir;
}

process.on("exit", () => {
    for (const dir of made) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
