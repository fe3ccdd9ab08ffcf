import * as assert from "assert";
import { ProblemError } from "../../components/problems";
import {
    Owner,
    TAG_KEYS,
    clusterNameFor,
    followsNaming,
    kubernetesAnnotations,
    kubernetesLabels,
    kubernetesMetadata,
    kubernetesName,
    missingTags,
    namer,
    ownerTags,
    resourceName,
    resourceTags,
} from "../../components/conventions";
import { awsRegions, isAwsRegion } from "../../components/conventions/regions";
import { DEV_ENVIRONMENT } from "../helpers/fixtures";

const owner: Owner = { environment: DEV_ENVIRONMENT, service: "customer-svc" };

describe("conventions: names", () => {
    it("builds ${env}-${service}-${type} and ${env}-${service}-${type}-${index} (the README's examples)", () => {
        assert.strictEqual(
            resourceName({ env: "dev", service: "customer-svc", type: "db-cluster" }),
            "dev-customer-svc-db-cluster",
        );
        assert.strictEqual(
            resourceName({ env: "dev", service: "customer-svc", type: "db-cluster-instance", index: 1 }),
            "dev-customer-svc-db-cluster-instance-1",
        );
        assert.strictEqual(
            resourceName({ env: "dev", service: "global", type: "private-subnet", index: 0 }),
            "dev-global-private-subnet-0",
        );
    });

    it("binds a name function to an owner", () => {
        const name = namer({ ...owner, service: "global" });
        assert.strictEqual(name("vpc"), "dev-global-vpc");
        assert.strictEqual(name("nat-gateway", 2), "dev-global-nat-gateway-2");
    });

    it("reserves the environment's cluster name in the common layer", () => {
        assert.strictEqual(clusterNameFor("dev"), "dev-common-eks-cluster");
    });

    const bad: [string, Parameters<typeof resourceName>[0], string][] = [
        [
            "upper case",
            { env: "dev", service: "Customer", type: "vpc" },
            'invalid name "dev-Customer-vpc": service "Customer": upper case is not allowed',
        ],
        [
            "characters outside [a-z0-9-]",
            { env: "dev", service: "customer_svc", type: "db.cluster" },
            'invalid name "dev-customer_svc-db.cluster": service "customer_svc": characters outside [a-z0-9-] are not allowed ("_"); type "db.cluster": characters outside [a-z0-9-] are not allowed (".")',
        ],
        [
            "a dash at the edge",
            { env: "dev", service: "svc-", type: "vpc" },
            `invalid name "dev-svc--vpc": service "svc-": it must not start or end with '-' or contain '--'`,
        ],
        [
            "an environment with a dash",
            { env: "dev-eu", service: "global", type: "vpc" },
            'invalid name "dev-eu-global-vpc": environment "dev-eu" must be lower-case letters and digits, starting with a letter',
        ],
        [
            "a negative index",
            { env: "dev", service: "global", type: "subnet", index: -1 },
            'invalid name "dev-global-subnet--1": index -1 must be a whole number from 0',
        ],
        [
            "too long for a Kubernetes name",
            { env: "dev", service: "a".repeat(50), type: "namespace", kind: "kubernetes" },
            `invalid name "dev-${"a".repeat(50)}-namespace": it is 64 characters long; kubernetes names allow at most 63`,
        ],
        [
            "too long for an IAM role",
            { env: "dev", service: "b".repeat(50), type: "flow-log-role", kind: "iamRole" },
            `invalid name "dev-${"b".repeat(50)}-flow-log-role": it is 68 characters long; iamRole names allow at most 64`,
        ],
        [
            "too long for an EKS cluster",
            { env: "dev", service: "c".repeat(90), type: "eks-cluster", kind: "eksCluster" },
            `invalid name "dev-${"c".repeat(90)}-eks-cluster": it is 106 characters long; eksCluster names allow at most 100`,
        ],
    ];
    for (const [why, parts, message] of bad) {
        it(`rejects ${why}, saying which name and why`, () => {
            assert.throws(
                () => resourceName(parts),
                (err: Error) => err instanceof ProblemError && err.name === "NameError" && err.message === message,
            );
        });
    }

    it("accepts names exactly at the limit", () => {
        const name = resourceName({ env: "dev", service: "a".repeat(49), type: "namespace", kind: "kubernetes" });
        assert.strictEqual(name.length, 63);
    });

    it("checks Kubernetes names against DNS-1123 and 63 characters", () => {
        assert.strictEqual(kubernetesName("istio-system"), "istio-system");
        assert.throws(() => kubernetesName("Backend", "namespace"), {
            message: `invalid namespace "Backend": it must be lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123)`,
        });
        assert.throws(() => kubernetesName("x".repeat(64)), {
            message: `invalid Kubernetes name "${"x".repeat(64)}": it is 64 characters long; at most 63 are allowed`,
        });
    });

    it("tells whether a name follows the convention for an owner", () => {
        assert.ok(followsNaming("dev-global-private-subnet-0", { env: "dev", service: "global" }));
        assert.ok(!followsNaming("dev-common-vpc", { env: "dev", service: "global" }));
        assert.ok(!followsNaming("dev-global-", { env: "dev", service: "global" }));
        assert.ok(!followsNaming("dev-global-Vpc", { env: "dev", service: "global" }));
    });
});

