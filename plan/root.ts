import * as path from "path";

/** The repository root (where Pulumi.yaml is). */
export const ROOT = path.resolve(__dirname, "..");
