// Generates the files that are derived from the code, so they cannot drift from it:
//   - Pulumi.yaml's `config:` declarations, from the key declarations of the layers (layers/);
//   - the README's config and outputs tables, between their <!-- generated --> markers;
//   - schema/<layer>.json, the JSON Schema of each layer's stack config.
// `npm run gen` writes them; test/generated.test.ts fails when they are out of date.
import * as fs from "fs";
import * as path from "path";
import { generatedFiles } from "./generated";

for (const [file, text] of Object.entries(generatedFiles())) {
    const target = path.join(__dirname, "..", file);
    const before = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
    if (before !== text) {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
        console.log(`wrote ${file}`);
    } else {
        console.log(`${file} is up to date`);
    }
}
