// What an update does to a stack, read from the engine (`pulumi preview --json`, `pulumi stack
// export`), and how it compares with what CHANGELOG.md's Unreleased list declares (plan/changelog.ts).
// Pure: the release-upgrade test runs the engine and hands the results here.
import { DeclaredChange, DeclaredOutputs, DeclaredProtection, UpgradeOperation } from "./changelog";

/**
 * The list's key of each stack the release-upgrade test runs that is not the reference
 * environment's stack as its stack file has it: the test runs dev's common stack in
 * existing-cluster mode (no EKS here), whose changes are a list of their own beside `dev-common`'s
 * (EKS mode, the offline plan's).
 */
export const ENGINE_STACKS: Readonly<Record<string, string>> = { "dev-common": "dev-common (clusterMode: existing)" };

/** One step of `pulumi preview --json` (the fields read here). */
export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly diffReasons?: readonly string[];
    readonly replaceReasons?: readonly string[];
    readonly detailedDiff?: Readonly<Record<string, unknown>> | null;
    readonly oldState?: { readonly type?: string } | null;
    readonly newState?: { readonly type?: string } | null;
}

/** One resource the engine would change. */
export interface ObservedChange {
    readonly op: UpgradeOperation;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** update and replace: the input paths that change (the detailed diff's, else the diff's reasons). */
    readonly inputs: readonly string[];
}

/** The engine's steps that make one replacement (create before delete, or the other way round). */
const REPLACE_STEPS = new Set(["replace", "create-replacement", "delete-replaced"]);
/** Steps that change nothing of the stack's resources. */
const NO_CHANGE_STEPS = new Set(["same", "read", "refresh", "discard", "remove-pending-replace"]);

/** The type and the name a URN ends with: `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`. */
export function typeAndName(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !urn.startsWith("urn:pulumi:")) {
        throw new Error(`${urn} is not a Pulumi URN`);
    }
    const name = parts.slice(3).join("::");
    const type = parts[2].split("$").at(-1) ?? parts[2];
    return { type, name };
}

/**
 * The resources a preview would change, one entry per resource (a replacement's two steps are
 * one `replace`), in the preview's order; the stack resource itself is left out (its outputs are
 * not resources).
 */
export function observedChanges(steps: readonly PreviewStep[]): ObservedChange[] {
    const byUrn = new Map<string, ObservedChange>();
    for (const step of steps) {
        if (NO_CHANGE_STEPS.has(step.op)) {
            continue;
        }
        const { type, name } = typeAndName(step.urn);
        if (type === "pulumi:pulumi:Stack") {
            continue;
        }
        const op = REPLACE_STEPS.has(step.op) ? "replace" : step.op;
        if (op !== "create" && op !== "update" && op !== "replace" && op !== "delete") {
            throw new Error(
                `the preview has a step "${step.op}" for ${step.urn}, which an update of this project never makes`,
            );
        }
        const inputs =
            op === "update" || op === "replace"
                ? [
                      ...new Set([
                          ...Object.keys(step.detailedDiff ?? {}),
                          ...(step.detailedDiff ? [] : (step.diffReasons ?? [])),
                      ]),
                  ].sort()
                : [];
        const seen = byUrn.get(step.urn);
        byUrn.set(step.urn, {
            op,
            urn: step.urn,
            type,
            name,
            inputs: seen ? [...new Set([...seen.inputs, ...inputs])].sort() : inputs,
        });
    }
    return [...byUrn.values()];
}

/** URNs of the resources `pulumi stack export` marks protected. */
export function protectedUrns(exported: {
    deployment?: { resources?: readonly { urn: string; protect?: boolean }[] };
}): string[] {
    return (exported.deployment?.resources ?? []).filter((r) => r.protect === true).map((r) => r.urn);
}

/**
 * An input path with every quoted key written dotted: the engine's detailed diff quotes a key that
 * is no identifier (`metadata.annotations["pulumi.com/x"]`), the offline diff does not
 * (`metadata.annotations.pulumi.com/x`); the list may use either.
 */
