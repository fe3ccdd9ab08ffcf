/**
 * A layer's add-ons as data: each declares what it is installed after (its dependencies, by name)
 * and what it reads of the others, and `installAddOns` installs them in an order that satisfies
 * them, giving each the `dependsOn` its declaration asks for. No add-on wires another's resources
 * by hand; a wrong name or a cycle is refused before anything is created.
 */
import * as pulumi from "@pulumi/pulumi";

/** What an installed add-on gives the layer: its component, and what the add-ons after it wait for. */
export interface Installed<C> {
    readonly component: C;
    /** The resources an add-on installed after this one waits for (its `dependsOn`). */
    readonly ready: readonly pulumi.Resource[];
}

/**
 * One add-on of a layer's composition. `X` is the layer's context (its providers, owner and the
 * outputs of the layers below), `A` what each add-on of the composition installs (name to
 * component), `K` this add-on's name.
 */
export interface AddOn<X, A, K extends keyof A> {
    /**
     * What it is installed after, by name: the layer's foundations (e.g. `cluster`) and other
     * add-ons; their ready resources become its `dependsOn`. An add-on the layer does not install
     * (`when`) gives nothing to wait for.
     */
    readonly after: readonly string[];
    /** Add-ons whose outputs it reads: installed before it, without waiting for them. @default [] */
    readonly uses?: readonly (keyof A & string)[];
    /** Whether the layer installs it in this stack. @default always */
    readonly when?: (context: X) => boolean;
    /** Creates it after `dependsOn`; `installed` holds the add-ons installed before it. */
    readonly install: (context: X, dependsOn: pulumi.Resource[], installed: Partial<A>) => Installed<A[K]>;
}

/** A layer's add-ons: one declaration per add-on, in the order they read best (the install order follows the dependencies). */
export type AddOns<X, A> = { readonly [K in keyof A]: AddOn<X, A, K> };

/**
 * The problems of a composition, before anything is installed: a name in `after` or `uses` that is
 * neither a foundation nor an add-on, an add-on that reads one the layer does not install, and a
 * cycle. Pure.
 */
export function compositionProblems<X, A>(
    addOns: AddOns<X, A>,
    foundations: readonly string[],
    enabled: ReadonlySet<string>,
): string[] {
    const names = Object.keys(addOns);
    const problems: string[] = [];
    for (const [name, addOn] of Object.entries<AddOn<X, A, keyof A>>(addOns)) {
        for (const dependency of [...addOn.after, ...(addOn.uses ?? [])]) {
            if (!foundations.includes(dependency) && !names.includes(dependency)) {
                problems.push(
                    `add-on ${name}: "${dependency}" is neither a foundation (${foundations.join(", ")}) nor an add-on (${names.join(", ")})`,
                );
            }
        }
        for (const used of addOn.uses ?? []) {
            if (enabled.has(name) && names.includes(used) && !enabled.has(used)) {
                problems.push(`add-on ${name} reads add-on ${used}, which this stack does not install`);
            }
        }
    }
    if (problems.length === 0 && installOrder(addOns, foundations) === undefined) {
        problems.push(`the add-ons depend on each other in a cycle: ${names.join(", ")}`);
    }
    return problems;
}

/** The add-ons in an order where each comes after what it names; among the ready ones, the declaration's order. Undefined on a cycle. */
function installOrder<X, A>(addOns: AddOns<X, A>, foundations: readonly string[]): (keyof A & string)[] | undefined {
    const pending = Object.keys(addOns) as (keyof A & string)[];
    const done = new Set<string>(foundations);
    const order: (keyof A & string)[] = [];
    while (pending.length > 0) {
        const next = pending.findIndex((name) => {
            const addOn = addOns[name];
            return [...addOn.after, ...(addOn.uses ?? [])].every((d) => done.has(d));
        });
        if (next < 0) {
            return undefined;
        }
        const [name] = pending.splice(next, 1);
        order.push(name);
        done.add(name);
    }
    return order;
}

/**
 * Installs a layer's add-ons: each the layer installs (`when`), in dependency order, after the
 * ready resources of what it names in `after` (`foundations` by name, or add-ons installed before
 * it). Returns the installed add-ons by name. Throws, before creating anything, when the
 * composition is wrong (`compositionProblems`).
 */
export function installAddOns<X, A>(
    addOns: AddOns<X, A>,
    context: X,
    foundations: Readonly<Record<string, readonly pulumi.Resource[]>>,
): Partial<{ readonly [K in keyof A]: Installed<A[K]> }> {
    const names = Object.keys(addOns) as (keyof A & string)[];
    const enabled = new Set(names.filter((name) => addOns[name].when?.(context) ?? true));
    const problems = compositionProblems(addOns, Object.keys(foundations), enabled);
    if (problems.length > 0) {
        throw new Error(`the layer's add-ons cannot be installed:\n  - ${problems.join("\n  - ")}`);
    }
    const installed: Partial<{ [K in keyof A]: Installed<A[K]> }> = {};
    const components: Partial<A> = {};
    for (const name of installOrder(addOns, Object.keys(foundations)) ?? []) {
        if (!enabled.has(name)) {
            continue;
        }
        const addOn = addOns[name];
        const dependsOn = addOn.after.flatMap((d) => foundations[d] ?? installed[d as keyof A]?.ready ?? []);
        const result = addOn.install(context, dependsOn, components);
        installed[name] = result;
        components[name] = result.component;
    }
    return installed;
}

/**
 * An add-on another one reads (its `uses`), from `installed`: the composition installs it first,
 * so a missing one is a bug of the composition, named as such.
 */
export function usedAddOn<A, K extends keyof A & string>(installed: Partial<A>, name: K): A[K] {
    const component = installed[name];
    if (component === undefined) {
        throw new Error(`add-on ${name} is read before it is installed: name it in the reader's uses`);
    }
    return component;
}
