import * as assert from "assert";
import { UpgradeList } from "../../plan/changelog";
import { PlannedResource } from "../../plan/diff";
import { PlannedStack, compareUpgradeWithList, listOfUpgrade, upgradeOfPlans } from "../../plan/release-diff";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";

function resource(
    stack: string,
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    options: PlannedResource["options"] = {},
): PlannedResource {
    return { urn: `urn:pulumi:${stack}::platform::${type}::${name}`, type, name, component: false, inputs, options };
}

/** dev-common as a release planned it, and as this tree plans it: istiod's values change, a namespace becomes protected, an output appears. */
const BASE = new Map<string, PlannedStack>([
    [
        "dev-common",
        {
            resources: [
                resource("dev-common", RELEASE, "istiod", { values: { env: {} } }),
                resource("dev-common", NAMESPACE, "istio-system", { metadata: { name: "istio-system" } }),
            ],
            outputs: { meshRevision: "default" },
        },
    ],
    ["dev-backend", { resources: [resource("dev-backend", NAMESPACE, "backend", {})], outputs: {} }],
]);
const HEAD = new Map<string, PlannedStack>([
    [
        "dev-common",
        {
            resources: [
                resource("dev-common", RELEASE, "istiod", { values: { env: { FILTER: "true" } } }),
                resource(
                    "dev-common",
                    NAMESPACE,
                    "istio-system",
                    { metadata: { name: "istio-system" } },
                    { protect: true },
                ),
            ],
            outputs: { meshRevision: "default", kubernetesVersion: "1.35" },
        },
    ],
    ["dev-backend", { resources: [resource("dev-backend", NAMESPACE, "backend", {})], outputs: {} }],
]);

describe("the update from a release as the offline plans of both trees show it", () => {
    const upgrades = upgradeOfPlans(BASE, HEAD);

    it("finds per stack the changed resources (from the plan diff), the protection changes and the output changes", () => {
        assert.deepStrictEqual(listOfUpgrade(upgrades), {
            stacks: {
                "dev-common": [{ op: "update", type: RELEASE, name: "istiod", inputs: ["values.env.FILTER"] }],
                "dev-backend": [],
            },
            protection: { "dev-common": [{ type: NAMESPACE, name: "istio-system", protect: true }] },
            outputs: { "dev-common": { added: ["kubernetesVersion"] } },
        });
    });

    it("agrees with a list that declares exactly that, and names every difference of one that does not", () => {
        const list: UpgradeList = {
            from: "v0.1.0",
            ...listOfUpgrade(upgrades),
        };
        assert.deepStrictEqual(compareUpgradeWithList(list, upgrades), []);
        const wrong: UpgradeList = {
            from: "v0.1.0",
            stacks: { "dev-common": [], "dev-backend": [] },
            protection: {},
            outputs: { "dev-backend": { added: ["x"] } },
        };
        assert.deepStrictEqual(compareUpgradeWithList(wrong, upgrades), [
            'dev-common: the offline plans would update urn:pulumi:dev-common::platform::kubernetes:helm.sh/v3:Release::istiod (inputs ["values.env.FILTER"]), which the list does not declare',
            `dev-common: urn:pulumi:dev-common::platform::${NAMESPACE}::istio-system becomes protect: true, which the list does not declare`,
            'dev-common: outputs added: declared [], the update shows ["kubernetesVersion"]',
            'dev-backend: outputs added: declared ["x"], the update shows []',
        ]);
    });
});
