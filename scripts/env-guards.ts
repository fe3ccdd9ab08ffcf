// What `npm run env` checks about an environment before it runs anything, and what it says after a
// run that did not end cleanly: the stacks of the backend against the stack files (orphans and
// stacks never created), the guard of destroy (no layer goes while a later one still has
// resources), the teardown of a review environment (refused for production) and how to recover a
// stack an interrupted run left with pending operations. Pure functions of what the backend and
// the files say; scripts/env.ts gathers those and acts on the answers.
import { envOfStackName, layerOfStackName, layerRank } from "../layers/layering";
import { BackendStack, PendingOperation, StackOutcome } from "./env-runner";

/** The environment's stacks as the backend and the stack files see them. */
export interface Inventory {
    /** Stacks of the environment in the backend that have no stack file (a removed service, a typo). */
    readonly orphans: readonly BackendStack[];
    /** Stack files of the environment that have no stack in the backend (never created). */
    readonly missing: readonly string[];
}

/** The orphans and the missing stacks of environment `env`. */
export function inventoryOf(env: string, files: readonly string[], backend: readonly BackendStack[]): Inventory {
    const inBackend = backend.filter((s) => envOfStackName(s.name) === env);
    return {
        orphans: inBackend.filter((s) => !files.includes(s.name)).sort((a, b) => a.name.localeCompare(b.name)),
        missing: files.filter((f) => !inBackend.some((s) => s.name === f)).sort(),
    };
}

function resources(n: number): string {
    return `${n} resource${n === 1 ? "" : "s"}`;
}

/** What the summary says about an inventory: one line per orphan and per missing stack. */
export function inventoryNotes(inventory: Inventory): string[] {
    return [
        ...inventory.orphans.map(
            (s) =>
                `${s.name}: orphan: in the backend with ${resources(s.resourceCount)} but no Pulumi.${s.name}.yaml; ` +
                (s.resourceCount > 0
                    ? `restore the file (git history) and destroy it (npm run env -- destroy --env ${envOfStackName(s.name)} --stack ${s.name}), then pulumi stack rm ${s.name}`
                    : `nothing is deployed in it: pulumi stack rm ${s.name}`),
        ),
        ...inventory.missing.map(
            (s) =>
                `${s}: no stack in the backend for Pulumi.${s}.yaml: create it (pulumi stack init ${s}, or up --create)`,
        ),
    ];
}

/** Whether an inventory has anything to report (a drift check fails then). */
export function inventoryIsClean(inventory: Inventory): boolean {
    return inventory.orphans.length === 0 && inventory.missing.length === 0;
}

/**
 * The guard of destroy: why destroying `toDestroy` (stacks of `env`) is refused, or undefined. A
 * stack may not be destroyed while a stack of a later layer of the environment still has
 * resources in the backend and is not destroyed by the same run (which destroys later layers
 * first): the later stack reads it through its StackReferences and lives in its network and
 * cluster. Stacks without a stack file count too.
 */
export function destroyRefusal(
    env: string,
    toDestroy: readonly string[],
    backend: readonly BackendStack[],
    files: readonly string[],
): string | undefined {
    const lowest = Math.min(...toDestroy.map((s) => layerRank(layerOfStackName(s))));
    const blockers = backend
        .filter(
            (s) =>
                envOfStackName(s.name) === env &&
                s.resourceCount > 0 &&
                !toDestroy.includes(s.name) &&
                layerRank(layerOfStackName(s.name)) > lowest,
        )
        .sort((a, b) => a.name.localeCompare(b.name));
    if (blockers.length === 0) {
        return undefined;
    }
    const blocked = toDestroy
        .filter((s) => blockers.some((b) => layerRank(layerOfStackName(b.name)) > layerRank(layerOfStackName(s))))
        .sort();
    const listed = blockers.map(
        (b) => `${b.name} (${resources(b.resourceCount)}${files.includes(b.name) ? "" : ", no stack file"})`,
    );
    const noFile = blockers.some((b) => !files.includes(b.name));
    return (
        `destroy refused, nothing ran: ${blocked.join(", ")} would go while ${blockers.length === 1 ? "a stack" : "stacks"} of a later layer of environment ${env} still ${blockers.length === 1 ? "has" : "have"} resources in the backend: ${listed.join(", ")}. ` +
        `Destroy ${blockers.length === 1 ? "it" : "them"} first (services, then common, then global: npm run env -- destroy --env ${env} --stack <stack>), or the whole environment in one run` +
        (noFile ? "; a stack without a file needs its Pulumi.<stack>.yaml back (git history) to be destroyed" : "")
    );
}

