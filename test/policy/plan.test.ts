import * as assert from "assert";
import { devPlanOrSkip } from "../helpers/dev-plan";
import { formatPolicyViolation } from "../helpers/policy-run";

describe("policy pack over the dev plan (as pulumi preview --policy-pack policy)", function () {
    this.timeout(120000);

    it("no stack of dev breaks a policy", async function () {
        const plans = await devPlanOrSkip(this);
        const found = plans.flatMap((p) => (p.policyViolations ?? []).map((v) => `${p.config.stack}: ${formatPolicyViolation(v)}`));
        assert.deepStrictEqual(found, []);
    });
});
