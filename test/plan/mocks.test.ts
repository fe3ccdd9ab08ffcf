import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { waitForRPCs } from "../../infra/sdk";
import { MINIMAL_COMMON_CONFIG, platformConfig } from "../helpers/config";
import { evaluate, mocks, useMocks } from "../../plan/evaluate";
import { DEFAULT_OPTIONS, nameOfUrn, plainValue, SECRET } from "../../plan/recorder";

/** Runs `body` as a tiny program under the mocks and returns what the recorder saw. */
async function record(body: () => void | Promise<void>) {
    const recorder = useMocks("dev");
    mocks.reset({});
    await body();
    await waitForRPCs();
    return recorder.resources;
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

describe("mocks harness and recorder (plan/)", () => {
    it("records type, name, parent, dependsOn, provider and inputs, with secrets masked", async () => {
        let vpcId: pulumi.Output<string> | undefined;
        const resources = await record(() => {
            const provider = new aws.Provider("aws", { region: "eu-west-1" });
            const parent = new pulumi.ComponentResource("platform:test:Thing", "thing");
            const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" }, { provider, parent });
            vpcId = vpc.id;
            new aws.ec2.Subnet(
                "subnet",
                { vpcId: vpc.id, cidrBlock: "10.0.0.0/24", tags: { Name: pulumi.secret("hidden") } },
                { provider, parent, dependsOn: [vpc] },
            );
        });
        const subnet = resources.find((r) => r.name === "subnet")!;
        assert.strictEqual(subnet.type, "aws:ec2/subnet:Subnet");
        assert.strictEqual(subnet.parent, "thing");
        assert.deepStrictEqual(subnet.dependsOn, ["vpc"]);
        assert.strictEqual(subnet.provider, "aws");
        assert.strictEqual(subnet.urn, "urn:pulumi:dev::platform::platform:test:Thing$aws:ec2/subnet:Subnet::subnet");
        assert.deepStrictEqual(subnet.inputs.tags, { Name: SECRET });
        assert.strictEqual(subnet.inputs.vpcId, "vpc-id");
        assert.strictEqual(await valueOf(vpcId!), "vpc-id");
    });

    it("records the resource options the engine receives, and the defaults where none is set", async () => {
        // Options the engine receives as they are written.
        const FLAGS = {
            protect: true,
            ignoreChanges: ["tags", "cidrBlock"],
            deleteBeforeReplace: true,
            retainOnDelete: true,
            replaceOnChanges: ["availabilityZone"],
            additionalSecretOutputs: ["arn"],
        };
        const resources = await record(() => {
            const provider = new aws.Provider("aws", { region: "eu-west-1" });
            const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" }, { provider });
            const key = new aws.kms.Key("key", {}, { provider });
            new aws.ec2.Subnet(
                "subnet",
                { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" },
                {
                    provider,
                    dependsOn: [key],
                    ...FLAGS,
                    deletedWith: vpc,
                    customTimeouts: { create: "30m", delete: "1h" },
                },
            );
        });
        const subnet = resources.find((r) => r.name === "subnet")!;
        // The explicit dependsOn only: the VPC is a dependency through vpcId, not an option.
        assert.deepStrictEqual(subnet.dependsOn, ["key", "vpc"]);
        assert.deepStrictEqual(subnet.options, {
            ...FLAGS,
            dependsOn: ["key"],
            deletedWith: "vpc",
            customTimeouts: { create: "30m", update: "", delete: "1h" },
        });
        assert.deepStrictEqual(resources.find((r) => r.name === "vpc")!.options, DEFAULT_OPTIONS);
    });

    it("returns deterministic ids and ARNs in the provider's region", async () => {
        let arn: pulumi.Output<string> | undefined;
        await record(() => {
            const provider = new aws.Provider("aws", { region: "eu-west-1" });
            arn = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" }, { provider }).arn;
        });
        assert.strictEqual(await valueOf(arn!), "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc");
    });

    it("fails loudly on an invoke the program is not expected to make", async () => {
        useMocks("dev");
        mocks.reset({});
        const provider = new aws.Provider("aws", { region: "eu-west-1" });
        await assert.rejects(
            aws.ec2.getVpc({ default: true }, { provider }),
            /mocks: unexpected invoke "aws:ec2\/getVpc:getVpc"/,
        );
    });

    it("answers a StackReference only with the outputs it was given", async () => {
        await assert.rejects(
            evaluate({ stack: "dev-common", config: platformConfig(MINIMAL_COMMON_CONFIG), stackOutputs: {} }),
            /mocks: no outputs given for the StackReference "organization\/platform\/dev"; known: none/,
        );
    });

    it("reads names out of URNs and masks secrets, unknowns and references in wire values", () => {
        assert.strictEqual(nameOfUrn("urn:pulumi:dev::platform::a$b::my-name"), "my-name");
        assert.deepStrictEqual(
            plainValue({
                a: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "pw" },
                b: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
                c: [
                    {
                        "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e",
                        urn: "urn:pulumi:dev::platform::t::res",
                    },
                ],
            }),
            { a: SECRET, b: "[unknown]", c: ["[resource res]"] },
        );
    });

    it("has fake availability zones only for regions AWS has, and says so for any other", async () => {
        const zones = (region: string) =>
            record(async () => {
                const provider = new aws.Provider("aws", { region });
                await aws.getAvailabilityZones({ state: "available" }, { provider });
            });
        await zones("eu-central-1");
        assert.deepStrictEqual(
            mocks.invokes.map((i) => i.token),
            ["aws:index/getAvailabilityZones:getAvailabilityZones"],
        );
        await assert.rejects(zones("eu-centrl-1"), (err: Error) => {
            assert.match(
                err.message,
                /unknown AWS region "eu-centrl-1": the offline plan has availability zones only for af-south-1, .*eu-central-1, /,
            );
            return true;
        });
    });
});
