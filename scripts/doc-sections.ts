import * as fs from "fs";

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
