import * as assert from "assert";
import {
    LAYERS,
    commonStackName,
    envOfStackName,
    globalStackName,
    isStackOfEnvironment,
    layerOfStackName,
    layeredStacks,
    serviceOfStackName,
    serviceStackName,
    stackReferenceName,
    stacksReadBy,
} from "../../layers/layering";

describe("layers/layering: the one place that knows the layering", () => {
    it("names the stacks of an environment and tells the layer and environment back from a name", () => {
        assert.deepStrictEqual(
            [globalStackName("dev"), commonStackName("dev"), serviceStackName("dev", "customer-svc")],
            ["dev", "dev-common", "dev-customer-svc"],
        );
        assert.deepStrictEqual(["dev", "dev-common", "dev-customer-svc"].map(layerOfStackName), [
            "global",
            "common",
            "service",
        ]);
        assert.deepStrictEqual(["dev", "dev-common", "dev-customer-svc"].map(envOfStackName), ["dev", "dev", "dev"]);
        assert.strictEqual(serviceOfStackName("dev-customer-svc"), "customer-svc");
        assert.deepStrictEqual(
            ["dev", "dev-common", "devel", "devel-common", "prod-dev"].map((s) => isStackOfEnvironment(s, "dev")),
            [true, true, false, false, false],
        );
        assert.strictEqual(stackReferenceName("acme", "platform", "dev-common"), "acme/platform/dev-common");
    });

    it("deploy order is global, common, service; each stack reads the stacks of the layers below it", () => {
        assert.deepStrictEqual([...LAYERS], ["global", "common", "service"]);
        assert.deepStrictEqual(stacksReadBy("prod"), []);
        assert.deepStrictEqual(stacksReadBy("prod-common"), ["prod"]);
        assert.deepStrictEqual(stacksReadBy("prod-payment"), ["prod", "prod-common"]);
    });

    it("groups stacks by layer in deploy order, keeping their order within a layer and leaving out empty layers", () => {
        assert.deepStrictEqual(layeredStacks(["dev-payment", "dev-common", "dev-backend", "dev"]), [
            { layer: "global", stacks: ["dev"] },
            { layer: "common", stacks: ["dev-common"] },
            { layer: "service", stacks: ["dev-payment", "dev-backend"] },
        ]);
        assert.deepStrictEqual(layeredStacks(["dev-backend", "dev"]), [
            { layer: "global", stacks: ["dev"] },
            { layer: "service", stacks: ["dev-backend"] },
        ]);
    });
});
