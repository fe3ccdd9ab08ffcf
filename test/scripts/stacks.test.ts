import * as assert from "assert";
import { environments, environmentsOf, listing, touchedStacks } from "../../scripts/stacks";

const STACKS = ["dev", "dev-backend", "dev-common", "prod", "prod-common", "prod-payment"];

describe("workflow stack listings (scripts/stacks.ts, run by .github/scripts/stacks.sh)", () => {
    it("lists every environment by its global stack, as layers/layering.ts names it", () => {
        assert.deepStrictEqual(environments(STACKS), ["dev", "prod"]);
        assert.deepStrictEqual(environmentsOf(["prod-payment", "dev-common", "dev"]), ["dev", "prod"]);
    });

    it("touches a stack by its own file, every stack by code or Pulumi.yaml, none by docs or workflows", () => {
        assert.deepStrictEqual(
            touchedStacks(["Pulumi.dev-backend.yaml", "docs/service.md", "Pulumi.gone.yaml"], STACKS),
            ["dev-backend"],
        );
        assert.deepStrictEqual(touchedStacks(["README.md", ".github/workflows/deploy.yml"], STACKS), []);
        assert.deepStrictEqual(touchedStacks(["Pulumi.yaml"], STACKS), [...STACKS].sort());
        assert.deepStrictEqual(
            touchedStacks(["components/service/validation.ts", "Pulumi.dev.yaml"], STACKS),
            [...STACKS].sort(),
        );
        assert.deepStrictEqual(touchedStacks([], STACKS), []);
    });

    it("answers each command with JSON-ready lists and refuses anything else with the usage", () => {
        const changed = () => ["Pulumi.prod-payment.yaml"];
        assert.deepStrictEqual(listing(["envs"], STACKS, changed), ["dev", "prod"]);
        assert.deepStrictEqual(listing(["touched", "main"], STACKS, changed), ["prod-payment"]);
        assert.deepStrictEqual(listing(["touched-envs", "main"], STACKS, changed), ["prod"]);
        for (const args of [[], ["touched"], ["envs", "x"], ["list"], ["preview-envs"]]) {
            assert.throws(() => listing(args, STACKS, changed), {
                message: "usage: stacks envs | touched <base-ref> | touched-envs <base-ref> | preview-envs <base-ref>",
            });
        }
    });

    it("preview-envs: the touched environments that are not production (a pull request holds no production secret)", () => {
        const everything = () => ["components/service/spec.ts"];
        const production = (env: string) => env === "prod";
        assert.deepStrictEqual(listing(["touched-envs", "main"], STACKS, everything, production), ["dev", "prod"]);
        assert.deepStrictEqual(listing(["preview-envs", "main"], STACKS, everything, production), ["dev"]);
        assert.deepStrictEqual(
            listing(["preview-envs", "main"], STACKS, () => ["Pulumi.prod.yaml"], production),
            [],
        );
    });
});
