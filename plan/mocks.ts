import * as pulumi from "@pulumi/pulumi";
import { FAKE_ACCOUNT, FakeContext, INVOKE_FAKES, RESOURCE_FAKES, fakeArn } from "./fakes";

/** The outputs of another stack, as a StackReference to it sees them. */
export interface StackOutputsFixture {
    readonly outputs: Record<string, unknown>;
    /** Names of the outputs that are secret. */
    readonly secretOutputNames?: readonly string[];
}

/** The region an aws provider was registered with, by the provider's URN. */
type ProviderRegions = Map<string, string>;

/**
 * Pulumi mocks for the whole program: deterministic ids and ARNs, the fake outputs of
 * ./fakes, StackReferences answered from given outputs, and the invokes of ./fakes.
 * Anything else the program asks for fails loudly, naming what was asked.
 */
export class PlatformMocks implements pulumi.runtime.Mocks {
    private stackOutputs: Record<string, StackOutputsFixture> = {};
    /** The stack evaluated: a StackReference to itself (its last deployment) not given finds no outputs. */
    private stack = "";
    private readonly regions: ProviderRegions = new Map();
    /** Every invoke made, in order: the tokens and their arguments. */
    readonly invokes: { token: string; inputs: Record<string, unknown> }[] = [];

    /**
     * Starts a new evaluation of `stack`: forgets providers and invokes, and sets the referenced
     * stacks' outputs. A reference to `stack` itself that is not given reads a stack never deployed
     * (no outputs): the offline plan is of stacks deployed from nothing.
     */
    reset(stackOutputs: Record<string, StackOutputsFixture>, stack = ""): void {
        this.stackOutputs = stackOutputs;
        this.stack = stack;
        this.regions.clear();
        this.invokes.length = 0;
    }

    private context(provider: string | undefined): FakeContext {
        const urn = provider?.split("::").slice(0, -1).join("::") ?? "";
        return { region: this.regions.get(urn) ?? "us-east-1", account: FAKE_ACCOUNT };
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const { type, name, inputs } = args;
        if (type === "pulumi:pulumi:StackReference") {
            const own = this.stack !== "" && String(inputs.name).split("/").pop() === this.stack;
            const fixture = this.stackOutputs[inputs.name] ?? (own ? { outputs: {} } : undefined);
            if (!fixture) {
                throw new Error(
                    `mocks: no outputs given for the StackReference "${inputs.name}"; known: ${Object.keys(this.stackOutputs).join(", ") || "none"}`,
                );
            }
            return {
                id: inputs.name,
                state: {
                    name: inputs.name,
                    outputs: fixture.outputs,
                    secretOutputNames: [...(fixture.secretOutputNames ?? [])],
                },
            };
        }
        if (type === "pulumi:providers:aws") {
            this.regions.set(this.urnOf(type, name), inputs.region);
        }
        const ctx = this.context(args.provider);
        const fake = RESOURCE_FAKES[type];
        const extra: Record<string, unknown> = type.startsWith("aws:") ? { arn: fakeArn(type, name, inputs, ctx) } : {};
        Object.assign(extra, fake ? fake(name, inputs, ctx) : {});
        // Components have no id; custom resources get one derived from their name.
        return { id: args.custom === false ? undefined : `${name}-id`, state: { ...inputs, ...extra } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const fake = INVOKE_FAKES[args.token];
        this.invokes.push({ token: args.token, inputs: args.inputs });
        // The SDK rejects a failed invoke with `new Error(err.details)`, as for a gRPC error.
        const fail = (message: string) => Object.assign(new Error(message), { details: message });
        if (!fake) {
            throw fail(
                `mocks: unexpected invoke "${args.token}" with ${JSON.stringify(args.inputs)}; add a fake in plan/fakes if the program really needs it`,
            );
        }
        try {
            return fake(args.inputs, this.context(args.provider));
        } catch (err) {
            throw fail(err instanceof Error ? err.message : String(err));
        }
    }

    private urnOf(type: string, name: string): string {
        return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${type}::${name}`;
    }
}
