/** What a fake resource or invoke may know about where it runs. */
export interface FakeContext {
    /** The region of the aws provider the resource or invoke uses, if any. */
    readonly region: string;
    /** The fake AWS account id of every ARN. */
    readonly account: string;
}

/** The fake AWS account id used in every ARN of the mocks. */
export const FAKE_ACCOUNT = "123456789012";

/** Extra state (outputs) a fake resource returns besides its inputs. */
export type ResourceFake = (name: string, inputs: Record<string, any>, ctx: FakeContext) => Record<string, unknown>;

/** The result of a fake invoke. */
export type InvokeFake = (args: Record<string, any>, ctx: FakeContext) => Record<string, unknown>;
