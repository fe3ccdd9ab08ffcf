import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import {
    NETWORK_DEFAULTS,
    Network,
    NetworkArgs,
    NetworkOptions,
    networkSettings,
    validateNetworkArgs,
    withNetworkDefaults,
} from "../../../components/network";
import { ProblemError } from "../../../components/problems";
import { DEV_ENVIRONMENT } from "../../helpers/fixtures";
import { KMS_KEY_ADMIN_ARNS } from "../../helpers/config";
import { useMocks } from "../../../plan/evaluate";

const required = { vpcCidr: "10.0.0.0/16", kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS };

describe("components/network/settings: defaults once, then checks", () => {
    describe("withNetworkDefaults", () => {
        it("fills every optional argument with its default; the private zone is <env>.internal", () => {
            assert.deepStrictEqual(withNetworkDefaults(required, "prod"), {
                vpcCidr: "10.0.0.0/16",
                availabilityZones: [],
                availabilityZoneCount: 3,
                publicSubnetCidrs: [],
                privateSubnetCidrs: [],
                natStrategy: "perAz",
                flowLogRetentionDays: 30,
                kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS,
                interfaceEndpointServices: [],
                privateZoneName: "prod.internal",
                publicZoneName: "",
            });
        });

        // Each optional argument, given: kept as it is, even when it equals a default's "empty"
        // value or is bad (the checks report it; a default never hides a given value).
        const cases: [keyof NetworkOptions, unknown][] = [
            ["availabilityZones", ["eu-central-1b", "eu-central-1a"]],
            ["availabilityZoneCount", 0],
            ["publicSubnetCidrs", ["10.0.128.0/24"]],
            ["privateSubnetCidrs", ["10.0.0.0/19"]],
            ["natStrategy", "single"],
            ["flowLogRetentionDays", 0],
            ["kmsKeyAdminArns", []],
            ["interfaceEndpointServices", ["sts"]],
            ["privateZoneName", ""],
            ["publicZoneName", "dev.example.com"],
        ];
        for (const [key, value] of cases) {
            it(`${key}: ${JSON.stringify(value)} is kept as given, nothing else changes`, () => {
                const resolved = withNetworkDefaults({ ...required, [key]: value }, "dev");
                assert.deepStrictEqual(resolved, { ...withNetworkDefaults(required, "dev"), [key]: value });
            });
        }

        it("an argument set to undefined gets its default, as if left out", () => {
            const unset = Object.fromEntries(Object.keys(NETWORK_DEFAULTS).map((key) => [key, undefined]));
            assert.deepStrictEqual(
                withNetworkDefaults({ ...required, ...unset, privateZoneName: undefined }, "dev"),
                withNetworkDefaults(required, "dev"),
            );
        });

        it("a caller without types that leaves out the required key admins gets the 'at least one' problem, not a crash", () => {
            const { problems } = validateNetworkArgs(
                { vpcCidr: "10.0.0.0/16" } as NetworkOptions,
                "dev",
                "eu-central-1",
            );
            assert.deepStrictEqual(
                problems.map((p) => [p.path, p.value]),
                [["kmsKeyAdminArns", []]],
            );
        });
    });

    describe("networkSettings", () => {
        let awsProvider: aws.Provider;
        let k8sProvider: k8s.Provider;
        before(() => {
            useMocks("dev");
            awsProvider = new aws.Provider("aws", { region: "eu-central-1" });
            k8sProvider = new k8s.Provider("kubernetes", {});
        });
        const owner = { environment: DEV_ENVIRONMENT, service: "global" };
        const args = (extra: Partial<NetworkArgs> = {}): NetworkArgs => ({
            owner,
            providers: { aws: awsProvider },
            clusterName: "dev-common-eks-cluster",
            ...required,
            ...extra,
        });

        it("the settings of the owner's environment: its name for the private zone, its region for the zones", () => {
            assert.deepStrictEqual(
                networkSettings("dev-global-network", args({ availabilityZones: ["eu-central-1c", "eu-central-1a"] })),
                {
                    vpcCidr: "10.0.0.0/16",
                    availabilityZones: ["eu-central-1c", "eu-central-1a"],
                    zoneCount: 2,
                    subnets: {
                        publicSubnetCidrs: ["10.0.128.0/21", "10.0.136.0/21"],
                        privateSubnetCidrs: ["10.0.0.0/18", "10.0.64.0/18"],
                    },
                    natStrategy: "perAz",
                    flowLogRetentionDays: 30,
                    kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS,
                    interfaceEndpointServices: [],
                    privateZoneName: "dev.internal",
                    publicZoneName: "",
                },
            );
            assert.throws(
                () =>
                    networkSettings("dev-global-network", args({ availabilityZones: ["eu-west-1a", "eu-central-1a"] })),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.name === "ComponentArgsError" &&
                    err.message ===
                        'invalid Network "dev-global-network" arguments:\n  - availabilityZones[0] = "eu-west-1a": not in the environment\'s region eu-central-1; allowed: eu-central-1a, eu-central-1b, ...',
            );
        });

        it("a missing or wrong aws provider is a problem like any other, listed first", () => {
            const allowed =
                "allowed: the stack's aws provider (default providers are disabled: every component is given its providers)";
            assert.throws(
                () =>
                    networkSettings(
                        "dev-global-network",
                        args({ providers: {} as NetworkArgs["providers"], natStrategy: "ha" as never }),
                    ),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.message ===
                        `invalid Network "dev-global-network" arguments:\n  - providers.aws = (not set): missing; ${allowed}\n  - natStrategy = "ha": allowed: perAz, single`,
            );
            assert.throws(
                () => networkSettings("dev-global-network", args({ providers: { aws: k8sProvider as never } })),
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.message ===
                        `invalid Network "dev-global-network" arguments:\n  - providers.aws = "kubernetes provider": not a provider of the aws package; ${allowed}`,
            );
        });

        it("the component refuses a network without its aws provider before registering anything", () => {
            const recorder = useMocks("dev");
            assert.throws(
                () => new Network("dev-global-network", args({ providers: {} as NetworkArgs["providers"] })),
                ProblemError,
            );
            assert.deepStrictEqual(recorder.resources, []);
        });
    });
});
