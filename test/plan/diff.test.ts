import * as assert from "assert";
import {
    AccessRequest,
    PlannedResource,
    changedPaths,
    diffAccess,
    diffStack,
    overlaps,
    unacknowledged,
    urnKey,
} from "../../plan/diff";
import { AWS_REPLACE_RULES, STATEFUL_TYPES, kubernetesReplaceRule, replaceRuleOf } from "../../plan/replacement";

const STACK = "dev";

/** A planned resource of stack dev; `parent` names its parent's type in the URN. */
function res(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<PlannedResource> = {},
): PlannedResource {
    return {
        urn: `urn:pulumi:${STACK}::platform::platform:network:Network$${type}::${name}`,
        type,
        name,
        component: false,
        inputs,
        options: {},
        ...extra,
    };
}

const VPC = "aws:ec2/vpc:Vpc";
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE = "aws:ec2/route:Route";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function vpc(cidr: string, extra: Partial<PlannedResource> = {}): PlannedResource {
    return res(VPC, "vpc", { cidrBlock: cidr, enableDnsSupport: true, tags: { Name: "dev-global-vpc" } }, extra);
}

function subnet(cidr: string): PlannedResource {
    return res(
        SUBNET,
        "subnet-0",
        { cidrBlock: cidr, vpcId: "vpc-id", mapPublicIpOnLaunch: false },
        { propertyDependencies: { vpcId: [vpc("").urn] } },
    );
}

function deployment(selector: Record<string, string>, image: string): PlannedResource {
    return res(DEPLOYMENT, "backend-v1", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "backend-v1", namespace: "backend" },
        spec: {
            selector: { matchLabels: selector },
            template: { metadata: { labels: selector }, spec: { containers: [{ name: "backend", image }] } },
        },
    });
}

/** `<op> <name>: <reasons or inputs>` of each change. */
function summary(base: PlannedResource[], head: PlannedResource[], allow: string[] = []): string[] {
    return diffStack(STACK, base, head, new Set(allow)).changes.map(
        (c) => `${c.op} ${c.name}: ${(c.op === "replace" ? c.reasons : c.inputs).join("; ")}`,
    );
}

