import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** The project's TypeScript files (tsconfig.json's), as the compiler reads that config. */
function projectFiles(): { files: string[]; options: ts.CompilerOptions } {
    const configFile = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), (f) => ts.sys.readFile(f));
    const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
    return { files: parsed.fileNames, options: parsed.options };
}

/** One import of one file of the project by another: `from` imports `to` (paths from the repository root). */
interface Edge {
    readonly from: string;
    readonly to: string;
    /** The import names the component package (`@platform/components/<entry>`) rather than a path. */
    readonly byPackageName?: boolean;
}

/** The component package's name: an import of it or of one of its entries is an edge into components/. */
const PACKAGE = "@platform/components";

/**
 * Every import between the project's own files, read by the compiler (`import`, `export ... from`,
 * `import()`, `require()`; type-only imports too, they are part of the design) and resolved as tsc
 * resolves them.
 */
function importEdges(): Edge[] {
    const { files, options } = projectFiles();
    const cache = ts.createModuleResolutionCache(ROOT, (f) => f, options);
    const edges: Edge[] = [];
    for (const file of files) {
        const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        for (const imported of info.importedFiles) {
            if (imported.fileName === PACKAGE || imported.fileName.startsWith(`${PACKAGE}/`)) {
                const entry =
                    imported.fileName === PACKAGE
                        ? "index.ts"
                        : `${imported.fileName.slice(PACKAGE.length + 1)}/public.ts`;
                edges.push({
                    from: path.relative(ROOT, file),
                    to: path.join("components", entry),
                    byPackageName: true,
                });
                continue;
            }
            const resolved = ts.resolveModuleName(imported.fileName, file, options, ts.sys, cache).resolvedModule;
            if (resolved === undefined || resolved.isExternalLibraryImport) {
                continue;
            }
            const to = path.relative(ROOT, resolved.resolvedFileName);
            if (!to.startsWith("..") && !to.split(path.sep).includes("node_modules")) {
                edges.push({ from: path.relative(ROOT, file), to });
            }
        }
    }
    return edges;
}

/** The top-level folder of a path (`layers` for `layers/common/deploy.ts`); a file at the root is its own. */
function topFolder(file: string): string {
    return file.split(path.sep)[0];
}

/** The cycles of a graph: its strongly connected components with more than one node (Tarjan), each sorted. */
function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const components: string[][] = [];
    const visit = (node: string): void => {
        index.set(node, index.size);
        low.set(node, index.get(node) ?? 0);
        stack.push(node);
        onStack.add(node);
        for (const next of graph.get(node) ?? []) {
            if (!index.has(next)) {
                visit(next);
                low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
            } else if (onStack.has(next)) {
                low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
            }
        }
        if (low.get(node) === index.get(node)) {
            const component: string[] = [];
            let member: string | undefined;
            do {
                member = stack.pop();
                if (member !== undefined) {
                    onStack.delete(member);
                    component.push(member);
                }
            } while (member !== undefined && member !== node);
            if (component.length > 1) {
                components.push(component.sort());
            }
        }
    };
    for (const node of [...graph.keys()].sort()) {
        if (!index.has(node)) {
            visit(node);
        }
    }
    return components;
}

/** The folder graph of the edges: folder to the folders its files import (itself left out). */
function folderGraph(edges: readonly Edge[]): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
        const [a, b] = [topFolder(from), topFolder(to)];
        if (a !== b) {
            graph.set(a, (graph.get(a) ?? new Set()).add(b));
            graph.set(b, graph.get(b) ?? new Set());
        }
    }
    return graph;
}

/** The imports that make up a cycle of folders, for the message: `infra/program.ts -> layers/common/deploy.ts`. */
function edgesWithin(cycle: readonly string[], edges: readonly Edge[]): string[] {
    return edges
        .filter((e) => topFolder(e.from) !== topFolder(e.to))
        .filter((e) => cycle.includes(topFolder(e.from)) && cycle.includes(topFolder(e.to)))
        .map((e) => `${e.from} -> ${e.to}`);
}

describe("the import graph (read by the TypeScript compiler)", function () {
    this.timeout(60_000);
    const edges = importEdges();

    it("reads the project's imports, across folders and within them", () => {
        // The program reads the layers, and a layer's deploy reads its own config: the reader works.
        assert.ok(edges.some((e) => e.from === path.join("infra", "program.ts") && topFolder(e.to) === "layers"));
        assert.ok(
            edges.some(
                (e) =>
                    e.from === path.join("layers", "common", "deploy.ts") &&
                    e.to === path.join("layers", "common", "config.ts"),
            ),
        );
    });

    it("has no cycle between top-level folders", () => {
        const cycles = cyclesOf(folderGraph(edges));
        assert.deepStrictEqual(
            cycles.map((c) => ({ folders: c, imports: edgesWithin(c, edges) })),
            [],
            "top-level folders import each other",
        );
    });

    it("runs one way: components <- layers <- infra (the program) <- plan <- scripts, and no product folder imports test/", () => {
        const graph = folderGraph(edges);
        const imports = (folder: string) => [...(graph.get(folder) ?? [])].sort();
        // The component package stands alone: a consumer of it gets none of the program.
        assert.deepStrictEqual(imports("components"), []);
        assert.deepStrictEqual(imports("layers"), ["components"]);
        assert.deepStrictEqual(imports("infra"), ["components", "layers"]);
        assert.deepStrictEqual(imports("policy"), ["components"]);
        for (const folder of ["components", "layers", "infra", "plan", "policy", "scripts"]) {
            assert.ok(!imports(folder).includes("test"), `${folder} imports test/`);
        }
    });

    it("the program (infra/, layers/) reaches the component package by its name only, through entries that exist", () => {
        const program = edges.filter(
            (e) => ["infra", "layers"].includes(topFolder(e.from)) && topFolder(e.to) === "components",
        );
        assert.ok(program.length > 20, "the program imports the package");
        assert.deepStrictEqual(
            program.filter((e) => !e.byPackageName).map((e) => `${e.from} -> ${e.to}`),
            [],
            "imports of components/ by path",
        );
        assert.deepStrictEqual(
            program.filter((e) => !fs.existsSync(path.join(ROOT, e.to))).map((e) => `${e.from} -> ${e.to}`),
            [],
            "imports of entries the package does not have",
        );
    });

    it("finds a cycle when there is one (the check itself)", () => {
        const graph = folderGraph([
            { from: "infra/program.ts", to: "layers/common/deploy.ts" },
            { from: "layers/service/deploy.ts", to: "infra/environment.ts" },
            { from: "layers/common/deploy.ts", to: "components/mesh/istio.ts" },
        ]);
        assert.deepStrictEqual(cyclesOf(graph), [["infra", "layers"]]);
    });
});
