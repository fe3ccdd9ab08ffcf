import * as assert from "assert";
import { Layer } from "../../layers/layering";
import { parseStackName } from "../../layers/schema/stack";
import { ConfigProblems } from "../../layers/schema/problems";
import { describeProblem } from "../../components/problems";

/** What parseStackName makes of a name for a layer, and the messages of its problems. */
function parse(stack: string, layer: Layer): { name: unknown; problems: string[] } {
    const problems = new ConfigProblems();
    const name = parseStackName(stack, layer, problems);
    return { name, problems: problems.all.map(describeProblem) };
}

const SHAPE = "(environment names are lower-case letters and digits, no '-')";

// The messages of every other refusal are in test/infra/config.test.ts, through the whole config parser.
describe("layers/schema/stack: parseStackName, on the names of layers/layering.ts", () => {
    it("reads each layer's own names: the environment, and the service of a service stack", () => {
        assert.deepStrictEqual(parse("dev", "global"), { name: { env: "dev" }, problems: [] });
        assert.deepStrictEqual(parse("prod2-common", "common"), { name: { env: "prod2" }, problems: [] });
        assert.deepStrictEqual(parse("dev-customer-svc", "service"), {
            name: { env: "dev", service: "customer-svc" },
            problems: [],
        });
    });

    it("a service stack without a service part, and a global stack with an empty one, are refused", () => {
        assert.deepStrictEqual(parse("dev", "service"), {
            name: { env: "dev" },
            problems: [
                `platform:layer = "service": stack name "dev" does not fit the service layer: it has no service part; a service stack is named <env>-<service>, e.g. dev-backend ${SHAPE}`,
            ],
        });
        assert.deepStrictEqual(parse("dev-", "global").problems, [
            `platform:layer = "global": stack name "dev-" does not fit the global layer: it has a part after the environment (""); a global stack is named <env>, e.g. dev ${SHAPE}`,
        ]);
        assert.deepStrictEqual(parse("dev-", "service").name, { env: "dev" });
    });

    it("a reserved service name keeps its parts for the messages that follow", () => {
        assert.deepStrictEqual(parse("dev-common", "service").name, { env: "dev", service: "common" });
        assert.deepStrictEqual(parse("dev-global", "service").name, { env: "dev", service: "global" });
    });
});
