import * as assert from "assert";
import { ProblemError, Problems, describeProblem, throwIfProblems, underPath } from "../../components/problems";

describe("problems (components/problems.ts): one shape and one error for every bad input", () => {
    it("describes a problem as path = value: message, an unset value as (not set)", () => {
        assert.strictEqual(
            describeProblem({ path: "vpcCidr", value: "10.0.0.0/33", message: "not a CIDR" }),
            'vpcCidr = "10.0.0.0/33": not a CIDR',
        );
        assert.strictEqual(
            describeProblem({ path: "platform:team", value: undefined, message: "required" }),
            "platform:team = (not set): required",
        );
    });

    it("re-roots problems under a prefix: a field, a list entry or the whole value", () => {
        const inner = [
            { path: "name", value: "x", message: "m" },
            { path: "[2]", value: "y", message: "m" },
            { path: "", value: [], message: "m" },
        ];
        assert.deepStrictEqual(
            underPath("nodeGroups[0]", inner).map((p) => p.path),
            ["nodeGroups[0].name", "nodeGroups[0][2]", "nodeGroups[0]"],
        );
    });

    it("collects only real problems (a check's undefined is a good value), under its prefix", () => {
        const problems = new Problems("platform:");
        problems.add("team", "ok", undefined);
        problems.add("team", "Bad", "not a team name");
        problems.addAll("kmsKeyAdminArns", [{ path: "[0]", value: "a", message: "not an ARN" }]);
        assert.deepStrictEqual(problems.all, [
            { path: "platform:team", value: "Bad", message: "not a team name" },
            { path: "platform:kmsKeyAdminArns[0]", value: "a", message: "not an ARN" },
        ]);
    });

    it("throws one ProblemError whose name is its kind, with a line per problem and note", () => {
        assert.doesNotThrow(() => throwIfProblems("ComponentArgsError", "invalid X", []));
        assert.throws(
            () =>
                throwIfProblems(
                    "ComponentArgsError",
                    'invalid Istio "mesh" arguments:',
                    [{ path: "revision", value: "1.30", message: "not a revision" }],
                    ["a note"],
                ),
            (err: unknown) =>
                err instanceof ProblemError &&
                err.name === "ComponentArgsError" &&
                err.message === 'invalid Istio "mesh" arguments:\n  - revision = "1.30": not a revision\n  - a note',
        );
    });
});
