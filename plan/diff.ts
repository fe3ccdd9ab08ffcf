// The change-risk review: what `pulumi up` of a change would do to each stack of an environment,
// decided offline from the plans of two trees (`npm run plan -- --env <env> --diff <ref>`, README
// "Plan offline"): resources created, updated (which inputs), replaced (why) and deleted, the
// access-matrix edges added and removed, and which replacements or deletions lose something (a
// protected or stateful resource), which fail the command unless acknowledged. Pure: it compares
// plans; plan/base-tree.ts plans the other tree.
import type { AccessRow } from "./access-plan";
import { RecordedOptions, RecordedResource } from "./recorder";
import { STATEFUL_TYPES, gvkOf, replaceRuleOf } from "./replacement";

/** The options a change's verdict depends on; unset ones are their defaults. */
export type DiffOptions = Partial<
    Pick<RecordedOptions, "protect" | "retainOnDelete" | "replaceOnChanges" | "deleteBeforeReplace" | "ignoreChanges">
>;

/** A resource of a planned stack, as the diff compares it (from a plan in memory or a plan's resources.json). */
export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** A component the engine does not diff (a remote one such as eks.Cluster is diffed by its inputs). */
    readonly component: boolean;
    /** The name of the provider the resource is managed by, when known. */
    readonly provider?: string | null;
    readonly inputs: Record<string, unknown>;
    readonly options: DiffOptions;
    /** For each input, the URNs of the resources its value comes from (the head tree's plan only). */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** A resource of a plan in memory, as the diff reads it. */
export function plannedResource(r: RecordedResource): PlannedResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        component: !r.custom && !r.remote,
        provider: r.provider,
        inputs: r.inputs,
        options: r.options,
        propertyDependencies: r.propertyDependencies,
    };
}

/** What `pulumi up` does to a resource. */
export type Operation = "create" | "update" | "replace" | "delete";

/** Why a replacement or a deletion loses something, and whether `--allow-replace` acknowledged it. */
export interface Risk {
    /** `protect` (the engine refuses the operation until it is unprotected) and `retainOnDelete` (the old one stays behind, outside Pulumi). */
    readonly protection: ("protect" | "retainOnDelete")[];
    /** What a resource of its type holds (plan/replacement.ts STATEFUL_TYPES). */
    readonly stateful?: string;
    readonly acknowledged: boolean;
}

/** One resource that changes. */
export interface ResourceChange {
    readonly op: Operation;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** update and replace: the input paths that change; ` (known after apply)` marks one that comes from a replaced resource. */
    readonly inputs: string[];
    /** replace: what forces it. */
    readonly reasons: string[];
    /** replace: the old one is deleted before the new one is created. */
    readonly deleteBeforeReplace?: boolean;
    /** replace and delete of a protected or stateful resource. */
    readonly risk?: Risk;
}

/** One stack's changes. */
export interface StackDiff {
    readonly stack: string;
    /** `added`: no stack file in the base tree; `removed`: no stack file in the head tree. */
    readonly status: "added" | "removed" | "changed" | "unchanged";
    readonly changes: ResourceChange[];
    /** Resources of the stack that stay as they are. */
    readonly unchanged: number;
}

/** The marker of an input whose new value is only known after apply. */
export const AFTER_APPLY = " (known after apply)";

/** Paths of `a` and `b` that differ, leaf by leaf (`spec.template.spec.containers[0].image`); a whole subtree added or removed is one path. */
export function changedPaths(a: unknown, b: unknown, at = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) {
        return [];
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        return Array.from({ length: Math.max(a.length, b.length) }, (_, i) =>
            i < a.length && i < b.length ? changedPaths(a[i], b[i], `${at}[${i}]`) : [`${at}[${i}]`],
        ).flat();
    }
    if (isMap(a) && isMap(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => changedPaths(a[k], b[k], at === "" ? k : `${at}.${k}`));
    }
    return [at];
}

