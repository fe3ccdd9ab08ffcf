/**
 * The tests every component with a `providers` argument (components/args.ts) gets: a missing or
 * another package's provider is refused like any other argument problem (listed first, in the
 * component's one error) and before anything is registered.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { ProviderPackage } from "../../components/args";
import { ProblemError } from "../../components/problems";
import { useMocks } from "../../plan/evaluate";

/** What a providers problem says is allowed for `pkg`. */
export function allowedProvider(pkg: ProviderPackage): string {
    return `allowed: the stack's ${pkg} provider (default providers are disabled: every component is given its providers)`;
}

/** A component with a `providers` argument, for `itChecksProviders`. */
export interface ProvidersCase<A extends { readonly providers: object }> {
    /** The component's class name in messages, e.g. `Istio`. */
    readonly component: string;
    /** The resource name the tests use. */
    readonly name: string;
    /** The first line of the component's error. @default `invalid <component> "<name>" arguments:` */
    readonly heading?: string;
    /** The package whose provider the component needs. */
    readonly pkg: "aws" | "kubernetes";
    /** Good arguments, with `providers` as given (called inside the tests, after the providers exist). */
    readonly args: (providers: A["providers"]) => A;
    /** Another bad argument and the line of its problem, to show the provider's is listed first. */
    readonly otherProblem: { readonly args: Partial<A>; readonly line: string };
    /** The component's settings function (throws the component's error). */
    readonly settings: (name: string, args: A) => unknown;
    /** Creates the component. */
    readonly create: (name: string, args: A) => unknown;
}

/** The provider tests of one component, inside the caller's `describe`. */
export function itChecksProviders<A extends { readonly providers: object }>(c: ProvidersCase<A>): void {
    const heading = c.heading ?? `invalid ${c.component} "${c.name}" arguments:`;
    const throwsExactly = (make: () => unknown, lines: string[]) =>
        assert.throws(
            make,
            (err: unknown) =>
                err instanceof ProblemError &&
                err.name === "ComponentArgsError" &&
                err.message === [heading, ...lines.map((l) => `  - ${l}`)].join("\n"),
        );
    let wrong: aws.Provider | k8s.Provider;
    before(() => {
        useMocks("dev");
        // Another package's provider: the kubernetes one where aws is needed, and the other way round.
        wrong =
            c.pkg === "aws" ? new k8s.Provider("kubernetes", {}) : new aws.Provider("aws", { region: "eu-central-1" });
    });
    const none = {} as A["providers"];

    it(`a missing or wrong ${c.pkg} provider is a problem like any other, listed first`, () => {
        throwsExactly(
            () => c.settings(c.name, { ...c.args(none), ...c.otherProblem.args }),
            [`providers.${c.pkg} = (not set): missing; ${allowedProvider(c.pkg)}`, c.otherProblem.line],
        );
        const wrongName = c.pkg === "aws" ? "kubernetes provider" : "aws provider";
        throwsExactly(
            () => c.settings(c.name, c.args({ [c.pkg]: wrong })),
            [`providers.${c.pkg} = "${wrongName}": not a provider of the ${c.pkg} package; ${allowedProvider(c.pkg)}`],
        );
    });

    it(`the component refuses to be made without its ${c.pkg} provider before registering anything`, () => {
        const recorder = useMocks("dev");
        assert.throws(() => c.create(c.name, c.args(none)), ProblemError);
        assert.deepStrictEqual(recorder.resources, []);
    });
}
