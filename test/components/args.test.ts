import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import { providerProblems, settingsOrThrow, withDefaults } from "../../components/args";
import { ProblemError } from "../../components/problems";
import { useMocks } from "../../plan/evaluate";

const allowed = (pkg: string) =>
    `allowed: the stack's ${pkg} provider (default providers are disabled: every component is given its providers)`;

describe("components/args: the providers argument", () => {
    let providers: { aws: aws.Provider; eks: eks.Provider; kubernetes: k8s.Provider };
    before(() => {
        useMocks("dev");
        providers = {
            aws: new aws.Provider("aws", { region: "eu-central-1" }),
            eks: new eks.Provider("eks", {}),
            kubernetes: new k8s.Provider("kubernetes", {}),
        };
    });

    it("no problem when each required package has its own provider (others may be there too)", () => {
        assert.deepStrictEqual(providerProblems(providers, ["aws"]), []);
        assert.deepStrictEqual(providerProblems({ aws: providers.aws, eks: providers.eks }, ["aws", "eks"]), []);
        assert.deepStrictEqual(providerProblems({ kubernetes: providers.kubernetes }, ["kubernetes"]), []);
    });

    it("a missing provider is named with its package, in the order asked for", () => {
        assert.deepStrictEqual(providerProblems({ aws: providers.aws }, ["eks", "aws", "kubernetes"]), [
            { path: "providers.eks", value: undefined, message: `missing; ${allowed("eks")}` },
            { path: "providers.kubernetes", value: undefined, message: `missing; ${allowed("kubernetes")}` },
        ]);
    });

    it("no providers argument at all: every required provider is missing", () => {
        for (const given of [undefined, null, "aws"]) {
            assert.deepStrictEqual(providerProblems(given, ["aws"]), [
                { path: "providers.aws", value: undefined, message: `missing; ${allowed("aws")}` },
            ]);
        }
    });

    it("another package's provider, or something that is no provider, is named for what it is", () => {
        assert.deepStrictEqual(providerProblems({ aws: providers.kubernetes }, ["aws"]), [
            {
                path: "providers.aws",
                value: "kubernetes provider",
                message: `not a provider of the aws package; ${allowed("aws")}`,
            },
        ]);
        assert.deepStrictEqual(
            providerProblems({ kubernetes: providers.aws, eks: "eu-central-1" }, ["kubernetes", "eks"]),
            [
                {
                    path: "providers.kubernetes",
                    value: "aws provider",
                    message: `not a provider of the kubernetes package; ${allowed("kubernetes")}`,
                },
                {
                    path: "providers.eks",
                    value: "eu-central-1",
                    message: `not a provider of the eks package; ${allowed("eks")}`,
                },
            ],
        );
        assert.deepStrictEqual(providerProblems({ aws: { region: "eu-central-1" } }, ["aws"]), [
            {
                path: "providers.aws",
                value: "Object instance",
                message: `not a provider of the aws package; ${allowed("aws")}`,
            },
        ]);
    });
});

describe("components/args: withDefaults", () => {
    interface Args {
        readonly name: string;
        readonly replicas?: number;
        readonly scheme?: "internal" | "internet-facing";
        readonly ranges?: readonly string[];
    }
    const defaults = { replicas: 2, scheme: "internal", ranges: [] } as const;

    it("fills each key left out with its default and keeps the required ones", () => {
        assert.deepStrictEqual(withDefaults<Args, typeof defaults>({ name: "a" }, defaults), {
            name: "a",
            replicas: 2,
            scheme: "internal",
            ranges: [],
        });
    });

    it("a key set to undefined gets its default; a given value is kept, even 0, an empty list or a bad one", () => {
        const given: Args = { name: "a", replicas: 0, scheme: "public" as never, ranges: undefined };
        const emptyList: Args = { name: "", ranges: [] };
        assert.deepStrictEqual(withDefaults(given, defaults), {
            name: "a",
            replicas: 0,
            scheme: "public",
            ranges: [],
        });
        assert.deepStrictEqual(withDefaults(emptyList, { ...defaults, ranges: ["x"] }), {
            name: "",
            replicas: 2,
            scheme: "internal",
            ranges: [],
        });
    });

    it("keeps a key that has no default when given, and leaves it out when not", () => {
        const nameOnly: Args = { name: "a" };
        const withScheme: Args = { name: "a", scheme: "internet-facing" };
        assert.deepStrictEqual(Object.keys(withDefaults(nameOnly, { replicas: 3 })), ["replicas", "name"]);
        assert.deepStrictEqual(withDefaults(withScheme, { replicas: 3 }), {
            name: "a",
            replicas: 3,
            scheme: "internet-facing",
        });
    });
});

describe("components/args: settingsOrThrow", () => {
    const bad = { path: "replicas", value: 1, message: "allowed: 2 to 10" };
    const missing = { path: "providers.kubernetes", value: undefined, message: "missing" };

    it("the settings when neither the providers nor the validation found a problem", () => {
        assert.deepStrictEqual(settingsOrThrow("Mesh", "m", [], { settings: { replicas: 2 }, problems: [] }), {
            replicas: 2,
        });
    });

    it("one ComponentArgsError, the providers' problems first, even when the validation made settings", () => {
        assert.throws(
            () => settingsOrThrow("Mesh", "m", [missing], { problems: [bad] }),
            (err: unknown) =>
                err instanceof ProblemError &&
                err.name === "ComponentArgsError" &&
                err.message ===
                    'invalid Mesh "m" arguments:\n  - providers.kubernetes = (not set): missing\n  - replicas = 1: allowed: 2 to 10',
        );
        assert.throws(() => settingsOrThrow("Mesh", "m", [missing], { settings: {}, problems: [] }), ProblemError);
    });

    it("a validation that returns neither settings nor a problem is a bug, said as one", () => {
        assert.throws(
            () => settingsOrThrow("Mesh", "m", [], { problems: [] }),
            (err: unknown) =>
                !(err instanceof ProblemError) &&
                err instanceof Error &&
                err.message === "Mesh: its validation returned neither settings nor a problem",
        );
    });
});
