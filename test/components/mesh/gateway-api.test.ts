import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GATEWAY_API_DIR, GATEWAY_API_VERSION, gatewayApiObjects } from "../../../components/mesh/gateway-api";

/** The team's copy of the release, when this clone sits beside it. */
const SHARED_STANDARD = path.resolve(__dirname, "..", "..", "..", "..", "shared", "gateway-api", "v1.5.1", "standard");

describe("Gateway API CRDs vendored for ambient mode (components/mesh/gateway-api)", () => {
    it("reads the standard channel of v1.5.1: eight CRDs, then the safe-upgrades policy and its binding", () => {
        assert.strictEqual(GATEWAY_API_VERSION, "v1.5.1");
        assert.deepStrictEqual(
            gatewayApiObjects().map((o) => [o.kind, o.name]),
            [
                ...[
                    "backendtlspolicies",
                    "gatewayclasses",
                    "gateways",
                    "grpcroutes",
                    "httproutes",
                    "listenersets",
                    "referencegrants",
                    "tlsroutes",
                ].map((n) => ["CustomResourceDefinition", `${n}.gateway.networking.k8s.io`]),
                ["ValidatingAdmissionPolicy", "safe-upgrades.gateway.networking.k8s.io"],
                ["ValidatingAdmissionPolicyBinding", "safe-upgrades.gateway.networking.k8s.io"],
            ],
        );
        for (const crd of gatewayApiObjects().filter((o) => o.kind === "CustomResourceDefinition")) {
            assert.strictEqual(crd.annotations["gateway.networking.k8s.io/channel"], "standard", crd.name);
        }
    });

    it("SOURCE.md's table names every vendored file", () => {
        const source = fs.readFileSync(path.join(GATEWAY_API_DIR, "SOURCE.md"), "utf8");
        const files = fs.readdirSync(GATEWAY_API_DIR).filter((f) => f.endsWith(".yaml"));
        assert.strictEqual(files.length, 9);
        assert.deepStrictEqual(
            files.filter((f) => !source.includes(`| \`${f}\` |`)),
            [],
        );
        assert.match(source, /tag `v1\.5\.1`, commit\s+`e7677b70ae75d14a4448fba94870e7deea6cf0ad`/);
    });

    it("refuses a folder with a CRD of another release or a document of another kind, naming the file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gateway-api-"));
        try {
            const crd = fs.readFileSync(path.join(GATEWAY_API_DIR, "gateway.networking.k8s.io_gateways.yaml"), "utf8");
            fs.writeFileSync(
                path.join(dir, "gateways.yaml"),
                crd.replace(/bundle-version: v1\.5\.1/, "bundle-version: v1.4.0"),
            );
            assert.throws(() => gatewayApiObjects(dir), {
                message: `${path.join(dir, "gateways.yaml")}: bundle version v1.4.0, expected v1.5.1`,
            });
            fs.writeFileSync(path.join(dir, "gateways.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
            const other = fs.mkdtempSync(path.join(os.tmpdir(), "gateway-api-"));
            fs.copyFileSync(path.join(dir, "gateways.yaml"), path.join(other, "gateways.yaml"));
            assert.throws(() => gatewayApiObjects(other), {
                message: `${path.join(other, "gateways.yaml")}: not a Gateway API CRD or admission policy`,
            });
            fs.rmSync(other, { recursive: true });
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("the files are the team's copy of the release byte for byte (checked when ../shared is beside this clone)", function () {
        if (!fs.existsSync(SHARED_STANDARD)) {
            this.skip();
        }
        for (const file of fs.readdirSync(SHARED_STANDARD).filter((f) => f.endsWith(".yaml"))) {
            assert.ok(
                fs
                    .readFileSync(path.join(GATEWAY_API_DIR, file))
                    .equals(fs.readFileSync(path.join(SHARED_STANDARD, file))),
                file,
            );
        }
    });
});
