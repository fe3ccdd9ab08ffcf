import * as assert from "assert";
import {
    ObservedChange,
    PreviewStep,
    compareOutputs,
    compareProtection,
    compareWithDeclared,
    declarationsOf,
    dotted,
    observedChanges,
    outputChanges,
    protectedUrns,
    protectionChanges,
    protectionDeclarationsOf,
    protectionOfState,
    typeAndName,
} from "../../plan/upgrade";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ISTIOD = `urn:pulumi:dev-common::platform::platform:mesh:Istio$${RELEASE}::istiod`;
const QUOTA = "urn:pulumi:dev-payment::platform::platform:service:Service$kubernetes:core/v1:ResourceQuota::payment";
const NAMESPACE = "urn:pulumi:dev-payment::platform::platform:service:Service$kubernetes:core/v1:Namespace::payment";

/** Steps as `pulumi preview --json` (CLI 3.274.1) writes them, trimmed to the fields read. */
const STEPS: PreviewStep[] = [
    { op: "same", urn: "urn:pulumi:dev-common::platform::pulumi:pulumi:Stack::platform-dev-common" },
    {
        op: "update",
        urn: ISTIOD,
        diffReasons: ["values"],
        detailedDiff: { "values.env.PILOT_FILTER_GATEWAY_CLUSTER_CONFIG": { kind: "add", inputDiff: true } },
    },
    {
        op: "create-replacement",
        urn: QUOTA,
        diffReasons: ["metadata"],
        replaceReasons: ["metadata"],
        detailedDiff: { "metadata.name": { kind: "update-replace" } },
    },
    {
        op: "replace",
        urn: QUOTA,
        diffReasons: ["metadata"],
        detailedDiff: { "metadata.name": { kind: "update-replace" } },
    },
    { op: "delete-replaced", urn: QUOTA },
    { op: "create", urn: "urn:pulumi:dev-payment::platform::kubernetes:core/v1:ConfigMap::new" },
    { op: "read", urn: "urn:pulumi:dev-payment::platform::pulumi:pulumi:StackReference::organization/platform/dev" },
];

describe("the upgrade's changes as the engine shows them", () => {
    it("reads the type and the name a URN ends with, under its parents", () => {
        assert.deepStrictEqual(typeAndName(ISTIOD), { type: RELEASE, name: "istiod" });
        assert.throws(() => typeAndName("istiod"), /istiod is not a Pulumi URN/);
    });

    it("makes one entry per changed resource: a replacement's steps are one replace, reads and the stack are left out", () => {
        assert.deepStrictEqual(observedChanges(STEPS), [
            {
                op: "update",
                urn: ISTIOD,
                type: RELEASE,
                name: "istiod",
                inputs: ["values.env.PILOT_FILTER_GATEWAY_CLUSTER_CONFIG"],
            },
            {
                op: "replace",
                urn: QUOTA,
                type: "kubernetes:core/v1:ResourceQuota",
                name: "payment",
                inputs: ["metadata.name"],
            },
            {
                op: "create",
                urn: "urn:pulumi:dev-payment::platform::kubernetes:core/v1:ConfigMap::new",
                type: "kubernetes:core/v1:ConfigMap",
                name: "new",
                inputs: [],
            },
        ]);
    });

    it("takes the diff's reasons as the inputs when the provider gives no detailed diff", () => {
        assert.deepStrictEqual(
            observedChanges([{ op: "update", urn: ISTIOD, diffReasons: ["values", "version"] }])[0].inputs,
            ["values", "version"],
        );
    });

    it("refuses a step an update of this project never makes", () => {
        assert.throws(
            () => observedChanges([{ op: "import", urn: ISTIOD }]),
            /the preview has a step "import" for .*istiod/,
        );
    });

    it("reads the protected resources of a stack export", () => {
        const exported = { deployment: { resources: [{ urn: QUOTA, protect: true }, { urn: ISTIOD }] } };
        assert.deepStrictEqual(protectedUrns(exported), [QUOTA]);
    });
});