export function dotted(inputPath: string): string {
    return inputPath.replace(/\["((?:[^"\\]|\\.)*)"\]/g, (_, key: string) => `.${key.replace(/\\(.)/g, "$1")}`);
}

/** How a declared entry names its resource: its URN, or its type and name. */
type Named = Pick<DeclaredChange, "urn" | "type" | "name">;

/** How a declared entry names its resource, for messages. */
function nameOf(d: Named): string {
    return d.urn ?? `${d.type} ${d.name}`;
}

function matches(d: Named, o: { urn: string; type: string; name: string }): boolean {
    return d.urn !== undefined ? d.urn === o.urn : d.type === o.type && d.name === o.name;
}

/** The protection options a list records, as the state and the plans hold them. */
export const PROTECTION_OPTIONS = ["protect", "retainOnDelete"] as const;

/** A resource's protection options, read from the state (`pulumi stack export`) or a plan. */
export interface ProtectionOf {
    readonly urn: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
}

/** A resource that is there before and after the update and whose protection changes: its new values of the options that change. */
export interface ObservedProtection {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
}

/** Every resource of both `before` and `after` whose protect or retainOnDelete differs (unset is false). */
export function protectionChanges(
    before: readonly ProtectionOf[],
    after: readonly ProtectionOf[],
): ObservedProtection[] {
    const old = new Map(before.map((r) => [r.urn, r]));
    return after.flatMap((r) => {
        const was = old.get(r.urn);
        if (was === undefined) {
            return [];
        }
        const changed = PROTECTION_OPTIONS.filter((o) => (was[o] === true) !== (r[o] === true));
        return changed.length === 0
            ? []
            : [{ urn: r.urn, ...typeAndName(r.urn), ...Object.fromEntries(changed.map((o) => [o, r[o] === true])) }];
    });
}

/** The resources of `pulumi stack export` with their protection options. */
export function protectionOfState(exported: { deployment?: { resources?: readonly ProtectionOf[] } }): ProtectionOf[] {
    return (exported.deployment?.resources ?? []).map((r) => ({
        urn: r.urn,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
    }));
}

/** What differs between a stack's observed and declared changes of protection. Empty: as declared. */
export function compareProtection(
    stack: string,
    declared: readonly DeclaredProtection[] = [],
    observed: readonly ObservedProtection[],
): string[] {
    const problems: string[] = [];
    const claimed = new Set<ObservedProtection>();
    const show = (p: Partial<ProtectionOf>) =>
        PROTECTION_OPTIONS.filter((o) => p[o] !== undefined)
            .map((o) => `${o}: ${p[o]}`)
            .join(", ");
    for (const d of declared) {
        const hits = observed.filter((o) => matches(d, o));
        if (hits.length !== 1) {
            problems.push(
                hits.length === 0
                    ? `${stack}: declared ${show(d)} for ${nameOf(d)}, but its protection does not change`
                    : `${stack}: ${nameOf(d)} names ${hits.length} resources (${hits.map((h) => h.urn).join(", ")}); give its urn`,
            );
            continue;
        }
        claimed.add(hits[0]);
        if (show(d) !== show(hits[0])) {
            problems.push(`${stack}: declared ${show(d)} for ${nameOf(d)}, but it becomes ${show(hits[0])}`);
        }
    }
    for (const o of observed.filter((x) => !claimed.has(x))) {
        problems.push(`${stack}: ${o.urn} becomes ${show(o)}, which the list does not declare`);
    }
    return problems;
}

/** The outputs added, removed and changed from `before` to `after` (values compared as JSON), each sorted; empty lists left out. */
export function outputChanges(before: Record<string, unknown>, after: Record<string, unknown>): DeclaredOutputs {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const kinds = {
        added: keys.filter((k) => !(k in before)),
        removed: keys.filter((k) => !(k in after)),
        changed: keys.filter(
            (k) => k in before && k in after && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
        ),
    };
    return Object.fromEntries(Object.entries(kinds).filter(([, v]) => v.length > 0));
}

