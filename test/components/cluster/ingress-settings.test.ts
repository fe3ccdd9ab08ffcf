import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import {
    LOAD_BALANCER_CONTROLLER_DEFAULTS,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    validateLoadBalancerControllerArgs,
} from "../../../components/cluster";
import { ProblemError } from "../../../components/problems";
import { useMocks } from "../../../plan/evaluate";

const allowed = (pkg: string) =>
    `allowed: the stack's ${pkg} provider (default providers are disabled: every component is given its providers)`;

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
            const recorder = useMocks("dev");
            assert.throws(
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
                (err: unknown) =>
                    err instanceof ProblemError &&
                    err.name === "ComponentArgsError" &&
                    err.message ===
                        `invalid LoadBalancerController "load-balancer-controller" arguments:\n  - providers.kubernetes = "aws provider": not a provider of the kubernetes package; ${allowed("kubernetes")}\n  - region = "": empty; allowed: the environment's AWS region, e.g. eu-central-1 (the pods cannot ask the node for it)`,
            );
            assert.deepStrictEqual(recorder.resources, []);
        });
    });
});