function isMap(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A path as segments, array indexes as `[i]`: `a.b[0].c` is `a`, `b`, `[0]`, `c`. */
function segments(path: string): string[] {
    return path.split(/\.|(?=\[)/).filter((s) => s !== "");
}

/** Whether one path lies within the other (`spec.selector` and `spec.selector.matchLabels.app`); `[*]` matches any index. */
export function overlaps(a: string, b: string): boolean {
    const x = segments(a);
    const y = segments(b);
    return x.slice(0, Math.min(x.length, y.length)).every((s, i) => s === y[i] || s === "[*]" || y[i] === "[*]");
}

/** The changed paths an `ignoreChanges` list leaves, as the engine does. */
function notIgnored(paths: readonly string[], ignored: readonly string[] = []): string[] {
    return paths.filter((p) => !ignored.some((i) => overlaps(i, p) && segments(i).length <= segments(p).length));
}

/** Why the change of `paths` replaces `r`, one reason per replace-on-change property hit. */
function directReasons(r: PlannedResource, paths: readonly string[]): string[] {
    const rule = replaceRuleOf(r.type);
    const properties = [...(rule?.properties ?? []), ...(r.options.replaceOnChanges ?? [])];
    return paths
        .filter((p) => properties.some((q) => overlaps(q, p)))
        .map(
            (p) =>
                `${p} changes (${(r.options.replaceOnChanges ?? []).some((q) => overlaps(q, p)) ? "replaceOnChanges" : "replace-on-change property"})`,
        );
}

/** The verdict on one resource that is in both plans, before replacements cascade. */
interface Compared {
    readonly base: PlannedResource;
    readonly head: PlannedResource;
    /** Grows as replacements cascade. */
    inputs: string[];
    reasons: string[];
}

function compare(base: PlannedResource, head: PlannedResource): Compared {
    if (head.component) {
        return { base, head, inputs: [], reasons: [] };
    }
    const inputs = notIgnored(changedPaths(base.inputs, head.inputs), head.options.ignoreChanges);
    const reasons = directReasons(head, inputs);
    if (
        (base.provider ?? null) !== (head.provider ?? null) &&
        base.provider !== undefined &&
        head.provider !== undefined
    ) {
        reasons.push(`its provider changes (${base.provider ?? "default"} to ${head.provider ?? "default"})`);
    }
    return { base, head, inputs, reasons };
}

/**
 * Replacements that follow from others: an input whose value comes from a replaced resource is
 * only known after apply, and replaces its resource when it is a replace-on-change property; a
 * resource of a replaced provider is replaced. Repeats until nothing more is replaced.
 */
function cascade(compared: Map<string, Compared>, headByUrn: ReadonlyMap<string, PlannedResource>): void {
    const replaced = () => new Set([...compared.values()].filter((c) => c.reasons.length > 0).map((c) => c.head.urn));
    const providerUrn = (r: PlannedResource) =>
        [...headByUrn.values()].find((p) => p.type.startsWith("pulumi:providers:") && p.name === r.provider)?.urn;
    for (let before = -1, now = replaced(); before !== now.size; before = now.size, now = replaced()) {
        for (const c of compared.values()) {
            const viaProvider = providerUrn(c.head);
            if (
                viaProvider !== undefined &&
                now.has(viaProvider) &&
                !c.reasons.some((r) => r.startsWith("its provider"))
            ) {
                c.reasons.push(`its provider ${c.head.provider} is replaced`);
            }
            for (const [input, from] of Object.entries(c.head.propertyDependencies ?? {})) {
                const source = from.find((u) => now.has(u));
                if (source === undefined || c.inputs.includes(`${input}${AFTER_APPLY}`)) {
                    continue;
                }
                c.inputs.push(`${input}${AFTER_APPLY}`);
                const name = headByUrn.get(source)?.name ?? source;
                if (directReasons(c.head, [input]).length > 0) {
                    c.reasons.push(`${input} comes from ${name}, which is replaced`);
                }
            }
        }
    }
}

/**
 * A URN as the acknowledgement compares it: the offline plan names a resource by its parent's type
 * and its own (`platform:service:Service$kubernetes:apps/v1:Deployment`), the engine by every
 * ancestor's, so both are cut to the last two types.
 */
export function urnKey(urn: string): string {
    const parts = urn.split("::");
    if (parts.length < 4) {
        return urn;
    }
    parts[2] = parts[2].split("$").slice(-2).join("$");
    return parts.join("::");
}

/** Whether one `--allow-replace` value names a resource: its type, or its URN. */
export function names(allowance: string, r: Pick<PlannedResource, "type" | "urn">): boolean {
    return allowance === r.type || (allowance.startsWith("urn:") && urnKey(allowance) === urnKey(r.urn));
}

/** Whether `--allow-replace` acknowledges `r`. */
function acknowledged(r: PlannedResource, allowed: ReadonlySet<string>): boolean {
    return [...allowed].some((a) => names(a, r));
}

/**
 * Whether a replacement deletes the old resource before it creates the new one: its
 * `deleteBeforeReplace`, or a Kubernetes object that keeps its name and namespace (pulumi-kubernetes
 * answers DeleteBeforeReplace for it: two objects cannot have one name).
 */
function deletesFirst(base: PlannedResource, head: PlannedResource): boolean {
    if (head.options.deleteBeforeReplace === true) {
        return true;
    }
    const id = (r: PlannedResource) => {
        const md = r.inputs.metadata as { name?: unknown; namespace?: unknown } | undefined;
        return JSON.stringify([md?.name, md?.namespace]);
    };
    return (
        gvkOf(head.type) !== undefined &&
        typeof (head.inputs.metadata as { name?: unknown } | undefined)?.name === "string" &&
        id(base) === id(head)
    );
}

/** The risk of replacing or deleting `r` (as the base tree recorded it), or undefined when it loses nothing. */
function riskOf(r: PlannedResource, allowed: ReadonlySet<string>): Risk | undefined {
    const protection = (["protect", "retainOnDelete"] as const).filter((o) => r.options[o] === true);
    const stateful = STATEFUL_TYPES[r.type];
    if (protection.length === 0 && stateful === undefined) {
        return undefined;
    }
    return {
        protection,
        ...(stateful === undefined ? {} : { stateful }),
        acknowledged: acknowledged(r, allowed),
    };
}

/**
 * One stack's changes from its base plan to its head plan (either may be missing: a stack file
 * added or removed). `allowReplace`: URNs and types whose risky replacement or deletion is
 * acknowledged.
 */
export function diffStack(
    stack: string,
    base: readonly PlannedResource[] | undefined,
    head: readonly PlannedResource[] | undefined,
    allowReplace: ReadonlySet<string> = new Set(),
): StackDiff {
    const skip = (r: PlannedResource) => r.type === "pulumi:pulumi:StackReference";
    const baseByUrn = new Map((base ?? []).filter((r) => !skip(r)).map((r) => [r.urn, r]));
    const headByUrn = new Map((head ?? []).filter((r) => !skip(r)).map((r) => [r.urn, r]));
    const compared = new Map<string, Compared>();
    for (const [urn, h] of headByUrn) {
        const b = baseByUrn.get(urn);
        if (b) {
            compared.set(urn, compare(b, h));
        }
    }
    cascade(compared, headByUrn);
    const changes: ResourceChange[] = [];
    const id = (r: PlannedResource) => ({ urn: r.urn, type: r.type, name: r.name });
    for (const h of headByUrn.values()) {
        if (!baseByUrn.has(h.urn)) {
            changes.push({ op: "create", ...id(h), inputs: [], reasons: [] });
        }
    }
    for (const c of compared.values()) {
        if (c.reasons.length > 0) {
            const risk = riskOf(c.base, allowReplace);
            changes.push({
                op: "replace",
                ...id(c.head),
                inputs: c.inputs,
                reasons: c.reasons,
                ...(deletesFirst(c.base, c.head) ? { deleteBeforeReplace: true } : {}),
                ...(risk ? { risk } : {}),
            });
        } else if (c.inputs.length > 0) {
            changes.push({ op: "update", ...id(c.head), inputs: c.inputs, reasons: [] });
        }
    }
    for (const b of baseByUrn.values()) {
        if (!headByUrn.has(b.urn)) {
            const risk = riskOf(b, allowReplace);
            changes.push({ op: "delete", ...id(b), inputs: [], reasons: [], ...(risk ? { risk } : {}) });
        }
    }
    const order: Operation[] = ["replace", "delete", "create", "update"];
    changes.sort((x, y) => order.indexOf(x.op) - order.indexOf(y.op) || (x.urn < y.urn ? -1 : x.urn > y.urn ? 1 : 0));
    const status =
        base === undefined ? "added" : head === undefined ? "removed" : changes.length > 0 ? "changed" : "unchanged";
    return {
        stack,
        status,
        changes,
        unchanged:
            [...compared.values()].length - changes.filter((c) => c.op === "replace" || c.op === "update").length,
    };
}

/** The changes of a stack diff that lose something and that `--allow-replace` did not acknowledge. */
export function unacknowledged(diff: StackDiff): ResourceChange[] {
    return diff.changes.filter((c) => c.risk !== undefined && !c.risk.acknowledged);
}

/** One request of the access matrix, as the diff reads it (from the plan in memory or an access.json). */
export type AccessRequest = Pick<AccessRow, "from" | "to" | "method" | "path" | "token" | "issuer" | "allowed">;

/** An edge of the access matrix (a caller may call a service) that a change adds, removes or narrows or widens. */
export interface EdgeChange {
    readonly change: "added" | "removed" | "changed";
    readonly from: string;
    readonly to: string;
    /** The end-user token's issuer on edges that need one. */
    readonly issuer?: string;
    /** Requests of the edge allowed now and not before (`GET /api`). */
    readonly allowedNow: string[];
    /** Requests of the edge allowed before and not now. */
    readonly refusedNow: string[];
}

function edgeKey(r: AccessRequest): string {
    return JSON.stringify([r.from, r.to, r.token ? (r.issuer ?? "") : null]);
}

function allowedByEdge(rows: readonly AccessRequest[]): Map<string, Set<string>> {
    const edges = new Map<string, Set<string>>();
    for (const r of rows.filter((r) => r.allowed)) {
        const set = edges.get(edgeKey(r)) ?? new Set<string>();
        set.add(`${r.method} ${r.path}`);
        edges.set(edgeKey(r), set);
    }
    return edges;
}

/**
 * The edges of the access matrix that change: an edge is a caller, a callee and (for a request
 * with an end-user token) the token's issuer, with at least one request allowed.
 */
export function diffAccess(base: readonly AccessRequest[], head: readonly AccessRequest[]): EdgeChange[] {
    const before = allowedByEdge(base);
    const after = allowedByEdge(head);
    const changes: EdgeChange[] = [];
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        const [from, to, issuer] = JSON.parse(key) as [string, string, string | null];
        const b = before.get(key) ?? new Set<string>();
        const a = after.get(key) ?? new Set<string>();
        const allowedNow = [...a].filter((r) => !b.has(r)).sort();
        const refusedNow = [...b].filter((r) => !a.has(r)).sort();
        if (allowedNow.length === 0 && refusedNow.length === 0) {
            continue;
        }
        changes.push({
            change: b.size === 0 ? "added" : a.size === 0 ? "removed" : "changed",
            from,
            to,
            ...(issuer === null ? {} : { issuer }),
            allowedNow,
            refusedNow,
        });
    }
    return changes;
}
