import * as assert from "assert";
import { isConfigError } from "../../layers/config";
import { platformConfig, DEV_GLOBAL_CONFIG, MINIMAL_COMMON_CONFIG } from "../helpers/config";
import * as pulumi from "@pulumi/pulumi";
import { main } from "../../infra/program";
import { evaluate, useMocks } from "../../plan/evaluate";
import { DEV_GLOBAL_OUTPUTS, devStackOutputs } from "../helpers/fixtures";

describe("layer wiring (infra/program.ts)", () => {
    it("a global stack exports the environment's settings and the reserved cluster name", async () => {
        const result = await evaluate({ stack: "dev", config: platformConfig(DEV_GLOBAL_CONFIG) });
        assert.deepStrictEqual(
            {
                env: result.outputs.env,
                region: result.outputs.region,
                team: result.outputs.team,
                contact: result.outputs.contact,
                timeZone: result.outputs.timeZone,
                startTime: result.outputs.startTime,
                stopTime: result.outputs.stopTime,
                clusterName: result.outputs.clusterName,
            },
            {
                env: "dev",
                region: "eu-central-1",
                team: "platform-team",
                contact: "platform-team@example.com",
                timeZone: "Europe/Berlin",
                startTime: "07:00",
                stopTime: "19:00",
                clusterName: "dev-common-eks-cluster",
            },
        );
    });

    it("the global and common layers each build one explicit aws provider with the region and the owner's eight default tags", async () => {
        const global = await evaluate({ stack: "dev", config: platformConfig(DEV_GLOBAL_CONFIG) });
        const common = await evaluate({
            stack: "dev-common",
            config: platformConfig(MINIMAL_COMMON_CONFIG),
            stackOutputs: devStackOutputs(),
        });
        for (const [result, owner] of [
            [global, "global"],
            [common, "common"],
        ] as const) {
            const providers = result.resources.filter((r) => r.type === "pulumi:providers:aws");
            assert.strictEqual(providers.length, 1);
            assert.strictEqual(providers[0].inputs.region, "eu-central-1");
            assert.deepStrictEqual(providers[0].inputs.defaultTags, {
                tags: {
                    environment: "dev",
                    "owner-service": owner,
                    "infra-region": "eu-central-1",
                    "team-name": "platform-team",
                    "time-zone": "Europe/Berlin",
                    "start-time": "07:00",
                    "stop-time": "19:00",
                    contact: "platform-team@example.com",
                },
            });
        }
    });

    it("the common layer reads the environment from the global stack, not from its own config", async () => {
        const result = await evaluate({
            stack: "dev-common",
            config: platformConfig(MINIMAL_COMMON_CONFIG),
            stackOutputs: devStackOutputs(),
        });
        const refs = result.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name);
        // And its own last deployment, for the Kubernetes minor its EKS cluster runs.
        assert.deepStrictEqual(refs, ["organization/platform/dev", "organization/platform/dev-common"]);
        assert.strictEqual(result.outputs.clusterName, DEV_GLOBAL_OUTPUTS.clusterName);
    });

    it("a service layer references both the global and the common stack of its environment", async () => {
        const result = await evaluate({
            stack: "dev-backend",
            config: platformConfig({
                layer: "service",
                organization: "acme",
                versions: [{ name: "v1", image: "registry.example.com/backend:1.0.0", weight: 100 }],
            }),
            stackOutputs: devStackOutputs("acme"),
        });
        const refs = result.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name);
        assert.deepStrictEqual(refs.sort(), ["acme/platform/dev", "acme/platform/dev-common"]);
        // It owns Kubernetes objects only: one kubernetes provider, no aws provider (so a service
        // stack runs with the kubernetes plugin alone).
        const providers = result.resources
            .filter((r) => r.type.startsWith("pulumi:providers:"))
            .map((r) => `${r.type} ${r.name}`);
        assert.deepStrictEqual(providers, ["pulumi:providers:kubernetes kubernetes"]);
        assert.deepStrictEqual(
            result.resources.filter((r) => r.type.startsWith("aws:")),
            [],
        );
    });

    it("a layer whose referenced stack lacks outputs fails naming the stack and each missing output", async () => {
        await assert.rejects(
            evaluate({
                stack: "dev-common",
                config: platformConfig(MINIMAL_COMMON_CONFIG),
                stackOutputs: { "organization/platform/dev": { outputs: { env: "dev", region: 42 } } },
            }),
            (err: Error) => {
                assert.match(
                    err.message,
                    /^Stack "organization\/platform\/dev" does not have the outputs this stack reads: /,
                );
                assert.match(err.message, /region is not a string \(got 42\)/);
                assert.match(err.message, /vpcId is missing/);
                assert.match(err.message, /Run "pulumi up" on stack "dev" first/);
                return true;
            },
        );
    });

    it("bad config fails before any resource is registered", async () => {
        const recorder = useMocks("dev");
        pulumi.runtime.setAllConfig(platformConfig({ ...DEV_GLOBAL_CONFIG, vpcCidr: "10.0.0.0/8", contact: "x" }));
        await assert.rejects(main(), (err: unknown) => isConfigError(err) && err.problems.length === 2);
        assert.deepStrictEqual(recorder.resources, []);
    });
});
