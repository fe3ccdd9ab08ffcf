// What an environment deployed from the previous release sees when it is updated to this tree, as
// the offline plans of both trees tell it (no engine): per stack, the resources created, updated,
// replaced and deleted (the diff of `npm run plan -- --diff`, plan/diff.ts), the resources whose
// protect or retainOnDelete changes, and the outputs added, removed or changed. Both trees are
// planned from the same stack files: the previous release's fixture environment, which its tests
// deployed and which the release-upgrade test upgrades. `npm run release-changes` prints the list
// CHANGELOG.md's Unreleased section must hold for these stacks; the integration suite checks that
// it does (test/integration/release-upgrade.test.ts).
import * as path from "path";
import { DeclaredChange, DeclaredOutputs, DeclaredProtection, UpgradeList } from "./changelog";
import { AFTER_APPLY, PlannedResource, diffStack, plannedResource } from "./diff";
import { StackPlan, planEnvironment } from "./plan";
import { ReleaseTree, planRelease } from "./release-tree";
import {
    ObservedChange,
    ObservedProtection,
    compareOutputs,
    compareProtection,
    compareWithDeclared,
    declarationsOf,
    outputChanges,
    protectionChanges,
    protectionDeclarationsOf,
} from "./upgrade";

/** One stack's update, as the two offline plans show it. */
export interface StackUpgrade {
    readonly stack: string;
    readonly changes: ObservedChange[];
    readonly protection: ObservedProtection[];
    readonly outputs: DeclaredOutputs;
}

/** A planned stack as the comparison reads it: its resources and its outputs (secrets read "[secret]"). */
export interface PlannedStack {
    readonly resources: readonly PlannedResource[];
    readonly outputs: Record<string, unknown>;
}

/** The update of each stack from `base` to `head` (stacks of either side, in `head`'s order then the rest). */
export function upgradeOfPlans(
    base: ReadonlyMap<string, PlannedStack>,
    head: ReadonlyMap<string, PlannedStack>,
): StackUpgrade[] {
    const stacks = [...new Set([...head.keys(), ...base.keys()])];
    return stacks.map((stack) => {
        const before = base.get(stack);
        const after = head.get(stack);
        const diff = diffStack(stack, before?.resources, after?.resources);
        const changes = diff.changes.map((c) => ({
            op: c.op,
            urn: c.urn,
            type: c.type,
            name: c.name,
            inputs: [
                ...new Set(c.inputs.map((i) => (i.endsWith(AFTER_APPLY) ? i.slice(0, -AFTER_APPLY.length) : i))),
            ].sort(),
        }));
        const options = (rs: readonly PlannedResource[] = []) =>
            rs.map((r) => ({ urn: r.urn, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete }));
        return {
            stack,
            changes,
            protection: protectionChanges(options(before?.resources), options(after?.resources)),
            outputs: outputChanges(before?.outputs ?? {}, after?.outputs ?? {}),
        };
    });
}

/** Everything in which the list differs from the offline update, for the stacks the offline plans have. Empty: as declared. */
export function compareUpgradeWithList(list: UpgradeList, upgrades: readonly StackUpgrade[]): string[] {
    return upgrades.flatMap((u) => [
        ...compareWithDeclared(u.stack, list.stacks[u.stack], u.changes, [], "the offline plans"),
        ...compareProtection(u.stack, list.protection[u.stack], u.protection),
        ...compareOutputs(u.stack, list.outputs[u.stack], u.outputs),
    ]);
}

/** The list's sections for these stacks as the offline update shows them: what a maintainer checks and pastes. */
export function listOfUpgrade(upgrades: readonly StackUpgrade[]): {
    stacks: Record<string, DeclaredChange[]>;
    protection: Record<string, DeclaredProtection[]>;
    outputs: Record<string, DeclaredOutputs>;
} {
    return {
        stacks: Object.fromEntries(upgrades.map((u) => [u.stack, declarationsOf(u.changes)])),
        protection: Object.fromEntries(
            upgrades
                .filter((u) => u.protection.length > 0)
                .map((u) => [u.stack, protectionDeclarationsOf(u.protection)]),
        ),
        outputs: Object.fromEntries(
            upgrades.filter((u) => Object.keys(u.outputs).length > 0).map((u) => [u.stack, u.outputs]),
        ),
    };
}

/** The offline update of environment `env` from the release checked out in `tree` to this tree, both planned from the release's fixture stack files. */
export async function offlineUpgrade(tree: ReleaseTree, env: string): Promise<StackUpgrade[]> {
    const fixtures = path.join(tree.dir, "test", "fixtures", "stacks");
    const [base, plans] = await Promise.all([planRelease(tree, env, fixtures), planEnvironment(env, fixtures)]);
    return upgradeOfPlans(base, plannedStacks(plans));
}

/** This tree's plans of an environment's stacks as the comparison reads them. */
export function plannedStacks(plans: readonly StackPlan[]): Map<string, PlannedStack> {
    return new Map(
        plans.map((p) => [
            p.config.stack,
            { resources: p.evaluation.resources.map(plannedResource), outputs: p.evaluation.outputs },
        ]),
    );
}
