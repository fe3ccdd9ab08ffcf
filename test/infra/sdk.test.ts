// The SDK internals of infra/sdk.ts: if an @pulumi/pulumi upgrade drops or renames one, this fails
// naming it, before the offline plan records less or the plain-text-secret check turns itself off.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { SdkChangedError, installedSdk, isConfigSecret, sdkProblems, typeTokenOfClass } from "../../infra/sdk";

/** A class without a Pulumi type token. */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- an empty class is the point: it has no type token
class NoTypeToken {}

describe("SDK internals (infra/sdk.ts)", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}, []));

    it("the installed @pulumi/pulumi still has every internal the program and the plan use", () => {
        const problems = sdkProblems();
        assert.deepStrictEqual(problems, [], `the SDK changed under infra/sdk.ts:\n  ${problems.join("\n  ")}`);
    });

    it("names each missing or changed internal (the check above can fail)", () => {
        const sdk = installedSdk();
        const { waitForRPCs: _w, ...runtime } = sdk.runtime;
        const register = Object.create(sdk.requestPrototypes.register) as Record<string, unknown>;
        register.getIgnorechangesList = undefined;
        assert.deepStrictEqual(
            sdkProblems({
                runtime,
                wire: { ...sdk.wire, secret: undefined },
                requestPrototypes: { ...sdk.requestPrototypes, register },
                resourceClass: NoTypeToken,
                resourceBase: {},
                structClass: { fromJavaScript: sdk.structClass, prototype: { toJavaScript: () => ({}) } },
            }),
            [
                "runtime.waitForRPCs is not a function",
                "the wire-format constant secret (runtime/rpc) is undefined, not a signature string",
                "RegisterResourceRequest.getIgnorechangesList is missing",
                "Resource.stackTrace is not a function",
                "google-protobuf's Struct.prototype.getFieldsMap (the SDK's copy) is not a function",
                "a resource class's __pulumiType (kubernetes core.v1.Namespace) is not kubernetes:core/v1:Namespace",
            ],
        );
    });

    it("tells a secret config key from a plain one with the SDK's own check", () => {
        pulumi.runtime.setAllConfig({ "platform:a": "x", "platform:b": "y" }, ["platform:b"]);
        assert.strictEqual(isConfigSecret("platform:a"), false);
        assert.strictEqual(isConfigSecret("platform:b"), true);
    });

    it("fails with a message naming the SDK internal when the SDK drops it", () => {
        const runtime = pulumi.runtime as unknown as Record<string, unknown>;
        const original = runtime.isConfigSecret;
        Object.defineProperty(runtime, "isConfigSecret", { value: undefined, configurable: true, writable: true });
        try {
            assert.throws(
                () => isConfigSecret("platform:a"),
                (err: Error) =>
                    err instanceof pulumi.RunError &&
                    /^@pulumi\/pulumi \S+ no longer provides runtime\.isConfigSecret, which the program \(to refuse secrets set in plain text\) needs; pin @pulumi\/pulumi/.test(
                        err.message,
                    ),
            );
        } finally {
            Object.defineProperty(runtime, "isConfigSecret", { value: original, configurable: true, writable: true });
        }
        assert.ok(new SdkChangedError("x", "y") instanceof Error);
    });

    it("reads a resource class's type token", () => {
        assert.strictEqual(typeTokenOfClass(installedSdk().resourceClass), "kubernetes:core/v1:Namespace");
        assert.strictEqual(typeTokenOfClass(NoTypeToken), undefined);
    });
});