/**
 * Why destroying stacks that hold protected resources is refused without --unprotect, or
 * undefined. The engine deletes every other resource of the stack first and fails only when it
 * reaches a protected one, which would leave the stack half destroyed; so the command refuses
 * before anything runs, naming the protected resources of each stack.
 */
export function protectedRefusal(
    env: string,
    protectedByStack: ReadonlyMap<string, readonly string[]>,
): string | undefined {
    const held = [...protectedByStack].filter(([, urns]) => urns.length > 0);
    if (held.length === 0) {
        return undefined;
    }
    const listed = held.map(([stack, urns]) => {
        const names = urns.slice(0, 3).map((u) => u.split("::").pop() ?? u);
        const more = urns.length > names.length ? `, and ${urns.length - names.length} more` : "";
        return `${stack} (${urns.length} protected: ${names.join(", ")}${more})`;
    });
    return (
        `destroy refused, nothing ran: ${listed.join("; ")}. A destroy would delete everything else of ${held.length === 1 ? "that stack" : "those stacks"} and stop at the first protected resource. ` +
        `To tear down a review environment: npm run env -- destroy --env ${env} --unprotect (its global stack must say platform:production: false); ` +
        `to remove one protected resource on purpose: pulumi state unprotect (docs/living-with-an-environment.md)`
    );
}

/** Whether destroying `stacks` of `env` destroys the environment itself (its global stack is among them). */
export function destroysEnvironment(env: string, stacks: readonly string[]): boolean {
    return stacks.includes(env);
}

/**
 * Why the teardown (`destroy --unprotect`) of `env` is refused, or undefined: unless the global
 * stack's file says `platform:production: false` and the deployed global stack's `production`
 * output says false too (so the change went through review and an `up`), the environment is
 * production, and production is never unprotected.
 */
export function teardownRefusal(
    env: string,
    fileProduction: boolean,
    deployed: Record<string, unknown> | undefined,
): string | undefined {
    const deployIt = `npm run env -- up --env ${env} --stack ${env}`;
    const refused = "--unprotect refused, nothing ran";
    if (fileProduction) {
        return `${refused}: environment ${env} is production (platform:production in Pulumi.${env}.yaml is true, or unset: true is the default). Only a review environment is torn down: set platform:production: false in Pulumi.${env}.yaml, deploy it (${deployIt}), then run the teardown`;
    }
    if (deployed === undefined) {
        return `${refused}: environment ${env} has no global stack ${env} in the backend to confirm that it is not production; the teardown reads its deployed production output`;
    }
    if (deployed.production !== false) {
        const says =
            deployed.production === undefined
                ? "has no production output (deployed before the key existed)"
                : `says production: ${JSON.stringify(deployed.production)}`;
        return `${refused}: Pulumi.${env}.yaml says platform:production: false, but the deployed global stack ${env} ${says}; deploy the change first (${deployIt})`;
    }
    return undefined;
}

/**
 * How to bring back each stack a cancelled run stopped in the middle of an operation: with no
 * pending operation its state is consistent and the same command (`again`) finishes the work; with
 * pending ones, their resources are to be checked, then a refresh that drops them, then the same
 * command. Commands are quoted with backticks.
 */
export function recoveryNotes(
    env: string,
    outcomes: readonly StackOutcome[],
    pending: ReadonlyMap<string, readonly PendingOperation[]>,
    again: string,
): string[] {
    const interrupted = outcomes.filter((o) => o.result === "cancelled");
    return interrupted.map((o) => {
        const ops = pending.get(o.stack) ?? [];
        if (ops.length === 0) {
            return `${o.stack}: stopped cleanly, no operation pending: run the same command again to finish: \`${again}\``;
        }
        const listed = ops.map((p) => `${p.type} ${p.urn.split("::").slice(-2).join("::")}`).join(", ");
        return (
            `${o.stack}: ${ops.length} operation${ops.length === 1 ? " was" : "s were"} interrupted (${listed}). ` +
            `Check ${ops.length === 1 ? "it" : "them"} on the cluster or the cloud console, then run ` +
            `\`npm run env -- refresh --env ${env} --stack ${o.stack} --clear-pending-creates --yes\` ` +
            `(reads every resource back and drops the pending operations; a create that did happen is then unknown to Pulumi: ` +
            `a Kubernetes object is taken over again by the next up, anything else needs pulumi import), ` +
            `then the same command again: \`${again}\`. ` +
            `If the stack is reported locked: \`pulumi cancel --stack ${o.stack} --yes\` (only when no pulumi runs on it)`
        );
    });
}