describe("plan --diff: what a change does to a stack (plan/diff.ts)", () => {
    it("lists the paths that differ, leaf by leaf, a whole subtree added or removed as one path", () => {
        assert.deepStrictEqual(changedPaths({ a: 1, b: { c: [1, 2], d: "x" } }, { a: 1, b: { c: [1, 3, 4], e: {} } }), [
            "b.c[1]",
            "b.c[2]",
            "b.d",
            "b.e",
        ]);
        assert.deepStrictEqual(changedPaths({ a: [{ x: 1 }] }, { a: [{ x: 1 }] }), []);
        assert.ok(overlaps("spec.selector", "spec.selector.matchLabels.app"));
        assert.ok(overlaps("spec.template.spec", "spec"));
        assert.ok(overlaps("spec.containers[*].image", "spec.containers[2].image"));
        assert.ok(!overlaps("spec.selector", "spec.selectors"));
        assert.ok(!overlaps("launchTemplate.id", "launchTemplate.version"));
    });

    it("a change of a replace-on-change property replaces; any other change updates in place", () => {
        assert.deepStrictEqual(summary([vpc("10.20.0.0/16")], [vpc("10.30.0.0/16")]), [
            "replace vpc: cidrBlock changes (replace-on-change property)",
        ]);
        const head = vpc("10.20.0.0/16");
        assert.deepStrictEqual(
            summary([vpc("10.20.0.0/16")], [{ ...head, inputs: { ...head.inputs, enableDnsSupport: false } }]),
            ["update vpc: enableDnsSupport"],
        );
        assert.deepStrictEqual(summary([vpc("10.20.0.0/16")], [vpc("10.20.0.0/16")]), []);
    });

    it("a replaced resource makes what comes from it known only after apply, replacing what depends on it by a replace-on-change input", () => {
        const route = res(
            ROUTE,
            "route",
            { routeTableId: "rt-id", natGatewayId: "nat-id", destinationCidrBlock: "0.0.0.0/0" },
            {
                propertyDependencies: {
                    routeTableId: [res("aws:ec2/routeTable:RouteTable", "rt", {}).urn],
                    natGatewayId: [subnet("").urn],
                },
            },
        );
        // The subnet is replaced (its cidr), the route's target comes from it: an update of the route, not a replacement.
        assert.deepStrictEqual(
            summary(
                [vpc("10.20.0.0/16"), subnet("10.20.0.0/19"), route],
                [vpc("10.20.0.0/16"), subnet("10.20.32.0/19"), route],
            ),
            [
                "replace subnet-0: cidrBlock changes (replace-on-change property)",
                "update route: natGatewayId (known after apply)",
            ],
        );
        // The VPC is replaced: the subnet's vpcId (a replace-on-change input) replaces it too.
        assert.deepStrictEqual(
            summary([vpc("10.20.0.0/16"), subnet("10.20.0.0/19")], [vpc("10.30.0.0/16"), subnet("10.20.0.0/19")]),
            [
                "replace subnet-0: vpcId comes from vpc, which is replaced",
                "replace vpc: cidrBlock changes (replace-on-change property)",
            ],
        );
    });

    it("honours replaceOnChanges, ignoreChanges, a changed provider and a replaced provider", () => {
        const opts = (o: PlannedResource["options"]) => (r: PlannedResource) => ({ ...r, options: o });
        const withRoc = opts({ replaceOnChanges: ["enableDnsSupport"] });
        const head = vpc("10.20.0.0/16");
        assert.deepStrictEqual(
            summary([withRoc(head)], [withRoc({ ...head, inputs: { ...head.inputs, enableDnsSupport: false } })]),
            ["replace vpc: enableDnsSupport changes (replaceOnChanges)"],
        );
        const ignoring = opts({ ignoreChanges: ["tags"] });
        assert.deepStrictEqual(
            summary([ignoring(head)], [ignoring({ ...head, inputs: { ...head.inputs, tags: { Name: "x" } } })]),
            [],
        );
        const k8s = (kubeconfig: string) => res("pulumi:providers:kubernetes", "kubernetes", { kubeconfig });
        const d = { ...deployment({ app: "backend" }, "app:1"), provider: "kubernetes" };
        assert.deepStrictEqual(summary([d], [{ ...d, provider: "other" }]), [
            "replace backend-v1: its provider changes (kubernetes to other)",
        ]);
        // A provider whose kubeconfig changes is replaced, and every object of it with it.
        assert.deepStrictEqual(summary([k8s("a"), d], [k8s("b"), d]), [
            "replace backend-v1: its provider kubernetes is replaced",
            "replace kubernetes: kubeconfig changes (replace-on-change property)",
        ]);
    });

    it("Kubernetes objects: a new name, namespace or selector replaces, a new image updates", () => {
        const base = deployment({ app: "backend" }, "app:1");
        assert.deepStrictEqual(summary([base], [deployment({ app: "backend" }, "app:2")]), [
            "update backend-v1: spec.template.spec.containers[0].image",
        ]);
        assert.deepStrictEqual(summary([base], [deployment({ app: "backend", tier: "api" }, "app:1")]), [
            "replace backend-v1: spec.selector.matchLabels.tier changes (replace-on-change property)",
        ]);
        // It keeps its name: the provider deletes the old one first (two objects cannot share a name).
        assert.strictEqual(
            diffStack(STACK, [base], [deployment({ app: "backend", tier: "api" }, "app:1")]).changes[0]
                .deleteBeforeReplace,
            true,
        );
        assert.strictEqual(
            diffStack(STACK, [vpc("10.20.0.0/16")], [vpc("10.30.0.0/16")]).changes[0].deleteBeforeReplace,
            undefined,
        );
        assert.deepStrictEqual(kubernetesReplaceRule({ group: "", version: "v1", kind: "Service" }).properties, [
            "metadata.name",
            "metadata.namespace",
            "spec.clusterIP",
        ]);
        assert.strictEqual(replaceRuleOf("kubernetes:helm.sh/v3:Release")?.properties.join(), "name,namespace");
    });

    it("a resource only in the base is deleted, one only in the head created; a stack file added or removed says so", () => {
        const extra = res(ROUTE, "route", { routeTableId: "rt" });
        assert.deepStrictEqual(summary([vpc("10.20.0.0/16")], [vpc("10.20.0.0/16"), extra]), ["create route: "]);
        assert.deepStrictEqual(summary([vpc("10.20.0.0/16"), extra], [vpc("10.20.0.0/16")]), ["delete route: "]);
        assert.strictEqual(diffStack("dev-orders", undefined, [extra]).status, "added");
        assert.strictEqual(diffStack("dev-orders", [extra], undefined).status, "removed");
        assert.strictEqual(diffStack("dev", [extra], [extra]).status, "unchanged");
        assert.strictEqual(diffStack("dev", [extra], [extra]).unchanged, 1);
    });

    it("flags a replacement or deletion of a protected or stateful resource until --allow-replace names its URN or type", () => {
        const protectedVpc = vpc("10.20.0.0/16", { options: { protect: true, retainOnDelete: true } });
        const diff = diffStack(STACK, [protectedVpc], [vpc("10.30.0.0/16")]);
        assert.deepStrictEqual(diff.changes[0].risk, {
            protection: ["protect", "retainOnDelete"],
            stateful: STATEFUL_TYPES[VPC],
            acknowledged: false,
        });
        assert.strictEqual(unacknowledged(diff).length, 1);
        // By type, by the plan's URN and by the engine's longer URN of the same resource.
        const engineUrn = `urn:pulumi:${STACK}::platform::pulumi:pulumi:Stack$platform:network:Network$${VPC}::vpc`;
        for (const allow of [VPC, protectedVpc.urn, engineUrn]) {
            assert.strictEqual(
                unacknowledged(diffStack(STACK, [protectedVpc], [vpc("10.30.0.0/16")], new Set([allow]))).length,
                0,
                allow,
            );
        }
        assert.strictEqual(urnKey(engineUrn), protectedVpc.urn);
        // A deletion counts too; an update or a route (not stateful, not protected) does not.
        assert.strictEqual(unacknowledged(diffStack(STACK, [protectedVpc], [])).length, 1);
        assert.strictEqual(
            unacknowledged(
                diffStack(
                    STACK,
                    [protectedVpc],
                    [{ ...protectedVpc, inputs: { ...protectedVpc.inputs, enableDnsSupport: false } }],
                ),
            ).length,
            0,
        );
        assert.strictEqual(unacknowledged(diffStack(STACK, [res(ROUTE, "r", { routeTableId: "a" })], [])).length, 0);
    });

    it("every AWS type the plan of dev creates has a replace rule with its source", () => {
        for (const [type, rule] of Object.entries(AWS_REPLACE_RULES)) {
            assert.match(rule.source, /^(hashicorp|pulumi)\/[\w-]+ \S+/, type);
        }
    });

    it("access edges: added, removed, and narrowed or widened, by caller, callee and token issuer", () => {
        const row = (from: string, to: string, method: string, allowed: boolean, issuer?: string): AccessRequest => ({
            from,
            to,
            method,
            path: "/api/x",
            token: issuer !== undefined,
            ...(issuer === undefined ? {} : { issuer }),
            allowed,
        });
        const base = [
            row("frontend", "backend", "GET", true),
            row("frontend", "backend", "POST", true),
            row("backend", "payment", "POST", true),
        ];
        const head = [
            row("frontend", "backend", "GET", true),
            row("frontend", "backend", "POST", false),
            row("backend", "payment", "POST", false),
            row("ingress-gateway", "frontend", "GET", true, "https://auth.example.com/"),
        ];
        assert.deepStrictEqual(diffAccess(base, head), [
            { change: "removed", from: "backend", to: "payment", allowedNow: [], refusedNow: ["POST /api/x"] },
            { change: "changed", from: "frontend", to: "backend", allowedNow: [], refusedNow: ["POST /api/x"] },
            {
                change: "added",
                from: "ingress-gateway",
                to: "frontend",
                issuer: "https://auth.example.com/",
                allowedNow: ["GET /api/x"],
                refusedNow: [],
            },
        ]);
        assert.deepStrictEqual(diffAccess(base, base), []);
    });
});
