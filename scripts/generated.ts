import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ALL_KEYS, KeySpec, LAYERS, NAMESPACE, layerJsonSchema } from "../layers/config";
import { COMMON_OUTPUTS } from "../layers/common/outputs";
import { GLOBAL_OUTPUTS } from "../layers/global/outputs";
import { OutputDoc } from "../layers/outputs";
import { SERVICE_OUTPUTS } from "../layers/service/outputs";

const ROOT = path.join(__dirname, "..");

/** The part of Pulumi.yaml above `config:`, kept as written. */
const PROJECT_HEADER = `# Generated in part by \`npm run gen\` from the config key declarations (layers/*/config.ts and the components' config slices): edit them there, not here.
name: ${NAMESPACE}
description: Layered stacks for an AWS EKS platform with an Istio mesh, Prometheus, Grafana and Jaeger
runtime:
  name: nodejs
  options:
    typescript: false
main: bin/infra/index.js
`;

/** A key's declaration in Pulumi.yaml: description, type, default — in that order. */
function declaration(spec: KeySpec): Record<string, unknown> {
    const decl: Record<string, unknown> = { description: spec.description };
    switch (spec.type) {
        case "string":
        case "integer":
        case "boolean":
            decl.type = spec.type;
            break;
        case "string[]":
            decl.type = "array";
            decl.items = { type: "string" };
            break;
        case "integer[]":
            decl.type = "array";
            decl.items = { type: "integer" };
            break;
        default:
            // Pulumi.yaml cannot type objects; infra/config.ts checks them field by field.
            break;
    }
    // Every key has a default, or the engine refuses every stack that does not set it. Secret keys
    // are not declared `secret: true` (it forbids that default); the program refuses them when a
    // stack sets them in plain text, and reads them with getSecret.
    decl.default = spec.default;
    return decl;
}

export function pulumiYaml(): string {
    const config: Record<string, unknown> = {
        // Only explicit providers: every resource must be given the stack's aws or kubernetes provider.
        "pulumi:disable-default-providers": { value: ["*"] },
    };
    for (const spec of ALL_KEYS) {
        config[spec.key] = declaration(spec);
    }
    return PROJECT_HEADER + yaml.dump({ config }, { lineWidth: -1, noRefs: true, sortKeys: false });
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function configTable(): string {
    const rows = ALL_KEYS.map((k) => {
        const def = k.requiredIn?.length
            ? `required in ${k.requiredIn.join(", ")}`
            : `\`${JSON.stringify(k.default)}\`${k.secret ? " (secret: set with --secret)" : ""}`;
        return `| \`${NAMESPACE}:${k.key}\` | ${k.layers.join(", ")} | ${k.type} | ${cell(def)} | ${cell(k.description)} |`;
    });
    return ["| key | layers | type | default | description |", "|---|---|---|---|---|", ...rows].join("\n");
}

function outputsTable(): string {
    const layers: [string, Readonly<Record<string, OutputDoc>>][] = [
        ["global (`<env>`)", GLOBAL_OUTPUTS],
        ["common (`<env>-common`)", COMMON_OUTPUTS],
        ["service (`<env>-<service>`)", SERVICE_OUTPUTS],
    ];
    const rows = layers.flatMap(([layer, docs]) =>
        Object.entries(docs as Record<string, { description: string; kind: string; secret?: boolean }>).map(
            ([key, doc]) =>
                `| ${layer} | \`${key}\` | ${doc.kind}${doc.secret ? " (secret)" : ""} | ${cell(doc.description)} |`,
        ),
    );
    return ["| layer | output | type | description |", "|---|---|---|---|", ...rows].join("\n");
}

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
function fill(text: string, name: string, content: string): string {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) {
        throw new Error(`README.md has no ${start} ... ${end} markers`);
    }
    return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}

/** Every generated file's expected text, by path from the repository root. */
export function generatedFiles(): Record<string, string> {
    let readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    readme = fill(readme, "config", configTable());
    readme = fill(readme, "outputs", outputsTable());
    const schemas = Object.fromEntries(
        LAYERS.map((layer) => [`schema/${layer}.json`, `${JSON.stringify(layerJsonSchema(layer), null, 2)}\n`]),
    );
    return { "Pulumi.yaml": pulumiYaml(), "README.md": readme, ...schemas };
}
