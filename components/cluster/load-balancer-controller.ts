import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import { ComponentProviders, Defaults, WithDefaults, providerProblems, settingsOrThrow, withDefaults } from "../args";
import { helmRelease } from "../addons/helm";
import { ChartMirror } from "../charts";
import { Problem, Problems } from "../problems";
import { podRegionProblem } from "./specs";
import controllerPolicy from "./data/aws-load-balancer-controller-iam-policy.json";
import { LOAD_BALANCER_CONTROLLER } from "./specs";
export { LOAD_BALANCER_CONTROLLER };

/**
 * The AWS Load Balancer Controller: it makes the ingress gateway's Network Load Balancer from the
 * gateway Service's annotations (components/mesh/specs.ts). Its AWS permissions come through EKS
 * Pod Identity (the Cluster component makes the role and the association); its Helm release is
 * installed here, on the cluster's kubernetes provider.
 */

/** The controller's webhook port on its pods: the EKS control plane must reach it on the nodes. */
export const LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT = 9443;

/**
 * The tag the controller puts on every security group it creates, naming its cluster; upstream's
 * policy conditions its security-group writes on it. The nodes' security group carries it too
 * (Cluster), so the controller may add its backend rules there and nowhere else.
 */
export const LOAD_BALANCER_CONTROLLER_CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** One narrowing of upstream's controller policy: the statement it targets and the condition it adds. */
export interface ControllerPolicyNarrowing {
    /** The statement's actions, exactly as upstream lists them (any order). */
    readonly actions: readonly string[];
    /** The condition added to that statement (it had none, on `Resource: "*"`). */
    readonly condition: Record<string, Record<string, string>>;
    /** Why (docs/common.md lists the same). */
    readonly reason: string;
}

/**
 * The narrowings applied to upstream's policy, each a condition upstream itself documents in the
 * same policy for the same actions. Upstream grants `ec2:AuthorizeSecurityGroupIngress` and
 * `ec2:RevokeSecurityGroupIngress` twice: once on any security group of the account, and once on
 * security groups tagged `elbv2.k8s.aws/cluster` (with `ec2:DeleteSecurityGroup`). The first grant
 * is there for the backend rules the controller adds to the nodes' security group, which carries no
 * such tag by default; here the nodes' security group is tagged, so the first grant gets upstream's
 * condition and the controller can no longer open any other security group of the account.
 */
export const LOAD_BALANCER_CONTROLLER_NARROWINGS: readonly ControllerPolicyNarrowing[] = [
    {
        actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        condition: { Null: { [`aws:ResourceTag/${LOAD_BALANCER_CONTROLLER_CLUSTER_TAG}`]: "false" } },
        reason: "security-group ingress on any security group of the account, narrowed to the security groups tagged for a cluster by the controller (its own) and the nodes' security group (tagged by the Cluster)",
    },
];

interface PolicyStatement {
    readonly Effect: string;
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
    readonly Condition?: Readonly<Record<string, unknown>>;
}

function sameActions(statement: PolicyStatement, actions: readonly string[]): boolean {
    const own = [statement.Action].flat();
    return own.length === actions.length && actions.every((a) => own.includes(a));
}

/**
 * Upstream's policy with each narrowing applied: the one unconditioned `Resource: "*"` statement
 * with exactly the narrowing's actions gets its condition. Pure; throws when a narrowing finds no
 * such statement (upstream changed its policy: review the narrowings before taking the new file).
 */
export function narrowControllerPolicy(
    document: { readonly Version: string; readonly Statement: readonly PolicyStatement[] },
    narrowings: readonly ControllerPolicyNarrowing[] = LOAD_BALANCER_CONTROLLER_NARROWINGS,
): { Version: string; Statement: PolicyStatement[] } {
    const statements = [...document.Statement];
    for (const narrowing of narrowings) {
        const matches = statements
            .map((st, i) => ({ st, i }))
            .filter(
                ({ st }) => st.Resource === "*" && st.Condition === undefined && sameActions(st, narrowing.actions),
            );
        if (matches.length !== 1) {
            throw new Error(
                `the load balancer controller's upstream policy has ${matches.length} unconditioned statements on "*" with exactly ${narrowing.actions.join(", ")} (expected 1): review LOAD_BALANCER_CONTROLLER_NARROWINGS against the new file`,
            );
        }
        const { st, i } = matches[0];
        statements[i] = { ...st, Condition: narrowing.condition };
    }
    return { Version: document.Version, Statement: statements };
}

/**
 * The controller's IAM policy document: upstream's for its release (data file with its source in
 * components/cluster/data/SOURCE.md), narrowed (narrowControllerPolicy), for the region's
 * partition: upstream writes the `aws` partition into its resource ARNs (`arn:aws:`), which IAM
 * refuses in aws-cn and aws-us-gov, so those ARNs are rewritten to `arn:<partition>:`.
 */
