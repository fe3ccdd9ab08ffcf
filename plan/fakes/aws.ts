import { awsRegions, isAwsRegion } from "../../components/conventions/regions";
import { FakeContext, InvokeFake, ResourceFake } from "./context";

/**
 * A deterministic ARN for an AWS resource type token (`aws:ec2/vpc:Vpc` -> `arn:aws:ec2:<region>:<account>:vpc/<name>`).
 * IAM is global (no region); its ARNs use the resource's physical name when it has one.
 */
export function fakeArn(type: string, name: string, inputs: Record<string, any>, ctx: FakeContext): string {
    const [, mod, rest] = /^aws:([^/]+)\/([^:]+):/.exec(type) ?? ["", "unknown", "resource"];
    const physical = typeof inputs.name === "string" ? inputs.name : name;
    const kind = rest.toLowerCase();
    if (mod === "iam") {
        return `arn:aws:iam::${ctx.account}:${kind}/${physical}`;
    }
    return `arn:aws:${mod}:${ctx.region}:${ctx.account}:${kind}/${physical}`;
}

/** Outputs of AWS resources beyond `id`, `arn` and their inputs, by type token. */
export const AWS_RESOURCE_FAKES: Record<string, ResourceFake> = {};

/** The fake answer of getAvailabilityZones: zones a, b and c of a known region. */
function zonesOf(region: string): Record<string, unknown> {
    return {
        id: region,
        names: ["a", "b", "c"].map((s) => `${region}${s}`),
        zoneIds: ["1", "2", "3"].map((s) => `${region.replace(/-/g, "").slice(0, 6)}-az${s}`),
        groupNames: [region],
    };
}

/** The AWS invokes the program makes, by token. */
export const AWS_INVOKE_FAKES: Record<string, InvokeFake> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_args, ctx) => {
        if (!isAwsRegion(ctx.region)) {
            // AWS would answer an unknown region with an error, not with zones.
            throw new Error(
                `unknown AWS region "${ctx.region}": the offline plan has availability zones only for ${awsRegions().join(", ")}`,
            );
        }
        return zonesOf(ctx.region);
    },
    "aws:index/getCallerIdentity:getCallerIdentity": (_args, ctx) => ({
        accountId: ctx.account,
        arn: `arn:aws:iam::${ctx.account}:user/ci`,
        id: ctx.account,
        userId: "AIDAFAKEUSERID",
    }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
    "aws:index/getRegion:getRegion": (_args, ctx) => ({
        name: ctx.region,
        region: ctx.region,
        id: ctx.region,
        endpoint: `ec2.${ctx.region}.amazonaws.com`,
        description: ctx.region,
    }),
};
