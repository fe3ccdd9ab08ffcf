import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readAccessGraph } from "../../infra/environment";
import { ROOT } from "../helpers/stack-config";
import { tempDir } from "../helpers/temp";

describe("the environment's access graph (infra/environment.ts)", () => {
    it("reads dev's service stacks and their callers from the stack files", () => {
        assert.deepStrictEqual(readAccessGraph("dev", ROOT), [
            { name: "backend", allowedCallers: [{ service: "frontend" }] },
            { name: "frontend", allowedCallers: [] },
            { name: "payment", allowedCallers: [{ namespace: "backend" }] },
        ]);
    });

    it("skips other layers and other environments, and admits nobody from a malformed list", () => {
        const dir = tempDir("graph");
        const write = (stack: string, body: string) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), body);
        write("qa", "config:\n  platform:layer: global\n");
        write("qa-common", "config:\n  platform:layer: common\n");
        write("qa-a", "config:\n  platform:layer: service\n  platform:allowedCallers: {service: b}\n");
        write("qa-b", "config:\n  platform:layer: service\n  platform:allowedCallers:\n    - {service: a}\n    - 7\n    - {namespace: ops}\n");
        write("qa2-c", "config:\n  platform:layer: service\n  platform:allowedCallers: [{service: a}]\n");
        assert.deepStrictEqual(readAccessGraph("qa", dir), [
            { name: "a", allowedCallers: [] },
            { name: "b", allowedCallers: [{ service: "a" }, { namespace: "ops" }] },
        ]);
        assert.deepStrictEqual(readAccessGraph("qa", path.join(dir, "missing")), []);
    });
});
