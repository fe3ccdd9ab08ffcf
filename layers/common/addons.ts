/**
 * The common layer's composition: its add-ons as data. Each declares what it is installed after
 * and what it reads of the others; `installAddOns` (components/addons/compose.ts) installs them in
 * an order that satisfies them, each after the ready resources of what it names. An add-on's config
 * slice is listed in ADDON_CONFIG (./config.ts: every stack's config check loads that module, so it
 * must not load the add-ons' code). Adding an add-on: docs/recipes.md ("Add an add-on"): one entry
 * here and, when it has keys, one in ADDON_CONFIG, besides its own folder and its chart's pin.
 *
 * Foundations (./cluster.ts), by name: `cluster` (the nodes and the cluster's own add-ons) and
 * `load-balancer-controller-access` (the controller's Pod Identity access; none on an existing
 * cluster).
 */
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { AddOns, usedAddOn } from "@platform/components/addons";
import { CertManager } from "@platform/components/certificates";
import { ChartMirror, Owner } from "@platform/components/conventions";
import { ExternalDns, LoadBalancerController } from "@platform/components/cluster";
import { ISTIO_NAMESPACE, Istio } from "@platform/components/mesh";
import { Observability, ObservabilityFence } from "@platform/components/observability";
import { GlobalOutputs } from "../global/outputs";
import type { ClusterHandle } from "./cluster";
import type { AddOnSettings } from "./config";

/** What the add-ons are installed with. */
export interface CommonContext {
    readonly owner: Owner;
    /** The global stack's outputs. */
    readonly global: GlobalOutputs;
    readonly cluster: ClusterHandle;
    /** The cluster's kubernetes provider: every add-on's objects and releases use it. */
    readonly kubernetes: k8s.Provider;
    /** Where every chart comes from. */
    readonly chartMirror: ChartMirror;
    readonly settings: AddOnSettings;
}

/** What each add-on installs. */
export interface CommonAddOns {
    "load-balancer-controller": LoadBalancerController;
    "external-dns": ExternalDns;
    observability: Observability;
    istio: Istio;
    "cert-manager": CertManager;
    "observability-fence": ObservabilityFence;
}

/** The EKS side of a cluster, for the add-ons installed on an EKS cluster only (`when: onEks`). */
function eksOf(c: CommonContext): NonNullable<ClusterHandle["eks"]> {
    if (c.cluster.eks === undefined) {
        throw new Error("an add-on of EKS clusters was installed on an existing cluster: give it when: onEks");
    }
    return c.cluster.eks;
}

/** The AWS side of ingress, only on the EKS cluster this stack owns (docs/common.md, "Ingress"). */
const onEks = (c: CommonContext) => c.cluster.eks !== undefined;

export const COMMON_ADDONS: AddOns<CommonContext, CommonAddOns> = {
    "load-balancer-controller": {
        after: ["cluster", "load-balancer-controller-access"],
        when: onEks,
        install: (c, dependsOn) => {
            const controller = new LoadBalancerController("load-balancer-controller", {
                providers: { kubernetes: c.kubernetes },
                clusterName: c.cluster.clusterName,
                region: c.owner.environment.region,
                vpcId: c.global.vpcId,
                dependsOn,
                chartMirror: c.chartMirror,
            });
            // The gateway's Service passes the controller's webhook and gets its NLB from it.
            return { component: controller, ready: [controller.release] };
        },
    },
    "external-dns": {
        after: ["cluster"],
        when: onEks,
        install: (c, dependsOn) => {
            const externalDns = new ExternalDns("external-dns", {
                owner: c.owner,
                clusterName: c.cluster.clusterName,
                zone: { id: c.global.privateZoneId, name: c.global.privateZoneName },
                ownerId: c.cluster.clusterName,
                region: c.owner.environment.region,
                providers: { aws: eksOf(c).awsProvider, kubernetes: c.kubernetes },
                dependsOn,
                chartMirror: c.chartMirror,
            });
            return { component: externalDns, ready: [externalDns] };
        },
    },
    observability: {
        after: ["cluster"],
        install: (c, dependsOn) => {
            const { grafanaAdminPassword: given, ...settings } = c.settings.observability;
            // Default providers are disabled: random gets an explicit one, made only when a password is generated.
            const grafanaAdminPassword =
                given ??
                new random.RandomPassword(
                    "grafana-admin-password",
                    { length: 32, special: false },
                    { provider: new random.Provider("random", {}) },
                ).result;
            const observability = new Observability("observability", {
                owner: c.owner,
                providers: { kubernetes: c.kubernetes },
                dependsOn,
                grafanaAdminPassword,
                ...settings,
                istioNamespace: ISTIO_NAMESPACE,
                chartMirror: c.chartMirror,
                storage: c.cluster.eks === undefined ? "cluster-default" : "ebs-gp3",
                dataPlane: c.settings.istio.dataPlane,
            });
            return { component: observability, ready: [observability] };
        },
    },
    istio: {
        after: ["cluster", "load-balancer-controller"],
        uses: ["observability"],
        install: (c, dependsOn, installed) => {
            const { istio } = c.settings;
            const mesh = new Istio("istio", {
                owner: c.owner,
                providers: { kubernetes: c.kubernetes },
                dependsOn,
                ...istio,
                collector: usedAddOn(installed, "observability").jaegerCollector,
                // Unset: the environment's VPC CIDR, where the clients of an internal load balancer are.
                gatewaySourceRanges:
                    istio.gatewaySourceRanges.length > 0 ? istio.gatewaySourceRanges : [c.global.vpcCidr],
                chartMirror: c.chartMirror,
            });
            return { component: mesh, ready: [mesh.istiod] };
        },
    },
    // Certificates of the exposed hosts; its ServiceMonitor needs the Prometheus operator's CRDs.
    "cert-manager": {
        after: ["cluster", "observability"],
        install: (c, dependsOn) => {
            const certificates = new CertManager("cert-manager", {
                owner: c.owner,
                providers: { kubernetes: c.kubernetes },
                ...c.settings.certManager,
                zoneName: c.global.privateZoneName,
                chartMirror: c.chartMirror,
                dependsOn,
            });
            return { component: certificates, ready: [certificates] };
        },
    },
    // Who may reach Prometheus, Grafana and Jaeger (components/observability/fence.ts): after istiod,
    // whose webhook validates the AuthorizationPolicies (their CRDs come with Istio's base chart).
    "observability-fence": {
        after: ["observability", "istio"],
        uses: ["istio"],
        install: (c, dependsOn, installed) => {
            const fence = new ObservabilityFence("observability-fence", {
                owner: c.owner,
                providers: { kubernetes: c.kubernetes },
                trustDomain: usedAddOn(installed, "istio").trustDomain,
                dependsOn,
            });
            return { component: fence, ready: [fence] };
        },
    },
};
