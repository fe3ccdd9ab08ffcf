import * as fs from "fs";
import * as path from "path";

/**
 * Replaces the section `name` of a Markdown file (between `<!-- begin NAME -->` and
 * `<!-- end NAME -->`) with `text`, keeping the rest of the file; appends the section when the file
 * has none. Two scripts write docs/benchmarks.md this way without erasing each other's figures.
 */
export function writeSection(file: string, name: string, text: string): void {
    const begin = `<!-- begin ${name} -->`;
    const end = `<!-- end ${name} -->`;
    const block = `${begin}\n${text.trimEnd()}\n${end}\n`;
    const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const i = old.indexOf(begin);
    const j = old.indexOf(end);
    const next =
        i >= 0 && j > i
            ? old.slice(0, i) + block + old.slice(j + end.length + 1)
            : `${old}${old && !old.endsWith("\n\n") ? "\n" : ""}${block}`;
    fs.writeFileSync(file, next);
}

/**
 * Writes a benchmark's section `name`: into docs/benchmarks.md (tracked) when `updateDocs`, else into
 * out/benchmarks-<name>.md; prints it and where it went.
 */
export function writeBenchmarkSection(root: string, name: string, lines: readonly string[], updateDocs = false): void {
    const file = updateDocs
        ? path.join(root, "docs", "benchmarks.md")
        : path.join(root, "out", `benchmarks-${name}.md`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeSection(file, name, lines.join("\n"));
    console.log(`\n${lines.join("\n")}\nwrote ${path.relative(process.cwd(), file)}`);
}
