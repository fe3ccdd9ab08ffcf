// Schema conformance of the plan's Kubernetes objects against the upstream schemas, through
// maintained model packages: kubernetes-models (Kubernetes), @kubernetes-models/istio and
// @kubernetes-models/prometheus-operator and @kubernetes-models/cert-manager. Only what the compiler cannot check is checked here:
// - the values as the plan records them, against the models' validators (generated from the
//   upstream OpenAPI schemas and CRDs): types, enums and required fields of values made at run
//   time (from config, from other resources' outputs, through spreads and casts);
// - that each apiVersion and kind exists (a CustomResource takes them as free strings);
// - that a custom resource has no top-level field beside apiVersion, kind, metadata and spec
//   (Pulumi's CustomResourceArgs take any key).
// Unknown fields inside `spec` and in built-in kinds are compile errors instead: every spec is
// built by a function typed with these same models (components/service/*.ts, mesh and
// observability specs) or with @pulumi/kubernetes' input types, and test/types/ proves a
// misspelled field fails `tsc`. The helper used to read the models' .d.ts files with the
// TypeScript compiler on every run to find unknown fields; the types do that now.
import * as fs from "fs";
import * as path from "path";

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

/** The top-level fields of a custom resource (the plan's manifests carry no status). */
const CUSTOM_RESOURCE_FIELDS = new Set(["apiVersion", "kind", "metadata", "spec"]);

/** Whether `apiVersion` is a custom resource's: one of the CRD model packages covers its group. */
function isCustomResource(apiVersion: string): boolean {
    return moduleOf(apiVersion).pkg !== "kubernetes-models";
}

/**
 * Every way `manifests` break the upstream schemas: an apiVersion/kind no model package knows,
 * a failed validation (type, enum, required field), an unknown top-level field of a custom
 * resource. Masked values ("[secret]", "[unknown]") are left out of the validation: their shape
 * is not known.
 */
export async function validateManifests(manifests: readonly Manifest[]): Promise<ConformanceProblem[]> {
    const problems: ConformanceProblem[] = [];
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
        if (isCustomResource(m.apiVersion)) {
            for (const key of Object.keys(m).filter((k) => !CUSTOM_RESOURCE_FIELDS.has(k))) {
                add(`unknown field ${key} (a ${m.kind} has ${[...CUSTOM_RESOURCE_FIELDS].join(", ")})`);
            }
        }
    }
    return problems;
}

/** One line per problem: `<Kind> <ns>/<name>: message`. */
export function formatProblem(p: ConformanceProblem): string {
    return `${p.object}: ${p.message}`;
}