describe("the upgrade's changes against the declared list", () => {
    const observed = observedChanges(STEPS);
    const declared = declarationsOf(observed);

    it("writes the engine's changes as the list declares them (by type and name, by URN when two share them)", () => {
        assert.deepStrictEqual(declared, [
            { op: "update", type: RELEASE, name: "istiod", inputs: ["values.env.PILOT_FILTER_GATEWAY_CLUSTER_CONFIG"] },
            { op: "replace", type: "kubernetes:core/v1:ResourceQuota", name: "payment", inputs: ["metadata.name"] },
            { op: "create", type: "kubernetes:core/v1:ConfigMap", name: "new" },
        ]);
        const twins: ObservedChange[] = [
            { op: "create", urn: QUOTA, type: "kubernetes:core/v1:ResourceQuota", name: "payment", inputs: [] },
            { op: "create", urn: `${QUOTA}x`, type: "kubernetes:core/v1:ResourceQuota", name: "payment", inputs: [] },
        ];
        assert.deepStrictEqual(declarationsOf(twins), [
            { op: "create", urn: QUOTA },
            { op: "create", urn: `${QUOTA}x` },
        ]);
    });

    it("finds nothing to report when the engine shows exactly the declared changes, in any order", () => {
        assert.deepStrictEqual(compareWithDeclared("dev-common", [...declared].reverse(), observed), []);
        assert.deepStrictEqual(compareWithDeclared("dev", [], []), []);
    });

    it("reports each change missing, undeclared, of another operation or with other inputs", () => {
        assert.deepStrictEqual(
            compareWithDeclared(
                "dev-payment",
                [
                    { op: "update", type: RELEASE, name: "istiod", inputs: ["values.pilot.env"] },
                    {
                        op: "update",
                        type: "kubernetes:core/v1:ResourceQuota",
                        name: "payment",
                        inputs: ["metadata.name"],
                    },
                    { op: "delete", urn: NAMESPACE },
                ],
                observed,
            ),
            [
                `dev-payment: update of ${RELEASE} istiod declares inputs ["values.pilot.env"], the engine changes ["values.env.PILOT_FILTER_GATEWAY_CLUSTER_CONFIG"]`,
                "dev-payment: declared update of kubernetes:core/v1:ResourceQuota payment, but the engine would replace it",
                `dev-payment: declared delete of ${NAMESPACE}, but the engine does not change it`,
                "dev-payment: the engine would create urn:pulumi:dev-payment::platform::kubernetes:core/v1:ConfigMap::new, which the list does not declare",
            ],
        );
    });

    it("takes an input path with the engine's quoted keys and the offline diff's dotted ones alike", () => {
        assert.strictEqual(
            dotted('metadata.annotations["pulumi.com/deletionPropagationPolicy"]'),
            "metadata.annotations.pulumi.com/deletionPropagationPolicy",
        );
        assert.strictEqual(dotted('a["b\\"c"].d[0]'), 'a.b"c.d[0]');
        const engine: ObservedChange = {
            op: "update",
            urn: "urn:pulumi:dev-common::platform::kubernetes:cert-manager.io/v1:Certificate::dev-common-ca",
            type: "kubernetes:cert-manager.io/v1:Certificate",
            name: "dev-common-ca",
            inputs: ['metadata.annotations["pulumi.com/deletionPropagationPolicy"]'],
        };
        const declare = (input: string) => [
            { op: "update" as const, type: engine.type, name: engine.name, inputs: [input] },
        ];
        assert.deepStrictEqual(
            compareWithDeclared("dev-common", declare("metadata.annotations.pulumi.com/deletionPropagationPolicy"), [
                engine,
            ]),
            [],
        );
        assert.strictEqual(
            compareWithDeclared("dev-common", declare("metadata.annotations.other"), [engine]).length,
            1,
        );
    });

    it("asks for the URN when a type and a name match two resources", () => {
        const twins: ObservedChange[] = [
            { op: "create", urn: QUOTA, type: "kubernetes:core/v1:ResourceQuota", name: "payment", inputs: [] },
            { op: "create", urn: `${QUOTA}x`, type: "kubernetes:core/v1:ResourceQuota", name: "payment", inputs: [] },
        ];
        assert.deepStrictEqual(
            compareWithDeclared(
                "s",
                [{ op: "create", type: "kubernetes:core/v1:ResourceQuota", name: "payment" }],
                twins,
            )[0],
            `s: kubernetes:core/v1:ResourceQuota payment names 2 resources (${QUOTA}, ${QUOTA}x); give its urn`,
        );
    });

    it("reports a replacement or deletion of a protected resource even when the list declares it", () => {
        assert.deepStrictEqual(compareWithDeclared("dev-payment", declared, observed, [QUOTA, ISTIOD]), [
            `dev-payment: ${QUOTA} is protected, and the update would replace it`,
        ]);
    });

    it("reports a stack the list has no entry for", () => {
        assert.deepStrictEqual(compareWithDeclared("dev-extra", undefined, observed), [
            "dev-extra: the Unreleased list has no entry for this stack (write [] when nothing changes); the engine shows 3 change(s)",
        ]);
    });
});