describe("conventions: tags", () => {
    it("has the nine mandatory keys of the README's conventions", () => {
        assert.deepStrictEqual(
            [...TAG_KEYS],
            [
                "Name",
                "environment",
                "owner-service",
                "infra-region",
                "team-name",
                "time-zone",
                "start-time",
                "stop-time",
                "contact",
            ],
        );
    });

    it("gives the eight owner tags for the provider's defaultTags, and all nine with the Name", () => {
        assert.deepStrictEqual(ownerTags(owner), {
            environment: "dev",
            "owner-service": "customer-svc",
            "infra-region": "eu-central-1",
            "team-name": "platform-team",
            "time-zone": "Europe/Berlin",
            "start-time": "07:00",
            "stop-time": "19:00",
            contact: "platform-team@example.com",
        });
        const tags = resourceTags(owner, "dev-customer-svc-db-cluster");
        assert.deepStrictEqual(Object.keys(tags), [...TAG_KEYS]);
        assert.strictEqual(tags.Name, "dev-customer-svc-db-cluster");
        assert.deepStrictEqual(missingTags(tags), []);
    });

    it("lists missing or empty tags in the order of the nine", () => {
        assert.deepStrictEqual(missingTags({ Name: "x", contact: "", environment: "dev" }), [
            "owner-service",
            "infra-region",
            "team-name",
            "time-zone",
            "start-time",
            "stop-time",
            "contact",
        ]);
        assert.deepStrictEqual(missingTags(undefined), [...TAG_KEYS]);
    });
});

describe("conventions: Kubernetes labels and annotations", () => {
    it("labels carry the owner facts that are valid label values, plus app.kubernetes.io/*", () => {
        assert.deepStrictEqual(kubernetesLabels(owner, { name: "backend", component: "api", version: "v1" }), {
            environment: "dev",
            "owner-service": "customer-svc",
            "team-name": "platform-team",
            "app.kubernetes.io/part-of": "platform",
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/name": "backend",
            "app.kubernetes.io/component": "api",
            "app.kubernetes.io/version": "v1",
        });
    });

    it("annotations carry the facts that are not valid label values, under the tag keys", () => {
        assert.deepStrictEqual(kubernetesAnnotations(owner), {
            contact: "platform-team@example.com",
            "time-zone": "Europe/Berlin",
            "start-time": "07:00",
            "stop-time": "19:00",
        });
    });

    it("every label value is a valid Kubernetes label value", () => {
        const value = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
        for (const v of Object.values(kubernetesLabels(owner, { name: "backend" }))) {
            assert.ok(value.test(v) && v.length <= 63, v);
        }
    });

    it("builds metadata with namespace and extra labels", () => {
        const metadata = kubernetesMetadata(owner, "backend", {
            namespace: "backend",
            labels: { "istio-injection": "enabled" },
        });
        assert.strictEqual(metadata.name, "backend");
        assert.strictEqual(metadata.namespace, "backend");
        assert.strictEqual(metadata.labels["istio-injection"], "enabled");
        assert.strictEqual(metadata.labels["owner-service"], "customer-svc");
        assert.strictEqual(metadata.annotations.contact, "platform-team@example.com");
    });
});

describe("conventions: AWS regions (one list, the AWS provider's)", () => {
    it("lists the provider's regions once each, sorted, and no typo of one", () => {
        for (const region of ["eu-central-1", "us-east-1", "us-gov-west-1", "ap-southeast-4", "cn-north-1"]) {
            assert.ok(isAwsRegion(region), region);
        }
        for (const name of ["eu-centrl-1", "Frankfurt", "eu-central-1a", ""]) {
            assert.ok(!isAwsRegion(name), name);
        }
        assert.deepStrictEqual([...awsRegions()], [...new Set(awsRegions())].sort());
    });
});