export function loadBalancerControllerPolicy(partition = "aws"): string {
    return JSON.stringify(narrowControllerPolicy(controllerPolicy)).replaceAll('"arn:aws:', `"arn:${partition}:`);
}

/** What the controller's values are built from. */
export interface LoadBalancerControllerOptions {
    readonly clusterName: pulumi.Input<string>;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
}

/** The subset of the aws-load-balancer-controller chart's values.yaml we set (field names and nesting as the chart's). */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- a type alias is assignable to the Release's Record<string, unknown> values, an interface is not
export type LoadBalancerControllerValues = {
    readonly clusterName: pulumi.Input<string>;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly replicaCount: number;
    readonly podDisruptionBudget: { readonly maxUnavailable: number };
    readonly topologySpreadConstraints: readonly ITopologySpreadConstraint[];
    readonly serviceAccount: { readonly create: boolean; readonly name: string };
    readonly createIngressClassResource: boolean;
    readonly ingressClassParams: { readonly create: boolean };
};

/**
 * Values of the `aws-load-balancer-controller` chart. Region and VPC are given, because the nodes'
 * metadata service is out of the pods' reach (hop limit 1); two replicas spread over zones with a
 * PodDisruptionBudget (its webhooks fail closed, so one replica would block Service changes during
 * a drain). Ingress class resources are not made: the platform uses no ALB Ingress.
 */
export function loadBalancerControllerValues(options: LoadBalancerControllerOptions): LoadBalancerControllerValues {
    return {
        clusterName: options.clusterName,
        region: options.region,
        vpcId: options.vpcId,
        replicaCount: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { "app.kubernetes.io/name": LOAD_BALANCER_CONTROLLER.release } },
            },
        ],
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
        createIngressClassResource: false,
        ingressClassParams: { create: false },
    };
}

export interface LoadBalancerControllerArgs extends LoadBalancerControllerOptions {
    /** The cluster's kubernetes provider: the release is created with it. */
    readonly providers: ComponentProviders<"kubernetes">;
    /** What the release waits for: the nodes and the controller's Pod Identity association. */
    readonly dependsOn: readonly pulumi.Resource[];
    /** Where the chart comes from (config `chartMirror`). @default upstream (components/charts) */
    readonly chartMirror?: ChartMirror;
}

/** The controller's arguments that are not its providers. */
export type LoadBalancerControllerSettingsInput = Omit<LoadBalancerControllerArgs, "providers">;

/** The defaults of the optional LoadBalancerControllerArgs, each written here only. */
export const LOAD_BALANCER_CONTROLLER_DEFAULTS = {
    chartMirror: { kind: "upstream" },
} as const satisfies Defaults<LoadBalancerControllerSettingsInput>;

/** The controller's arguments with every default applied and checked: what it builds from. */
export type LoadBalancerControllerSettings = WithDefaults<
    LoadBalancerControllerSettingsInput,
    typeof LOAD_BALANCER_CONTROLLER_DEFAULTS
>;

/** Applies the defaults and checks the arguments; pure. The settings, or every problem. */
export function validateLoadBalancerControllerArgs(args: LoadBalancerControllerSettingsInput): {
    settings?: LoadBalancerControllerSettings;
    problems: Problem[];
} {
    const settings = withDefaults(args, LOAD_BALANCER_CONTROLLER_DEFAULTS);
    const problems = new Problems();
    problems.add("region", settings.region, podRegionProblem(settings.region));
    return problems.empty ? { problems: [], settings } : { problems: [...problems.all] };
}

/** The controller's Helm release in kube-system, waited on: the gateway's Service needs its webhook. */
export class LoadBalancerController extends pulumi.ComponentResource {
    /** The release: what the mesh's gateway waits for. */
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: LoadBalancerControllerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { providers, ...options } = args;
        const settings = settingsOrThrow(
            "LoadBalancerController",
            name,
            providerProblems(providers, ["kubernetes"]),
            validateLoadBalancerControllerArgs(options),
        );
        super("platform:cluster:LoadBalancerController", name, {}, opts);
        this.release = this.helmRelease(settings, providers.kubernetes);
        this.registerOutputs({});
    }

    /** The chart's release, waited on (skipAwait false), after `dependsOn`. */
    private helmRelease(settings: LoadBalancerControllerSettings, provider: k8s.Provider): k8s.helm.v3.Release {
        return helmRelease(
            {
                chart: "aws-load-balancer-controller",
                release: LOAD_BALANCER_CONTROLLER.release,
                namespace: LOAD_BALANCER_CONTROLLER.namespace,
                values: loadBalancerControllerValues(settings),
                waitForReady: true,
                timeoutSeconds: 600,
            },
            { parent: this, provider, mirror: settings.chartMirror },
            settings.dependsOn,
        );
    }
}
