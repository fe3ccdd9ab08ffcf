// The plan's shortcut through protobuf Structs (plan/fast-struct.ts) gives what protobuf's own
// conversion gives, for any value, and a message read as a message still has its real fields.
import * as assert from "assert";
import fc from "fast-check";
import { installStructShortcut, protobufRoundTrip, protobufStruct, structObject } from "../../plan/fast-struct";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's own copy, as the shortcut patches it
const { Struct } = require(
    require.resolve("google-protobuf/google/protobuf/struct_pb", {
        paths: [require.resolve("@pulumi/pulumi")],
    }),
) as {
    Struct: {
        fromJavaScript(o: Record<string, unknown>): {
            toJavaScript(): Record<string, unknown>;
            serializeBinary(): Uint8Array;
            getFieldsMap(): { getLength(): number };
        };
    };
};

/** Values a resource's inputs hold: JSON, and the numbers JSON cannot write. */
const value = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.constant(null), fc.boolean(), fc.string(), fc.double(), fc.integer(), fc.constantFrom(NaN, -0)),
    list: fc.array(tie("any"), { maxLength: 4 }),
    object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("10", "2", "a", "__proto__x")), tie("any"), {
        maxKeys: 5,
    }),
    any: fc.oneof({ depthSize: "small" }, tie("leaf"), tie("list"), tie("object")),
})).object;

describe("the plan's shortcut through protobuf Structs (plan/fast-struct.ts)", () => {
    before(() => installStructShortcut());

    it("converts any value as protobuf's Struct does: sorted keys, NaN and -0 kept", () => {
        fc.assert(
            fc.property(value, (object) => {
                assert.deepStrictEqual(structObject(object), protobufRoundTrip(object));
                assert.deepStrictEqual(Struct.fromJavaScript(object).toJavaScript(), protobufRoundTrip(object));
                assert.deepStrictEqual(
                    Object.keys(Struct.fromJavaScript(object).toJavaScript()),
                    Object.keys(protobufRoundTrip(object)),
                );
            }),
            { numRuns: 300 },
        );
    });

    it("reads inherited enumerable keys, as protobuf does, and gives a fresh copy each time", () => {
        class Base {
            inherited = 1;
        }
        const child = Object.create({ fromPrototype: "p" }) as Record<string, unknown>;
        child.own = [new Base()];
        const struct = Struct.fromJavaScript({ child });
        assert.deepStrictEqual(struct.toJavaScript(), protobufRoundTrip({ child }));
        assert.deepStrictEqual(struct.toJavaScript(), { child: { fromPrototype: "p", own: [{ inherited: 1 }] } });
        const first = struct.toJavaScript();
        (first.child as Record<string, unknown>).own = "changed";
        assert.deepStrictEqual(struct.toJavaScript(), protobufRoundTrip({ child }));
    });

    it("refuses undefined and functions where protobuf refuses them, with its message", () => {
        for (const bad of [{ a: undefined }, { a: [1, undefined] }, { a: () => 1 }, { a: { b: Symbol("s") } }]) {
            assert.throws(() => protobufRoundTrip(bad), { message: "Unexpected struct type." });
            assert.throws(() => Struct.fromJavaScript(bad), { message: "Unexpected struct type." });
        }
    });

    it("a Struct read as a message has its real fields: the same binary form as protobuf's own", () => {
        const object = { b: [1, "x", null, { d: true }], a: { c: 2.5 } };
        const struct = Struct.fromJavaScript(object);
        assert.strictEqual(struct.getFieldsMap().getLength(), 2);
        const again = Struct.fromJavaScript(object);
        const own = protobufStruct(object) as unknown as { serializeBinary(): Uint8Array };
        assert.strictEqual(
            Buffer.from(again.serializeBinary()).toString("hex"),
            Buffer.from(own.serializeBinary()).toString("hex"),
        );
        assert.deepStrictEqual(again.toJavaScript(), protobufRoundTrip(object));
        assert.deepStrictEqual(struct.toJavaScript(), protobufRoundTrip(object));
    });
});
