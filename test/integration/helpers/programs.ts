import * as path from "path";

/** The folder of a program only the integration suite runs (test/integration/programs/NAME). */
export function programDir(name: string): string {
    return path.join(__dirname, "..", "programs", name);
}
