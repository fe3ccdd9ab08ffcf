// Schema conformance of the plan's Kubernetes objects against the upstream schemas, through
// maintained model packages: kubernetes-models (Kubernetes), @kubernetes-models/istio and
// @kubernetes-models/prometheus-operator, @kubernetes-models/cert-manager. Their validators (generated from the upstream OpenAPI
// schemas and CRDs) check types, enums and required fields, but accept unknown fields; so the
// top-level fields and the `spec` fields of each object are also checked against the models'
// declared types (read from their .d.ts files with the TypeScript compiler).
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** The model packages and the API groups they cover. */
const PACKAGES: { pkg: string; covers: (group: string) => boolean }[] = [
    { pkg: "@kubernetes-models/istio", covers: (g) => g.endsWith(".istio.io") },
    { pkg: "@kubernetes-models/prometheus-operator", covers: (g) => g === "monitoring.coreos.com" },
    { pkg: "@kubernetes-models/cert-manager", covers: (g) => g === "cert-manager.io" },
    { pkg: "kubernetes-models", covers: () => true },
];

/** A Kubernetes manifest, as in manifests.yaml. */
export type Manifest = Record<string, any>;

/** One way an object breaks its schema. */
export interface ConformanceProblem {
    /** `<Kind> <namespace>/<name>` of the object. */
    readonly object: string;
    readonly message: string;
}

// The packages are ES modules. With `module: commonjs` TypeScript compiles `import()` to
// `require()`, which cannot load them; a Function body is not compiled, so this stays a real import().
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed string, the one way to a real import() here
const importModule = new Function("specifier", "return import(specifier)") as (
    specifier: string,
) => Promise<Record<string, any>>;

const ROOT = path.resolve(__dirname, "..", "..");

/** The model package and module path (`kubernetes-models/apps/v1`) of an apiVersion. */
function moduleOf(apiVersion: string): { pkg: string; dir: string } {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    const pkg = PACKAGES.find((p) => p.covers(group))!.pkg;
    return { pkg, dir: path.join(ROOT, "node_modules", pkg, apiVersion) };
}

const modules = new Map<string, Promise<Record<string, any> | undefined>>();

/** The model class of an apiVersion and kind, or undefined when no package has one. */
async function modelClass(
    apiVersion: string,
    kind: string,
): Promise<(new (data: unknown) => { validate(): void }) | undefined> {
    const { dir } = moduleOf(apiVersion);
    if (!modules.has(dir)) {
        const file = path.join(dir, "index.js");
        modules.set(dir, fs.existsSync(file) ? importModule(`file://${file}`) : Promise.resolve(undefined));
    }
    const mod = await modules.get(dir)!;
    return mod?.[kind];
}

/** `<Kind> <namespace>/<name>` of a manifest. */
export function objectName(m: Manifest): string {
    const md = m.metadata ?? {};
    return `${m.kind} ${md.namespace ? `${md.namespace}/` : ""}${md.name}`;
}

/** An ajv error as one readable line: `/spec/x must be one of A, B`. */
function describeError(e: { instancePath: string; message?: string; params?: Record<string, any> }): string {
    const at = e.instancePath || "/";
    if (e.params?.allowedValues) {
        return `${at} must be one of ${e.params.allowedValues.join(", ")}`;
    }
    if (e.params?.missingProperty) {
        return `${at === "/" ? "" : at}/${e.params.missingProperty} is required`;
    }
    return `${at} ${e.message}`;
}

/** How the plan shows a secret or unknown value (plan/recorder.ts): its shape cannot be checked. */
const MASKS = new Set(["[secret]", "[unknown]"]);

/**
 * A copy of `value` without its masked values, and the JSON pointers (`/stringData`) where they
 * were: a secret object shows as the string "[secret]", which no schema would accept.
 */
function withoutMasks(value: unknown, at = "", masked: string[] = []): { value: unknown; masked: string[] } {
    if (Array.isArray(value)) {
        return { value: value.map((v, i) => withoutMasks(v, `${at}/${i}`, masked).value), masked };
    }
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (typeof v === "string" && MASKS.has(v)) {
                masked.push(`${at}/${k}`);
            } else {
                out[k] = withoutMasks(v, `${at}/${k}`, masked).value;
            }
        }
        return { value: out, masked };
    }
    return { value, masked };
}