describe("what an update does to protection and outputs, against the Unreleased list", () => {
    const VPC = "urn:pulumi:dev::platform::platform:network:Network$aws:ec2/vpc:Vpc::dev-global-vpc";
    const ZONE = "urn:pulumi:dev::platform::aws:route53/zone:Zone::dev-global-private-zone";
    const LOGS = "urn:pulumi:dev::platform::aws:cloudwatch/logGroup:LogGroup::logs";

    it("finds the resources of both sides whose protect or retainOnDelete changes, unset counting as false, with the new values only", () => {
        const state = protectionOfState({
            deployment: {
                resources: [
                    { urn: VPC, protect: true },
                    { urn: ZONE, protect: true, retainOnDelete: true },
                    { urn: LOGS },
                    { urn: NAMESPACE, protect: true },
                ],
            },
        });
        const changes = protectionChanges(
            [{ urn: VPC }, { urn: ZONE, protect: true }, { urn: LOGS, retainOnDelete: false }],
            state,
        );
        assert.deepStrictEqual(changes, [
            { urn: VPC, type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc", protect: true },
            {
                urn: ZONE,
                type: "aws:route53/zone:Zone",
                name: "dev-global-private-zone",
                retainOnDelete: true,
            },
        ]);
        assert.deepStrictEqual(protectionDeclarationsOf(changes), [
            { type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc", protect: true },
            { type: "aws:route53/zone:Zone", name: "dev-global-private-zone", retainOnDelete: true },
        ]);
    });

    it("reports protection changes missing, undeclared or of another value", () => {
        const observed = protectionChanges(
            [{ urn: VPC }, { urn: ZONE }],
            [
                { urn: VPC, protect: true },
                { urn: ZONE, retainOnDelete: true },
            ],
        );
        assert.deepStrictEqual(
            compareProtection(
                "dev",
                [
                    { urn: VPC, protect: true },
                    { type: "aws:route53/zone:Zone", name: "dev-global-private-zone", retainOnDelete: true },
                ],
                observed,
            ),
            [],
        );
        assert.deepStrictEqual(
            compareProtection(
                "dev",
                [
                    { type: "aws:ec2/vpc:Vpc", name: "dev-global-vpc", protect: false },
                    { type: "aws:kms/key:Key", name: "k", protect: true },
                ],
                observed,
            ),
            [
                "dev: declared protect: false for aws:ec2/vpc:Vpc dev-global-vpc, but it becomes protect: true",
                "dev: declared protect: true for aws:kms/key:Key k, but its protection does not change",
                `dev: ${ZONE} becomes retainOnDelete: true, which the list does not declare`,
            ],
        );
    });

    it("finds the outputs added, removed and changed, and reports each kind that differs from the list", () => {
        const observed = outputChanges(
            { vpcId: "vpc-1", zone: "z", old: 1 },
            { vpcId: "vpc-2", zone: "z", production: true },
        );
        assert.deepStrictEqual(observed, { added: ["production"], removed: ["old"], changed: ["vpcId"] });
        assert.deepStrictEqual(outputChanges({ a: [1] }, { a: [1] }), {});
        assert.deepStrictEqual(
            compareOutputs("dev", { added: ["production"], removed: ["old"], changed: ["vpcId"] }, observed),
            [],
        );
        assert.deepStrictEqual(compareOutputs("dev", { added: ["production"] }, observed), [
            'dev: outputs removed: declared [], the update shows ["old"]',
            'dev: outputs changed: declared [], the update shows ["vpcId"]',
        ]);
        assert.deepStrictEqual(compareOutputs("dev", undefined, {}), []);
    });
});
