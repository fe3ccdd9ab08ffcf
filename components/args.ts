import type * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import type * as k8s from "@pulumi/kubernetes";
import { Problem, throwIfProblems } from "./problems";

/**
 * Throws a ProblemError (kind ComponentArgsError) when `problems` is not empty, before the
 * component registers anything: `invalid <component> "<name>" arguments:` and one line per problem.
 */
export function assertValidArgs(
    component: string,
    resourceName: string,
    problems: readonly Problem[],
    notes: readonly string[] = [],
): void {
    throwIfProblems("ComponentArgsError", `invalid ${component} "${resourceName}" arguments:`, problems, notes);
}

/** A package a component may need a provider of. */
export type ProviderPackage = "aws" | "eks" | "kubernetes";

/**
 * Each package's provider class, loaded when a check first needs it: a component checks the
 * packages it uses, so a stack of Kubernetes objects only never loads @pulumi/aws or @pulumi/eks
 * (the largest modules of the program's start-up).
 */
const PROVIDER_CLASSES: {
    readonly [P in ProviderPackage]: () => { isInstance(value: unknown): value is ComponentProviders<P>[P] };
} = {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
    aws: () => (require("@pulumi/aws") as typeof aws).Provider,
    eks: () => (require("@pulumi/eks") as typeof eks).Provider,
    kubernetes: () => (require("@pulumi/kubernetes") as typeof k8s).Provider,
    /* eslint-enable @typescript-eslint/no-require-imports */
};

/**
 * The `providers` argument of a component: the explicit provider of each package it creates
 * resources of (or calls functions of), by package name, each required. The one shape for every
 * component of this package: Network <"aws">, Cluster <"aws" | "eks">, LoadBalancerController
 * <"kubernetes">, ExternalDns <"aws" | "kubernetes">, Istio, Observability, CertManager and
 * Service <"kubernetes">:
 *
 * ```ts
 * export interface NetworkArgs {
 *     // ...
 *     // The stack's providers, by package: every child is created with the one of its package.
 *     readonly providers: ComponentProviders<"aws">;
 * }
 * // in the constructor, before anything is registered, with the other argument problems:
 * //   assertValidArgs("Network", name, [...providerProblems(args.providers, ["aws"]), ...argProblems]);
 * // and every child (and invoke) gets its package's provider:
 * //   new aws.ec2.Vpc(name, inputs, { parent: this, provider: args.providers.aws });
 * ```
 *
 * Why a typed argument rather than Pulumi's `ComponentResourceOptions.providers` map: default
 * providers are disabled (`pulumi:disable-default-providers`), so a component without its
 * provider cannot work; as a required, typed argument that is a `tsc` error (and, for an untyped
 * caller, `providerProblems` names it before anything is registered), where a map in the options
 * is typed loosely and a missing entry only fails in the engine, at the first child of that
 * package. A component still passes `opts` to `super` unchanged, so a caller's own options
 * (`protect`, `aliases`, ...) keep working.
 */
export type ComponentProviders<P extends ProviderPackage> = {
    readonly [K in P]: K extends "aws" ? aws.Provider : K extends "eks" ? eks.Provider : k8s.Provider;
};

/** What a wrong provider value is, for a message: `"kubernetes provider"`, a plain value as it is, else `"<class> instance"`. */
function describeProvider(value: unknown): unknown {
    const pkg = (Object.keys(PROVIDER_CLASSES) as ProviderPackage[]).find((p) =>
        PROVIDER_CLASSES[p]().isInstance(value),
    );
    if (pkg !== undefined) {
        return `${pkg} provider`;
    }
    return typeof value === "object" && value !== null ? `${value.constructor?.name ?? "Object"} instance` : value;
}

/**
 * Every problem with a component's `providers` argument: each package in `required` must have
 * its own provider there (a provider of another package, or none, is a problem). Pure.
 */
export function providerProblems(providers: unknown, required: readonly ProviderPackage[]): Problem[] {
    const given = typeof providers === "object" && providers !== null ? (providers as Record<string, unknown>) : {};
    const problems: Problem[] = [];
    for (const pkg of required) {
        const provider = given[pkg];
        if (PROVIDER_CLASSES[pkg]().isInstance(provider)) {
            continue;
        }
        const allowed = `allowed: the stack's ${pkg} provider (default providers are disabled: every component is given its providers)`;
        problems.push({
            path: `providers.${pkg}`,
            value: describeProvider(provider),
            message:
                provider === undefined ? `missing; ${allowed}` : `not a provider of the ${pkg} package; ${allowed}`,
        });
    }
    return problems;
}

/** The defaults of a component's optional arguments `A`: a value (never undefined) for some of its keys. */
export type Defaults<A> = { readonly [K in keyof A]?: Exclude<A[K], undefined> };

/** `A` with every key `D` gives a default for made required (and never undefined). */
export type WithDefaults<A, D> = Omit<A, keyof D> & { readonly [K in keyof D & keyof A]-?: Exclude<A[K], undefined> };

/**
 * A component's arguments with its defaults applied, the one way every component does it: each
 * key of `defaults` that `args` leaves out or sets to undefined gets its default; every other
 * value is kept as given, even an "empty" or a bad one (the component's checks report it; a
 * default never hides a given value). Pure.
 */
export function withDefaults<A extends object, D extends Defaults<A>>(args: A, defaults: D): WithDefaults<A, D> {
    const given = Object.entries(args).filter(([, value]) => value !== undefined);
    return { ...defaults, ...Object.fromEntries(given) } as WithDefaults<A, D>;
}

/**
 * A component's settings, or one ProblemError (ComponentArgsError) listing every problem before
 * anything is registered: those of its `providers` argument (`providerProblems`) first, then
 * those its own validation found. `validated` is that validation's result: settings whenever it
 * found no problem.
 */
export function settingsOrThrow<S>(
    component: string,
    resourceName: string,
    providersProblems: readonly Problem[],
    validated: { readonly settings?: S; readonly problems: readonly Problem[] },
): S {
    assertValidArgs(component, resourceName, [...providersProblems, ...validated.problems]);
    if (validated.settings === undefined) {
        // A bug of the component's validation: it returns settings whenever it finds no problem.
        throw new Error(`${component}: its validation returned neither settings nor a problem`);
    }
    return validated.settings;
}