/** The declared fields of a model: top level and `spec` (undefined when `spec` is a free map). */
interface DeclaredFields {
    readonly top: Set<string>;
    readonly spec: Set<string> | undefined;
}

const declared = new Map<string, DeclaredFields | undefined>();

/**
 * Reads the declared top-level and `spec` fields of each (apiVersion, kind) from the models'
 * .d.ts files, with one TypeScript program for all of them.
 */
function loadDeclaredFields(kinds: { apiVersion: string; kind: string }[]): void {
    const wanted = kinds
        .map((k) => ({
            ...k,
            key: `${k.apiVersion}:${k.kind}`,
            file: path.join(moduleOf(k.apiVersion).dir, `${k.kind}.d.ts`),
        }))
        .filter((k) => !declared.has(k.key));
    if (wanted.length === 0) {
        return;
    }
    const present = wanted.filter((k) => fs.existsSync(k.file));
    const program = ts.createProgram(
        present.map((k) => k.file),
        {
            noEmit: true,
            skipLibCheck: true,
            types: [],
            module: ts.ModuleKind.ESNext,
            moduleResolution: ts.ModuleResolutionKind.Bundler,
            target: ts.ScriptTarget.ES2022,
        },
    );
    const checker = program.getTypeChecker();
    for (const k of wanted) {
        const source = program.getSourceFile(k.file);
        const iface = source?.statements.find(
            (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `I${k.kind}`,
        );
        if (!iface) {
            declared.set(k.key, undefined);
            continue;
        }
        const type = checker.getTypeAtLocation(iface);
        const top = new Set(checker.getPropertiesOfType(type).map((p) => p.name));
        const specSymbol = type.getProperty("spec");
        let spec: Set<string> | undefined;
        if (specSymbol) {
            const specType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(specSymbol, iface));
            const props = checker.getPropertiesOfType(specType);
            spec = specType.getStringIndexType() || props.length === 0 ? undefined : new Set(props.map((p) => p.name));
        }
        declared.set(k.key, { top, spec });
    }
}

/**
 * Every way `manifests` break the upstream schemas: an apiVersion/kind no model package knows,
 * a failed validation (type, enum, required field), an unknown top-level or `spec` field. Masked
 * values ("[secret]", "[unknown]") are left out of the validation: their shape is not known.
 */
export async function validateManifests(manifests: readonly Manifest[]): Promise<ConformanceProblem[]> {
    const problems: ConformanceProblem[] = [];
    loadDeclaredFields(
        manifests.filter((m) => m.apiVersion && m.kind).map((m) => ({ apiVersion: m.apiVersion, kind: m.kind })),
    );
    for (const m of manifests) {
        const object = objectName(m);
        const add = (message: string) => problems.push({ object, message });
        const Model =
            typeof m.apiVersion === "string" && typeof m.kind === "string"
                ? await modelClass(m.apiVersion, m.kind)
                : undefined;
        if (!Model) {
            add(
                `no upstream schema for apiVersion ${JSON.stringify(m.apiVersion)} kind ${JSON.stringify(m.kind)} (${PACKAGES.map((p) => p.pkg).join(", ")})`,
            );
            continue;
        }
        const { value, masked } = withoutMasks(m);
        try {
            new Model(value).validate();
        } catch (err: any) {
            const errors: any[] = Array.isArray(err?.errors)
                ? err.errors
                : [{ instancePath: "", message: String(err?.message ?? err) }];
            // A masked value that is required is there, only not shown.
            for (const e of errors.filter((e) => !masked.includes(`${e.instancePath}/${e.params?.missingProperty}`))) {
                add(describeError(e));
            }
        }
        const fields = declared.get(`${m.apiVersion}:${m.kind}`);
        if (fields) {
            for (const key of Object.keys(m).filter((k) => !fields.top.has(k))) {
                add(`unknown field ${key} (${m.kind} has ${[...fields.top].sort().join(", ")})`);
            }
            if (fields.spec && m.spec && typeof m.spec === "object") {
                for (const key of Object.keys(m.spec).filter((k) => !fields.spec!.has(k))) {
                    add(`unknown field spec.${key} (${m.kind} spec has ${[...fields.spec].sort().join(", ")})`);
                }
            }
        }
    }
    return problems;
}

/** One line per problem: `<Kind> <ns>/<name>: message`. */
export function formatProblem(p: ConformanceProblem): string {
    return `${p.object}: ${p.message}`;
}
