import * as fs from "fs";
import * as path from "path";

/** The executable `name` on PATH, or undefined. */
export function onPath(name: string, pathVariable = process.env.PATH ?? ""): string | undefined {
    for (const dir of pathVariable.split(path.delimiter).filter((d) => d !== "")) {
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // not here
        }
    }
    return undefined;
}
