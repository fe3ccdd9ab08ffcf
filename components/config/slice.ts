/**
 * A component's config slice: the config keys it owns (`keys`, each with its schema, default and
 * description: ./keys.ts) and how its settings are made from their parsed values (`settings`,
 * with the checks across its keys). A layer composes the slices of its components into its keys
 * (layers/<layer>/config.ts) and passes each component its slice's settings whole; Pulumi.yaml,
 * the README's table and the JSON Schemas are generated from the keys (`npm run gen`).
 *
 * Each value is checked once: by its key's schema (its own checks), then, only when every key it
 * is compared with passed its own, by the slice's checks across keys. Adding a key to a component
 * is two edits in its folder: its entry in the slice (and its line in `settings` when the
 * component's argument has another name or shape), and the component's use of it; then
 * `npm run gen` (docs/recipes.md).
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Problems } from "../problems";
import { KeyShape } from "./keys";

/** The parsed values of a slice's keys: each its schema's output (a refused key holds its default). */
export type SliceValues<S extends KeyShape> = z.output<z.ZodObject<S>>;

/** What a slice's `settings` is given besides its values. */
export interface SliceContext {
    /** The stack, for messages. */
    readonly stack: string;
    /** Collects the problems of the checks across keys, each at its key (`problems.add("gatewaySourceRanges", ...)`). */
    readonly problems: Problems;
    /**
     * The keys whose own schema refused their value (they hold their default instead): a check
     * across keys leaves them alone, since it would only repeat that first problem.
     */
    readonly refused: ReadonlySet<string>;
    /** The values of the secret keys the stack sets, as secret Outputs (their plain text never passes here). */
    readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
}

/** A component's config slice: its keys, and its settings from their values (`G`: what the layer gives besides config). */
export interface ConfigSlice<S extends KeyShape, T, G = undefined> {
    readonly keys: S;
    /**
     * The component's settings from the parsed values of a shape that holds the slice's keys (the
     * layer's: the slice reads its own keys only), with the checks across its keys.
     */
    readonly settings: (values: Readonly<Record<string, unknown>>, context: SliceContext, given: G) => T;
}

/** A config slice (typed by its keys and what `settings` returns). */
export function configSlice<S extends KeyShape, T, G = undefined>(
    keys: S,
    settings: (values: SliceValues<S>, context: SliceContext, given: G) => T,
): ConfigSlice<S, T, G> {
    return {
        keys,
        // A layer may pass all its values: the slice sees its own keys only.
        settings: (values, context, extra) => {
            const own = Object.fromEntries(Object.keys(keys).map((key) => [key, values[key]]));
            return settings(own as SliceValues<S>, context, extra);
        },
    };
}

/** Slices by name, each with no more to be given than its values (an add-on's). */
export type Slices = Readonly<Record<string, ConfigSlice<KeyShape, unknown>>>;

/** The union of `U`'s members as one intersection. */
export type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The keys of every slice of `slices`, in their order: what a layer composes. */
export function keysOfSlices<R extends Slices>(slices: R): Intersection<R[keyof R]["keys"]> {
    return Object.assign({}, ...Object.values(slices).map((slice) => slice.keys)) as Intersection<R[keyof R]["keys"]>;
}

/** Each slice's settings from the layer's parsed values, in the slices' order (so are their problems). */
export function settingsOfSlices<R extends Slices>(
    slices: R,
    values: Readonly<Record<string, unknown>>,
    context: SliceContext,
): { readonly [K in keyof R]: ReturnType<R[K]["settings"]> } {
    return Object.fromEntries(
        Object.entries(slices).map(([name, slice]) => [name, slice.settings(values, context, undefined)]),
    ) as { readonly [K in keyof R]: ReturnType<R[K]["settings"]> };
}

const validated = new WeakSet();

/** Freezes `value` and every object and list in it. */
function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
    }
    return value;
}

/**
 * Marks settings a slice made from checked config: frozen, with every list and map in them, so
 * they cannot change after their checks; a component given them need not check them again
 * (`isValidated`). Returns `value`.
 */
export function validatedOnce<T extends object>(value: T): T {
    validated.add(deepFreeze(value));
    return value;
}

/** Whether `value` is settings a config slice checked (and froze) with `validatedOnce`. */
export function isValidated(value: object): boolean {
    return validated.has(value);
}
