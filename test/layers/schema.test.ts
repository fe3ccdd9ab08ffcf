import * as assert from "assert";
import { z } from "zod";
import { ALL_KEYS, LAYERS, describeProblem, isConfigError, layerJsonSchema, parseConfig } from "../../layers/config";
import { closedMap, emptyMeansNone, field, narrowed } from "@platform/components/config";

describe("config schemas (layers/schema/keys.ts): one zod schema per layer", () => {
    it("each layer's JSON Schema holds exactly the keys that name the layer, refusing any other", () => {
        for (const layer of LAYERS) {
            const schema = layerJsonSchema(layer) as {
                properties: Record<string, { description?: string }>;
                additionalProperties: boolean;
            };
            const expected = ALL_KEYS.filter((k) => k.layers.includes(layer)).map((k) => k.key);
            assert.deepStrictEqual(Object.keys(schema.properties).sort(), [...expected].sort(), layer);
            assert.strictEqual(schema.additionalProperties, false);
            for (const [key, property] of Object.entries(schema.properties)) {
                assert.ok((property.description ?? "").length > 10, `${layer}: ${key} has its description`);
            }
        }
    });

    it("derives each key's declaration from its schema: Pulumi.yaml type, default, layers", () => {
        // The layers that read a key follow from the layers' composition of their slices.
        const specs = new Map(ALL_KEYS.map((s) => [s.key, s]));
        assert.deepStrictEqual(
            [
                "organization",
                "kmsKeyAdminArns",
                "controlPlaneLogRetentionDays",
                "nodeGroups",
                "endpointPublicAccess",
                "kubeconfig",
            ].map((k) => {
                const s = specs.get(k);
                return [k, s?.type, s?.default, s?.layers, s?.secret ?? false];
            }),
            [
                ["organization", "string", "organization", ["common", "service"], false],
                ["kmsKeyAdminArns", "string[]", [], ["global", "common"], false],
                ["controlPlaneLogRetentionDays", "integer", 30, ["common"], false],
                ["nodeGroups", "object[]", specs.get("nodeGroups")?.default, ["common"], false],
                ["endpointPublicAccess", "boolean", false, ["common"], false],
                ["kubeconfig", "string", "", ["common"], true],
            ],
        );
    });

    it("a closed map names the unknown field and the allowed ones; a missing field is required, a mistyped one says what is expected", () => {
        const map = closedMap({ host: field.string(), port: field.integer().optional() });
        const issues = map
            .safeParse({ hostname: "a", port: "443" })
            .error?.issues.map((i) => [i.path.join("."), i.message]);
        assert.deepStrictEqual(issues, [
            ["host", "required"],
            ["port", "expected a whole number"],
            ["", "unknown field; allowed: host, port"],
        ]);
    });

    it("narrows to the allowed values with the area's message, and types the result", () => {
        const protocol = narrowed(["HTTPS", "HTTP"] as const, (v) => `not ${v}; allowed: HTTPS, HTTP`);
        const ok: "HTTPS" | "HTTP" = protocol.parse("HTTP");
        assert.strictEqual(ok, "HTTP");
        assert.deepStrictEqual(
            protocol.safeParse("TCP").error?.issues.map((i) => i.message),
            ["not TCP; allowed: HTTPS, HTTP"],
        );
    });

    it("an optional map is none when empty, and complete otherwise", () => {
        const limit = emptyMeansNone({ maxTokens: field.integer(), fillInterval: field.string() });
        assert.strictEqual(limit.parse({}), undefined);
        assert.deepStrictEqual(limit.parse({ maxTokens: 1, fillInterval: "1s" }), { maxTokens: 1, fillInterval: "1s" });
        assert.deepStrictEqual(
            limit.safeParse({ maxTokens: 1 }).error?.issues.map((i) => [i.path.join("."), i.message]),
            [["fillInterval", "required"]],
        );
        // The JSON Schema of the key is the map's.
        assert.strictEqual((z.toJSONSchema(limit, { io: "input" }) as { type?: string }).type, "object");
    });
});

describe("config schemas: no message of zod's own reaches a user", () => {
    it("a whole number too large for a safe integer says what is allowed, at the key or field", () => {
        const raw = {
            layer: "service",
            versions: JSON.stringify([
                { name: "v1", image: "registry.example.com/a:1.0.0", weight: 100, replicas: 1e20 },
            ]),
            replicas: "99999999999999999999",
        };
        assert.throws(
            () => parseConfig("dev-backend", raw),
            (err: unknown) => {
                assert.ok(isConfigError(err));
                assert.deepStrictEqual(err.problems.map(describeProblem), [
                    "platform:versions[0].replicas = 100000000000000000000: out of range; allowed: a whole number from -9007199254740991 to 9007199254740991",
                    "platform:replicas = 100000000000000000000: out of range; allowed: a whole number from -9007199254740991 to 9007199254740991",
                ]);
                return true;
            },
        );
    });
});

describe("config schemas: any value of any key gets one of our messages", () => {
    /** The least config of each layer, as the engine's text. */
    const BASE: Record<string, Record<string, string>> = {
        dev: {
            layer: "global",
            region: "eu-central-1",
            team: "platform-team",
            contact: "platform-team@example.com",
            kmsKeyAdminArns: '["arn:aws:iam::123456789012:role/platform-admins"]',
        },
        "dev-common": { layer: "common", kmsKeyAdminArns: '["arn:aws:iam::123456789012:role/platform-admins"]' },
        "dev-backend": {
            layer: "service",
            versions: '[{"name":"v1","image":"registry.example.com/a:1.0.0","weight":100}]',
        },
    };
    /** Values of every kind, as a stack file could set them. */
    const VALUES = [
        "",
        "x",
        "1.5",
        "-1",
        "1e400",
        "99999999999999999999",
        "true",
        "null",
        "[]",
        "{}",
        "[1]",
        '["a", 2]',
        "[{}]",
        '{"a": 1}',
        "[null]",
        '[{"name": 1, "image": [], "weight": "x", "replicas": 1e30, "extra": {}}]',
    ];
    /** Wording of zod's own messages, which must never reach a user. */
    const ZOD =
        /Invalid input|received|Unrecognized key|Too (big|small)|expected (int|number|string|array|object|boolean)\b/;

    for (const [stack, base] of Object.entries(BASE)) {
        it(`${stack}: every key, every kind of value`, () => {
            const layer = base.layer;
            for (const spec of ALL_KEYS.filter(
                (k) => k.layers.some((l) => l === layer) && k.key !== "layer" && !k.secret,
            )) {
                for (const value of VALUES) {
                    try {
                        parseConfig(stack, { ...base, [spec.key]: value });
                    } catch (err) {
                        assert.ok(isConfigError(err), `${spec.key} = ${value}: ${String(err)}`);
                        for (const line of err.problems.map(describeProblem)) {
                            assert.doesNotMatch(line, ZOD, `${spec.key} = ${value}`);
                            assert.match(line, /^platform:[A-Za-z]/, `${spec.key} = ${value}`);
                        }
                    }
                }
            }
        });
    }
});
