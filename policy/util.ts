// Small readers shared by the policies. Props are plain JSON: resource inputs for
// validateResource, outputs (inputs plus computed values, some unknown in a preview) for
// validateStack.
import { UnknownValueError } from "@pulumi/policy";

/** A plain object, or undefined for anything else. */
export function obj(value: unknown): Record<string, any> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, any>)
        : undefined;
}

/** An array, or [] for anything else. */
export function list(value: unknown): any[] {
    return Array.isArray(value) ? value : [];
}

/** The API group, version and kind of a Kubernetes type token (`kubernetes:apps/v1:Deployment`). */
export interface KubernetesType {
    /** `""` for the core group (`kubernetes:core/v1:Pod`). */
    readonly group: string;
    readonly version: string;
    readonly kind: string;
}

/**
 * Reads a Kubernetes type token. Typed resources and `apiextensions.CustomResource` both register
 * as `kubernetes:<group>/<version>:<Kind>` (the core group as `core`), so an Istio
 * AuthorizationPolicy is `kubernetes:security.istio.io/v1:AuthorizationPolicy`.
 */
export function kubernetesType(type: string): KubernetesType | undefined {
    const m = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m || m[1] === "helm.sh" || m[1] === "yaml" || m[1] === "kustomize") {
        return undefined;
    }
    return { group: m[1] === "core" ? "" : m[1], version: m[2], kind: m[3] };
}

/** Whether `type` is `kind` of API group `group` (any version). */
export function isKind(type: string, group: string, kind: string): boolean {
    const t = kubernetesType(type);
    return t?.group === group && t.kind === kind;
}

/** `<namespace>/<name>` of a Kubernetes object's props, for messages. */
export function objectRef(props: Record<string, any>): string {
    const md = obj(props.metadata) ?? {};
    return md.namespace ? `${md.namespace}/${md.name}` : String(md.name);
}

/** A provider input that the engine passes JSON-encoded (aws `defaultTags`), decoded. */
export function decoded(value: unknown): unknown {
    if (typeof value === "string" && /^[[{]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/**
 * The environment a stack's resources belong to: the `environment` tag of the aws provider's
 * defaultTags or of any AWS resource, or the `environment` label of any Kubernetes object (every
 * layer writes one of them). Undefined when none says.
 */
export function environmentOfResources(
    resources: readonly { type: string; props: Record<string, any> }[],
): string | undefined {
    for (const r of resources) {
        const candidates = [
            obj(obj(decoded(r.props.defaultTags))?.tags)?.environment,
            obj(r.props.tags)?.environment,
            obj(r.props.tagsAll)?.environment,
            obj(obj(r.props.metadata)?.labels)?.environment,
        ];
        const env = candidates.find((c) => typeof c === "string" && c !== "");
        if (env !== undefined) {
            return env;
        }
    }
    return undefined;
}

/**
 * A prop that may be unknown in a preview (the ARN of a key created in the same update): the
 * engine's proxy throws on reading it. `set` when it is unknown, so the preview checks that the
 * input is given at all; its value is checked by `pulumi up`, when it is known.
 */
export function readPossiblyUnknown(props: Record<string, any>, key: string): { value?: unknown; unknown: boolean } {
    try {
        return { value: props[key], unknown: false };
    } catch (err) {
        if (err instanceof UnknownValueError) {
            return { unknown: true };
        }
        throw err;
    }
}

/** The statements of an IAM policy document (a JSON string or an object), or undefined when it is not one. */
export function policyStatements(document: unknown): Record<string, any>[] | undefined {
    const doc = obj(decoded(document));
    if (!doc) {
        return undefined;
    }
    const statements = Array.isArray(doc.Statement) ? doc.Statement : obj(doc.Statement) ? [doc.Statement] : [];
    return statements.map((st) => obj(st) ?? {});
}
