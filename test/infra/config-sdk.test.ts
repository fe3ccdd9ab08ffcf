// The one SDK internal infra/config.ts relies on: runtime.isConfigSecret (not in the typings).
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { isConfigSecret } from "../../infra/config";

describe("config: the SDK's secret-key check (infra/config.ts isConfigSecret)", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}, []));

    it("is still provided by @pulumi/pulumi and tells a secret key from a plain one", () => {
        pulumi.runtime.setAllConfig({ "platform:a": "x", "platform:b": "y" }, ["platform:b"]);
        assert.strictEqual(isConfigSecret("platform:a"), false);
        assert.strictEqual(isConfigSecret("platform:b"), true);
    });
});
