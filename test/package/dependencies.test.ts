import * as assert from "assert";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as ts from "typescript";

const PACKAGE_DIR = path.join(__dirname, "..", "..", "components");

/** Every TypeScript source of the package (not its build output, not its node_modules). */
function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
            return ["bin", "node_modules"].includes(e.name) ? [] : sources(full);
        }
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The npm package a module specifier names (`@scope/name/sub/path` -> `@scope/name`), or undefined for a relative one. */
function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith(".")) {
        return undefined;
    }
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("the component package declares every package its code loads (components/package.json)", () => {
    it("each import and require of components/**/*.ts names a Node.js built-in, a dependency or a peer dependency", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as {
            dependencies?: Record<string, string>;
            peerDependencies?: Record<string, string>;
        };
        const declared = new Set([
            ...Object.keys(manifest.dependencies ?? {}),
            ...Object.keys(manifest.peerDependencies ?? {}),
        ]);
        const builtins = new Set(builtinModules.map((m) => m.replace(/^node:/, "")));
        const undeclared = sources(PACKAGE_DIR).flatMap((file) =>
            ts
                .preProcessFile(fs.readFileSync(file, "utf8"), true, true)
                .importedFiles.map((f) => packageOf(f.fileName.replace(/^node:/, "")))
                .filter((p): p is string => p !== undefined && !builtins.has(p) && !declared.has(p))
                .map((p) => `${path.relative(PACKAGE_DIR, file)}: ${p}`),
        );
        // Installed on its own (npm pack, pulumi package add), the package gets only what it declares.
        assert.deepStrictEqual(undeclared, []);
    });
});
