// The built program the engine runs (bin/infra/index.js) refuses to start when its sources changed
// after the build: infra/build.ts records them and checks them.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BuildError, checkBuild, projectRoot, sourceDigests, staleSources } from "../../infra/build";

const ROOT = path.resolve(__dirname, "..", "..");

/** A project folder with Pulumi.yaml, sources in infra/, layers/, components/ and a build in bin/ stamped from them. */
function project(): { root: string; built: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "build-check-"));
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    };
    write("Pulumi.yaml", "name: platform\n");
    write("infra/index.ts", "export = 1;\n");
    write("layers/service/deploy.ts", "export const a = 1;\n");
    write("components/service/service.ts", "export const b = 1;\n");
    // Build output and installed packages are not sources.
    write("components/bin/service/service.js", "exports.b = 1;\n");
    write("components/node_modules/x/index.js", "\n");
    const built = path.join(root, "bin", "infra");
    fs.mkdirSync(built, { recursive: true });
    fs.writeFileSync(path.join(built, "build.json"), JSON.stringify({ sources: sourceDigests(root) }));
    return { root, built };
}

describe("the built program's check of its sources (infra/build.ts)", () => {
    it("records every file of infra/, layers/ and components/ but build output and packages, in path order", () => {
        const { root } = project();
        assert.deepStrictEqual(Object.keys(sourceDigests(root)), [
            "components/service/service.ts",
            "infra/index.ts",
            "layers/service/deploy.ts",
        ]);
        assert.match(sourceDigests(root)["infra/index.ts"], /^[0-9a-f]{64}$/);
    });

    it("names the files changed, added and removed since the build", () => {
        const { root } = project();
        const stamp = { sources: sourceDigests(root) };
        fs.writeFileSync(path.join(root, "infra", "index.ts"), "export = 2;\n");
        fs.writeFileSync(path.join(root, "layers", "service", "hosts.ts"), "\n");
        fs.rmSync(path.join(root, "components", "service", "service.ts"));
        assert.deepStrictEqual(staleSources(stamp, sourceDigests(root)), [
            "components/service/service.ts",
            "infra/index.ts",
            "layers/service/hosts.ts",
        ]);
    });

    it("lets a fresh build run, and refuses a stale one or one without its stamp, saying what to run", () => {
        const { root, built } = project();
        checkBuild(built);
        fs.appendFileSync(path.join(root, "layers", "service", "deploy.ts"), "export const c = 2;\n");
        assert.throws(
            () => checkBuild(built),
            (err: Error) =>
                err instanceof BuildError &&
                err.message ===
                    "the program's sources changed after its last build (layers/service/deploy.ts): run `npm run build` in the project's folder, then pulumi again",
        );
        fs.rmSync(path.join(built, "build.json"));
        assert.throws(
            () => checkBuild(built),
            (err: Error) =>
                err.message ===
                "the built program in bin/infra has no build.json: run `npm run build` in the project's folder, then pulumi again",
        );
    });

    it("lists five changed files and counts the rest", () => {
        const { root, built } = project();
        for (let i = 0; i < 7; i++) {
            fs.writeFileSync(path.join(root, "infra", `new-${i}.ts`), "\n");
        }
        assert.throws(
            () => checkBuild(built),
            (err: Error) =>
                err.message.startsWith(
                    "the program's sources changed after its last build (infra/new-0.ts, infra/new-1.ts, infra/new-2.ts, infra/new-3.ts, infra/new-4.ts and 2 more)",
                ),
        );
    });

    it("finds the project's folder from the built program's (bin/infra) as from the sources' (infra)", () => {
        assert.strictEqual(projectRoot(path.join(ROOT, "bin", "infra")), ROOT);
        assert.strictEqual(projectRoot(path.join(ROOT, "infra")), ROOT);
    });

    it("this project's build is the one npm test just made from these sources", () => {
        checkBuild(path.join(ROOT, "bin", "infra"));
    });
});
