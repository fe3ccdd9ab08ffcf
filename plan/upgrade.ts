// What an update does to a stack, read from the engine (`pulumi preview --json`, `pulumi stack
// export`), and how it compares with what CHANGELOG.md's Unreleased list declares (plan/changelog.ts).
// Pure: the release-upgrade test runs the engine and hands the results here.
import { DeclaredChange, UpgradeOperation } from "./changelog";

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

/** How a declared change names its resource, for messages. */
function nameOf(d: DeclaredChange): string {
    return d.urn ?? `${d.type} ${d.name}`;
}

function matches(d: DeclaredChange, o: ObservedChange): boolean {
    return d.urn !== undefined ? d.urn === o.urn : d.type === o.type && d.name === o.name;
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
): string[] {
    const problems: string[] = [];
    for (const o of observed) {
        if ((o.op === "replace" || o.op === "delete") && protectedResources.includes(o.urn)) {
            problems.push(`${stack}: ${o.urn} is protected, and the update would ${o.op} it`);
        }
    }
    if (declared === undefined) {
        problems.push(
            `${stack}: the Unreleased list has no entry for this stack (write [] when nothing changes); the engine shows ${observed.length} change(s)`,
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
            problems.push(`${stack}: declared ${d.op} of ${nameOf(d)}, but the engine does not change it`);
            continue;
        }
        claimed.add(hit);
        if (hit.op !== d.op) {
            problems.push(`${stack}: declared ${d.op} of ${nameOf(d)}, but the engine would ${hit.op} it`);
            continue;
        }
        const want = [...(d.inputs ?? [])].sort();
        if (JSON.stringify(want) !== JSON.stringify(hit.inputs)) {
            problems.push(
                `${stack}: ${d.op} of ${nameOf(d)} declares inputs ${JSON.stringify(want)}, the engine changes ${JSON.stringify(hit.inputs)}`,
            );
        }
    }
    for (const o of observed.filter((x) => !claimed.has(x))) {
        const inputs = o.inputs.length > 0 ? ` (inputs ${JSON.stringify(o.inputs)})` : "";
        problems.push(`${stack}: the engine would ${o.op} ${o.urn}${inputs}, which the list does not declare`);
    }
    return problems;
}

/** The list's entry for a stack as the engine shows it: what a maintainer pastes after checking it is right. */
export function declarationsOf(observed: readonly ObservedChange[]): DeclaredChange[] {
    return observed.map((o) =>
        declarationOf(o, observed.filter((x) => x.type === o.type && x.name === o.name).length > 1),
    );
}
