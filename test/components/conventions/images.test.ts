import * as assert from "assert";
import { imagePinFault } from "../../../components/conventions";
import { checkImage } from "../../../components/service";
import { unpinnedReason } from "../../../policy/kubernetes";

const DIGEST = "a".repeat(64);

/** Every form the rule decides, with its verdict. */
const FORMS: [string, ReturnType<typeof imagePinFault>][] = [
    ["registry.example.com/shop/backend:2.7.0", undefined],
    ["registry.example.com:5000/backend:1.0", undefined],
    [`backend@sha256:${DIGEST}`, undefined],
    [`backend:1.2@sha256:${DIGEST}`, undefined],
    ["", "no image"],
    ["backend", "no tag"],
    ["registry.example.com:5000/backend", "no tag"],
    ["backend:", "no tag"],
    ["backend:latest", "latest"],
    ["backend@sha256:abc", "malformed digest"],
    [`backend@sha256:${"A".repeat(64)}`, "malformed digest"],
    [`backend@sha512:${DIGEST}`, "malformed digest"],
    ["backend:1.0@", "malformed digest"],
];

describe("image pinning (components/conventions/images.ts), one rule for config, component and policy pack", () => {
    for (const [image, fault] of FORMS) {
        it(`${JSON.stringify(image)} is ${fault === undefined ? "pinned" : `not pinned (${fault})`}`, () => {
            assert.strictEqual(imagePinFault(image), fault);
        });
    }

    it("the Service's checkImage and the policy pack's unpinnedReason accept exactly the pinned forms", () => {
        for (const [image, fault] of FORMS) {
            assert.strictEqual(
                checkImage(image) === undefined,
                fault === undefined,
                `checkImage(${JSON.stringify(image)})`,
            );
            assert.strictEqual(
                unpinnedReason(image) === undefined,
                fault === undefined,
                `unpinnedReason(${JSON.stringify(image)})`,
            );
        }
    });

    it("the policy pack says why, naming the image", () => {
        assert.strictEqual(unpinnedReason("app:"), 'image "app:" has no tag (it means latest)');
        assert.strictEqual(
            unpinnedReason("app@sha256:abc"),
            'image "app@sha256:abc" has a malformed digest (a pinned digest is @sha256: and 64 hex digits)',
        );
        assert.strictEqual(unpinnedReason(undefined), "has no image");
    });
});
