import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import {
    EXTERNAL_DNS_DEFAULTS,
    ExternalDns,
    ExternalDnsArgs,
    LOAD_BALANCER_CONTROLLER_DEFAULTS,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    validateExternalDnsArgs,
    validateLoadBalancerControllerArgs,
} from "../../../components/cluster";
import { environmentOf } from "../../../layers/global/outputs";
import { DEV_GLOBAL_OUTPUTS } from "../../helpers/fixtures";
import { ProblemError } from "../../../components/problems";
import { useMocks } from "../../../plan/evaluate";

const allowed = (pkg: string) =>
    `allowed: the stack's ${pkg} provider (default providers are disabled: every component is given its providers)`;

/** `make` throws a ComponentArgsError with exactly `message`, and registers nothing. */
function refusesBeforeRegistering(make: () => unknown, message: string): void {
    const recorder = useMocks("dev");
    assert.throws(
        make,
        (err: unknown) => err instanceof ProblemError && err.name === "ComponentArgsError" && err.message === message,
    );
    assert.deepStrictEqual(recorder.resources, []);
}

describe("ingress add-ons' arguments: defaults once, providers checked", () => {
    let awsProvider: aws.Provider;
    let k8sProvider: k8s.Provider;
    before(() => {
        useMocks("dev");
        awsProvider = new aws.Provider("aws", { region: "eu-central-1" });
        k8sProvider = new k8s.Provider("kubernetes", {});
    });

    describe("LoadBalancerController", () => {
        const options = {
            clusterName: "dev-common-eks-cluster",
            region: "eu-central-1",
            vpcId: "vpc-1",
            dependsOn: [],
        };
        const args = (extra: Partial<LoadBalancerControllerArgs> = {}): LoadBalancerControllerArgs => ({
            providers: { kubernetes: k8sProvider },
            ...options,
            ...extra,
        });

        it("takes the upstream chart unless a mirror is given", () => {
            assert.deepStrictEqual(validateLoadBalancerControllerArgs(options), {
                problems: [],
                settings: { ...options, chartMirror: { kind: "upstream" } },
            });
            assert.deepStrictEqual(LOAD_BALANCER_CONTROLLER_DEFAULTS.chartMirror, { kind: "upstream" });
            const mirror = { kind: "oci", url: "oci://registry.example.com/charts" } as const;
            assert.deepStrictEqual(
                validateLoadBalancerControllerArgs({ ...options, chartMirror: mirror }).settings?.chartMirror,
                mirror,
            );
        });

        it("refuses a wrong provider and an empty region together, the provider first, before registering anything", () => {
            refusesBeforeRegistering(
                () =>
                    new LoadBalancerController(
                        "load-balancer-controller",
                        args({
                            providers: {
                                kubernetes: awsProvider,
                            } as unknown as LoadBalancerControllerArgs["providers"],
                            region: "",
                        }),
                    ),
                `invalid LoadBalancerController "load-balancer-controller" arguments:\n  - providers.kubernetes = "aws provider": not a provider of the kubernetes package; ${allowed("kubernetes")}\n  - region = "": empty; allowed: the environment's AWS region, e.g. eu-central-1 (the pods cannot ask the node for it)`,
            );
        });
    });

    describe("ExternalDns", () => {
        const options = {
            clusterName: "dev-common-eks-cluster",
            zone: { id: "Z1", name: "dev.internal" },
            ownerId: "dev-common-eks-cluster",
            region: "eu-central-1",
            dependsOn: [],
        };
        const args = (extra: Partial<ExternalDnsArgs> = {}): ExternalDnsArgs => ({
            owner: { environment: environmentOf(DEV_GLOBAL_OUTPUTS), service: "common" },
            providers: { aws: awsProvider, kubernetes: k8sProvider },
            ...options,
            ...extra,
        });

        it("takes the upstream chart unless a mirror is given", () => {
            assert.deepStrictEqual(validateExternalDnsArgs(options), {
                problems: [],
                settings: { ...options, chartMirror: { kind: "upstream" } },
            });
            assert.deepStrictEqual(EXTERNAL_DNS_DEFAULTS.chartMirror, { kind: "upstream" });
        });

        it("refuses a missing provider, an empty zone and an empty region together, before registering anything", () => {
            refusesBeforeRegistering(
                () =>
                    new ExternalDns(
                        "external-dns",
                        args({
                            providers: { kubernetes: k8sProvider } as ExternalDnsArgs["providers"],
                            zone: { id: "Z1", name: "" },
                            region: "",
                        }),
                    ),
                `invalid ExternalDns "external-dns" arguments:\n  - providers.aws = (not set): missing; ${allowed("aws")}\n  - zone.name = "": empty; allowed: the environment's private zone, e.g. dev.internal (only hosts in it are published)\n  - region = "": empty; allowed: the environment's AWS region, e.g. eu-central-1 (the pods cannot ask the node for it)`,
            );
        });
    });
});