/** What differs between a stack's observed and declared changes of outputs. Empty: as declared. */
export function compareOutputs(stack: string, declared: DeclaredOutputs = {}, observed: DeclaredOutputs): string[] {
    return (["added", "removed", "changed"] as const).flatMap((kind) => {
        const want = [...(declared[kind] ?? [])].sort();
        const got = observed[kind] ?? [];
        return JSON.stringify(want) === JSON.stringify(got)
            ? []
            : [`${stack}: outputs ${kind}: declared ${JSON.stringify(want)}, the update shows ${JSON.stringify(got)}`];
    });
}

/** The list's protection entries for a stack as observed (type and name, or the URN when they are not unique). */
export function protectionDeclarationsOf(observed: readonly ObservedProtection[]): DeclaredProtection[] {
    return observed.map((o) => {
        const unique = observed.filter((x) => x.type === o.type && x.name === o.name).length === 1;
        const { urn, type, name, ...options } = o;
        return { ...(unique ? { type, name } : { urn }), ...options };
    });
}

/** A declared change as the list would write it for an observed one (a maintainer pastes these). */
export function declarationOf(o: ObservedChange, ambiguous = false): DeclaredChange {
    const who = ambiguous ? { urn: o.urn } : { type: o.type, name: o.name };
    return o.op === "update" || o.op === "replace" ? { op: o.op, ...who, inputs: [...o.inputs] } : { op: o.op, ...who };
}

/**
 * What differs between the changes a stack's preview shows and the ones the list declares for it,
 * plus every replacement or deletion of a protected resource (declared or not). Empty: exactly as
 * declared.
 */
export function compareWithDeclared(
    stack: string,
    declared: readonly DeclaredChange[] | undefined,
    observed: readonly ObservedChange[],
    protectedResources: readonly string[] = [],
    /** Who shows the changes, for messages: the engine's preview, or the offline plans. */
    source = "the engine",
): string[] {
    const problems: string[] = [];
    for (const o of observed) {
        if ((o.op === "replace" || o.op === "delete") && protectedResources.includes(o.urn)) {
            problems.push(`${stack}: ${o.urn} is protected, and the update would ${o.op} it`);
        }
    }
    if (declared === undefined) {
        problems.push(
            `${stack}: the Unreleased list has no entry for this stack (write [] when nothing changes); ${source} shows ${observed.length} change(s)`,
        );
        return problems;
    }
    const claimed = new Set<ObservedChange>();
    for (const d of declared) {
        const hits = observed.filter((o) => matches(d, o));
        if (hits.length > 1) {
            problems.push(
                `${stack}: ${nameOf(d)} names ${hits.length} resources (${hits.map((h) => h.urn).join(", ")}); give its urn`,
            );
            continue;
        }
        const hit = hits[0];
        if (hit === undefined) {
            problems.push(`${stack}: declared ${d.op} of ${nameOf(d)}, but ${source} does not change it`);
            continue;
        }
        claimed.add(hit);
        if (hit.op !== d.op) {
            problems.push(`${stack}: declared ${d.op} of ${nameOf(d)}, but ${source} would ${hit.op} it`);
            continue;
        }
        const want = [...(d.inputs ?? [])].sort();
        const same = (a: readonly string[]) => JSON.stringify(a.map(dotted).sort());
        if (same(want) !== same(hit.inputs)) {
            problems.push(
                `${stack}: ${d.op} of ${nameOf(d)} declares inputs ${JSON.stringify(want)}, ${source} changes ${JSON.stringify(hit.inputs)}`,
            );
        }
    }
    for (const o of observed.filter((x) => !claimed.has(x))) {
        const inputs = o.inputs.length > 0 ? ` (inputs ${JSON.stringify(o.inputs)})` : "";
        problems.push(`${stack}: ${source} would ${o.op} ${o.urn}${inputs}, which the list does not declare`);
    }
    return problems;
}

/** The list's entry for a stack as the engine shows it: what a maintainer pastes after checking it is right. */
export function declarationsOf(observed: readonly ObservedChange[]): DeclaredChange[] {
    return observed.map((o) =>
        declarationOf(o, observed.filter((x) => x.type === o.type && x.name === o.name).length > 1),
    );
}
