import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AddOns, compositionProblems, installAddOns, usedAddOn } from "../../../components/addons";
import { COMMON_ADDONS, CommonAddOns, CommonContext } from "../../../layers/common/addons";

/** A stand-in for a resource: the composer only passes resources on, so a name is enough to follow them. */
const resource = (name: string) => ({ name }) as unknown as pulumi.Resource;
const names = (resources: readonly pulumi.Resource[]) => resources.map((r) => (r as unknown as { name: string }).name);

interface Three {
    a: string;
    b: string;
    c: string;
}

/** A composition whose install records what each add-on was given, in install order. */
function recording(declared: {
    [K in keyof Three]: { after: string[]; uses?: (keyof Three)[]; when?: (x: { eks: boolean }) => boolean };
}) {
    const log: string[] = [];
    const addOns = Object.fromEntries(
        Object.entries(declared).map(([name, d]) => [
            name,
            {
                ...d,
                install: (_x: { eks: boolean }, dependsOn: pulumi.Resource[], installed: Partial<Three>) => {
                    log.push(
                        `${name} after [${names(dependsOn).join(", ")}] reads [${Object.keys(installed).join(", ")}]`,
                    );
                    return { component: name, ready: [resource(`${name}-ready`)] };
                },
            },
        ]),
    ) as unknown as AddOns<{ eks: boolean }, Three>;
    return { addOns, log };
}

describe("add-ons as data (components/addons/compose.ts)", () => {
    it("installs each after what it names, in dependency order, the declaration's order among the ready ones", () => {
        const { addOns, log } = recording({
            a: { after: ["cluster", "b"] },
            b: { after: ["cluster"] },
            c: { after: [], uses: ["a"] },
        });
        const installed = installAddOns(addOns, { eks: true }, { cluster: [resource("nodes"), resource("addons")] });
        assert.deepStrictEqual(log, [
            "b after [nodes, addons] reads []",
            "a after [nodes, addons, b-ready] reads [b]",
            // What it reads is installed first, but not waited for.
            "c after [] reads [b, a]",
        ]);
        assert.deepStrictEqual(Object.keys(installed), ["b", "a", "c"]);
    });

    it("an add-on the stack does not install gives nothing to wait for", () => {
        const { addOns, log } = recording({
            a: { after: ["cluster"], when: (x) => x.eks },
            b: { after: ["cluster", "a"] },
            c: { after: ["b"] },
        });
        installAddOns(addOns, { eks: false }, { cluster: [resource("nodes")] });
        assert.deepStrictEqual(log, ["b after [nodes] reads []", "c after [b-ready] reads [b]"]);
    });

    it("refuses, before installing anything, a name that is neither a foundation nor an add-on, reading one not installed, and a cycle", () => {
        const unknown = recording({ a: { after: ["clustr"] }, b: { after: [] }, c: { after: [], uses: ["a"] } });
        assert.throws(() => installAddOns(unknown.addOns, { eks: true }, { cluster: [] }), {
            message:
                'the layer\'s add-ons cannot be installed:\n  - add-on a: "clustr" is neither a foundation (cluster) nor an add-on (a, b, c)',
        });
        assert.deepStrictEqual(unknown.log, []);
        const reads = recording({
            a: { after: [], when: () => false },
            b: { after: [] },
            c: { after: [], uses: ["a"] },
        });
        assert.deepStrictEqual(compositionProblems(reads.addOns, ["cluster"], new Set(["b", "c"])), [
            "add-on c reads add-on a, which this stack does not install",
        ]);
        const cycle = recording({ a: { after: ["c"] }, b: { after: ["a"] }, c: { after: ["b"] } });
        assert.deepStrictEqual(compositionProblems(cycle.addOns, ["cluster"], new Set(["a", "b", "c"])), [
            "the add-ons depend on each other in a cycle: a, b, c",
        ]);
    });

    it("names an add-on read before it is installed", () => {
        assert.throws(() => usedAddOn<Three, "a">({}, "a"), {
            message: "add-on a is read before it is installed: name it in the reader's uses",
        });
    });

    it("the common layer's composition is sound on an EKS cluster and on an existing one", () => {
        const foundations = ["cluster", "load-balancer-controller-access"];
        const all = new Set(Object.keys(COMMON_ADDONS));
        assert.deepStrictEqual(compositionProblems<CommonContext, CommonAddOns>(COMMON_ADDONS, foundations, all), []);
        const existing = new Set([...all].filter((n) => n !== "load-balancer-controller" && n !== "external-dns"));
        assert.deepStrictEqual(
            compositionProblems<CommonContext, CommonAddOns>(COMMON_ADDONS, foundations, existing),
            [],
        );
        assert.deepStrictEqual(Object.fromEntries(Object.entries(COMMON_ADDONS).map(([n, a]) => [n, [...a.after]])), {
            "load-balancer-controller": ["cluster", "load-balancer-controller-access"],
            "external-dns": ["cluster"],
            observability: ["cluster"],
            istio: ["cluster", "load-balancer-controller"],
            "cert-manager": ["cluster", "observability"],
            "observability-fence": ["observability", "istio"],
        });
    });
});
