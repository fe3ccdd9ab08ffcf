import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { z } from "zod";
import { LOG_RETENTION_DAYS, checkRetentionDays } from "../../components/cloudwatch";
import {
    NodeGroupSpec,
    endpointProblem,
    nodeGroupsProblems,
    parseNodeGroup,
    roleArnProblem,
} from "../../components/cluster/specs";
import { keyAdminArnsProblems } from "../../components/kms/policies";
import {
    LOAD_BALANCER_SCHEMES,
    LoadBalancerScheme,
    MAX_MESH_REPLICAS,
    MIN_MESH_REPLICAS,
    OUTBOUND_TRAFFIC_POLICIES,
    OutboundTrafficPolicy,
    canaryRevisionProblem,
    revisionProblem,
} from "../../components/mesh/specs";
import { CLUSTER_ACCESS_DEFAULTS, CLUSTER_DEFAULTS } from "../../components/cluster/settings";
import { ISTIO_DEFAULTS } from "../../components/mesh/settings";
import { OBSERVABILITY_DEFAULTS } from "../../components/observability/settings";
import { retentionProblem, storageSizeProblem } from "../../components/observability/specs";
import {
    ISTIOD_WEBHOOK_CA_ALLOWED,
    ISTIOD_WEBHOOK_URL_FORM,
    IstiodWebhooks,
    istiodWebhookCaBundleProblem,
    istiodWebhookUrlProblem,
} from "../../components/mesh/webhooks";
import { CHART_MIRROR_ALLOWED, ChartMirror, parseChartMirror } from "../../components/charts";
import {
    CERT_MANAGER_DEFAULTS,
    CERT_MANAGER_MODES,
    CertManagerMode,
    CertificateIssuer,
    PLATFORM_CA,
    certificateIssuerProblem,
    parseCertificateIssuer,
    webhookHostProblem,
} from "../../components/certificates";
import { isEveryAddress } from "../../components/network/ipv4";
import { checkCidr } from "./checks";
import { GLOBAL_SHAPE } from "./global";
import {
    KeySpec,
    checked,
    configKey,
    integerIn,
    keySpecs,
    oneOf,
    optionalString,
    requiredString,
    wholeNumber,
} from "./keys";
import { ConfigProblems } from "./problems";
import { SHARED_SHAPE } from "./shared";

/** The node group a stack gets when it lists none: dev-sized, on demand. */
export const DEFAULT_NODE_GROUPS = [
    { name: "general", instanceTypes: ["t3.large"], minSize: 2, maxSize: 4, desiredSize: 2, capacityType: "ON_DEMAND" },
];

/** Where the common layer's cluster comes from: created (EKS) or given (a kubeconfig). */
export const CLUSTER_MODES = ["eks", "existing"] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];

/** The keys that configure the EKS cluster, not read when the cluster is an existing one. */
const EKS_ONLY_KEYS: readonly string[] = [
    "endpointPublicAccess",
    "endpointPublicAccessCidrs",
    "clusterAdminRoleArns",
    "clusterViewerRoleArns",
    "controlPlaneLogRetentionDays",
    "nodeGroups",
    "scheduledNodeScaling",
    "kmsKeyAdminArns",
];

const common = ["common"] as const;

/** A chart mirror (components/charts): its text parsed, or the mirror's own message. */
const chartMirror = z.string().transform((value, ctx): ChartMirror => {
    const mirror = parseChartMirror(value);
    if (typeof mirror === "string") {
        ctx.issues.push({ code: "custom", message: mirror, input: value });
        return { kind: "upstream" };
    }
    return mirror;
});

/** Keys of the common layer (stack `<env>-common`), in Pulumi.yaml's order. */
export const COMMON_SHAPE = {
    clusterMode: configKey(oneOf(CLUSTER_MODES), "eks", {
        description:
            "eks: create the environment's EKS cluster; existing: install the mesh and observability on an existing cluster given by kubeconfig (the EKS keys are then not read).",
        layers: common,
    }),
    kubeconfig: configKey(z.string(), "", {
        description:
            "Kubeconfig of the existing cluster (clusterMode existing only), set with pulumi config set --secret kubeconfig < file (a plain-text value is refused).",
        layers: common,
        secret: true,
    }),
    chartMirror: configKey(chartMirror, "", {
        description: `Where every Helm chart comes from: ${CHART_MIRROR_ALLOWED}. Charts and versions: components/charts/sources.ts.`,
        layers: common,
    }),
    istiodWebhookUrl: configKey(optionalString(istiodWebhookUrlProblem), "", {
        description:
            "Base URL at which the API server reaches istiod's admission webhooks (sidecar injection at /inject, validation of Istio objects at /validate) when it cannot reach istiod's Service, e.g. an istiod outside the cluster; empty: istiod's Service. Needs istiodWebhookCaBundle.",
        layers: common,
    }),
    istiodWebhookCaBundle: configKey(optionalString(istiodWebhookCaBundleProblem), "", {
        description:
            "PEM of the CA certificate that signed the certificate istiod serves at istiodWebhookUrl; set exactly when istiodWebhookUrl is.",
        layers: common,
    }),
    certManager: configKey(oneOf(CERT_MANAGER_MODES), CERT_MANAGER_DEFAULTS.mode, {
        description:
            "install: install cert-manager (chart pinned in components/charts/sources.ts) to issue the gateway's certificates; existing: the cluster already runs cert-manager and its CRDs.",
        layers: common,
    }),
    certificateIssuer: configKey(requiredString(certificateIssuerProblem), PLATFORM_CA, {
        description: `Where the certificates of exposed hosts come from: ${PLATFORM_CA} (the environment's own CA, made by this layer: for a private zone, whose hosts no public CA certifies) or the name of a ClusterIssuer (group cert-manager.io) the cluster runs (e.g. ACME with DNS-01 for a public zone, Vault). platform-ca needs certManager install.`,
        layers: common,
    }),
    certManagerWebhookHost: configKey(optionalString(webhookHostProblem), "", {
        description:
            "<host>[:<port>] of a cert-manager webhook run outside the cluster, whose serving certificate the API server trusts by its own roots (the integration suite's); empty: the webhook at its Service. Not for the chart's in-cluster webhook. certManager install only.",
        layers: common,
    }),
    endpointPublicAccess: configKey(z.boolean(), CLUSTER_DEFAULTS.endpointPublicAccess, {
        description:
            "Whether the cluster's API endpoint is also public (the private endpoint is always on). Needs endpointPublicAccessCidrs.",
        layers: common,
    }),
    endpointPublicAccessCidrs: configKey(
        z.array(z.string().check(checked((v: string) => checkCidr(v)))),
        [...CLUSTER_DEFAULTS.endpointPublicAccessCidrs],
        {
            description:
                'IPv4 CIDRs allowed to reach the public API endpoint, e.g. ["203.0.113.0/24"]; only with endpointPublicAccess.',
            layers: common,
        },
    ),
    clusterAdminRoleArns: configKey(
        z.array(z.string().check(checked(roleArnProblem))),
        [...CLUSTER_ACCESS_DEFAULTS.adminRoleArns],
        {
            description: "IAM role ARNs with cluster-admin access (EKS access entries, AmazonEKSClusterAdminPolicy).",
            layers: common,
        },
    ),
    clusterViewerRoleArns: configKey(
        z.array(z.string().check(checked(roleArnProblem))),
        [...CLUSTER_ACCESS_DEFAULTS.viewerRoleArns],
        {
            description: "IAM role ARNs with read-only access (EKS access entries, AmazonEKSViewPolicy).",
            layers: common,
        },
    ),
    controlPlaneLogRetentionDays: configKey(
        wholeNumber().check(checked(checkRetentionDays)),
        CLUSTER_DEFAULTS.logRetentionDays,
        {
            description: `Days CloudWatch keeps the control-plane logs; one of ${LOG_RETENTION_DAYS.join(", ")}.`,
            layers: common,
        },
    ),
    // Each group is checked by the Cluster's own node-group check (nodeGroupsProblems) in parseCommonConfig.
    nodeGroups: configKey(z.array(z.record(z.string(), z.unknown())), DEFAULT_NODE_GROUPS, {
        description:
            "EKS managed node groups: each {name, instanceTypes, minSize, maxSize, desiredSize, capacityType (ON_DEMAND or SPOT), labels (map, optional), taints (list of {key, value, effect}, optional)}.",
        layers: common,
    }),
    scheduledNodeScaling: configKey(z.boolean(), CLUSTER_DEFAULTS.scheduledScaling, {
        description:
            "Scale the node groups to zero at the environment's stopTime and back at its startTime (Monday to Friday), in its timeZone. Keep false for production.",
        layers: common,
    }),
    meshRevision: configKey(optionalString(revisionProblem), ISTIO_DEFAULTS.revision, {
        description:
            "Istio control-plane revision, e.g. 1-30, used by the gateway and the services; empty installs without a revision.",
        layers: common,
    }),
    meshCanaryRevision: configKey(z.string(), ISTIO_DEFAULTS.canaryRevision, {
        description:
            "A second Istio control plane for a canary upgrade, e.g. 1-31, installed beside meshRevision; services opt in with useCanaryMeshRevision. Empty for none.",
        layers: common,
    }),
    meshOutboundTrafficPolicy: configKey(oneOf(OUTBOUND_TRAFFIC_POLICIES), ISTIO_DEFAULTS.outboundTrafficPolicy, {
        description:
            "What sidecars do with traffic to hosts outside the registry: REGISTRY_ONLY (only hosts a Service or a service's externalHosts ServiceEntry declares) or ALLOW_ANY (any host; refused by the policy pack outside dev). The sidecar enforces it; it is not a network boundary.",
        layers: common,
    }),
    tracingSamplingPercentage: configKey(integerIn(0, 100), ISTIO_DEFAULTS.tracingSamplingPercentage, {
        description: "Percentage of requests the mesh traces to Jaeger, 0 to 100.",
        layers: common,
    }),
    gatewayScheme: configKey(oneOf(LOAD_BALANCER_SCHEMES), ISTIO_DEFAULTS.gatewayScheme, {
        description: "The ingress gateway's Network Load Balancer: internal or internet-facing.",
        layers: common,
    }),
    // The ingress gateway's load balancer and the mesh's availability.
    gatewaySourceRanges: configKey(z.array(z.string().check(checked((v: string) => checkCidr(v)))), [], {
        description:
            "IPv4 CIDRs that may reach the ingress gateway's load balancer (its Service's loadBalancerSourceRanges), e.g. [\"203.0.113.0/24\"]; empty for the environment's VPC CIDR only (refused with gatewayScheme internet-facing).",
        layers: common,
    }),
    gatewayReplicas: configKey(integerIn(MIN_MESH_REPLICAS, MAX_MESH_REPLICAS), ISTIO_DEFAULTS.gatewayReplicas, {
        description: `The fewest ingress gateway pods (its autoscaler's minimum; the maximum is twice that, at least 5), ${MIN_MESH_REPLICAS} to ${MAX_MESH_REPLICAS}: one is a single point of failure.`,
        layers: common,
    }),
    istiodReplicas: configKey(integerIn(MIN_MESH_REPLICAS, MAX_MESH_REPLICAS), ISTIO_DEFAULTS.istiodReplicas, {
        description: `The fewest istiod pods (its autoscaler's minimum; the maximum is twice that, at least 5), ${MIN_MESH_REPLICAS} to ${MAX_MESH_REPLICAS}: one is a single point of failure.`,
        layers: common,
    }),
    prometheusRetention: configKey(requiredString(retentionProblem), OBSERVABILITY_DEFAULTS.prometheusRetention, {
        description: "How long Prometheus keeps samples, e.g. 3d or 2w.",
        layers: common,
    }),
    prometheusStorageSize: configKey(requiredString(storageSizeProblem), OBSERVABILITY_DEFAULTS.prometheusStorageSize, {
        description: "Size of Prometheus' gp3 volume, e.g. 10Gi.",
        layers: common,
    }),
    grafanaAdminPassword: configKey(z.string(), "", {
        description:
            "Grafana's admin password, set with pulumi config set --secret (a plain-text value is refused); when unset, one is generated and kept secret in the state.",
        layers: common,
        secret: true,
    }),
};

/** Every key a common stack reads: the shared organization and the KMS key admins of the global layer's declaration, then its own. */
export const COMMON_LAYER_SHAPE = {
    organization: SHARED_SHAPE.organization,
    kmsKeyAdminArns: GLOBAL_SHAPE.kmsKeyAdminArns,
    ...COMMON_SHAPE,
};

/** The parsed values of a common stack's keys. */
export type CommonValues = z.output<z.ZodObject<typeof COMMON_LAYER_SHAPE>>;

const EKS_ONLY_SPECS: readonly KeySpec[] = keySpecs(COMMON_SHAPE).filter((k) => EKS_ONLY_KEYS.includes(k.key));

/** The validated config of a common stack. */
export interface CommonConfig {
    readonly layer: "common";
    readonly stack: string;
    readonly env: string;
    /** Pulumi organization used to name the StackReference to the global stack. */
    readonly organization: string;
    /** eks: the stack creates the cluster; existing: it is given by `kubeconfig`. */
    readonly clusterMode: ClusterMode;
    /** The existing cluster's kubeconfig (secret); set exactly when clusterMode is existing. */
    readonly kubeconfig?: pulumi.Output<string>;
    /** Where every chart comes from. */
    readonly chartMirror: ChartMirror;
    /** Where the API server reaches istiod's webhooks, when not at its Service. */
    readonly istiodWebhooks?: IstiodWebhooks;
    /** Whether this layer installs cert-manager, or the cluster runs it already. */
    readonly certManager: CertManagerMode;
    /** Where the certificates of exposed hosts come from. */
    readonly certificateIssuer: CertificateIssuer;
    /** Where the API server reaches cert-manager's webhook; empty for its Service. */
    readonly certManagerWebhookHost: string;
    readonly endpointPublicAccess: boolean;
    readonly endpointPublicAccessCidrs: readonly string[];
    readonly clusterAdminRoleArns: readonly string[];
    readonly clusterViewerRoleArns: readonly string[];
    readonly controlPlaneLogRetentionDays: number;
    /** Administrators of the cluster's KMS keys (secrets and control-plane logs). */
    readonly kmsKeyAdminArns: readonly string[];
    readonly nodeGroups: readonly NodeGroupSpec[];
    readonly scheduledNodeScaling: boolean;
    readonly meshRevision: string;
    /** A canary control plane's revision beside meshRevision; empty for none. */
    readonly meshCanaryRevision: string;
    readonly meshOutboundTrafficPolicy: OutboundTrafficPolicy;
    readonly tracingSamplingPercentage: number;
    readonly gatewayScheme: LoadBalancerScheme;
    /** CIDRs that may reach the gateway's load balancer; empty for the environment's VPC CIDR. */
    readonly gatewaySourceRanges: readonly string[];
    readonly gatewayReplicas: number;
    readonly istiodReplicas: number;
    readonly prometheusRetention: string;
    readonly prometheusStorageSize: string;
    /** Grafana's admin password from config (secret), or undefined to generate one. */
    readonly grafanaAdminPassword?: pulumi.Output<string>;
}

/** istiodWebhookUrl and istiodWebhookCaBundle: both set, or neither. */
function parseIstiodWebhooks(
    url: string,
    caBundle: string,
    stack: string,
    problems: ConfigProblems,
): IstiodWebhooks | undefined {
    // A value already refused on its own counts as unset here: the follow-up would repeat it.
    const reported = (key: string) => problems.all.some((p) => p.path === `${problems.prefix}${key}`);
    if (reported("istiodWebhookUrl") || reported("istiodWebhookCaBundle")) {
        return undefined;
    }
    if (url !== "" && caBundle === "") {
        problems.add(
            "istiodWebhookCaBundle",
            undefined,
            `required in stack "${stack}" with istiodWebhookUrl set; ${ISTIOD_WEBHOOK_CA_ALLOWED}`,
        );
    }
    if (url === "" && caBundle !== "") {
        problems.add(
            "istiodWebhookUrl",
            undefined,
            `required in stack "${stack}" with istiodWebhookCaBundle set; allowed: ${ISTIOD_WEBHOOK_URL_FORM}`,
        );
    }
    return url !== "" && caBundle !== "" ? { url, caBundle } : undefined;
}

/**
 * The common stack's config from its parsed keys: the checks across keys (the endpoint, the
 * cluster mode and what it allows, the node groups, the canary revision); problems go to
 * `problems`. Secret keys come as Outputs in `secrets`.
 */
export function parseCommonConfig(
    v: CommonValues,
    stack: string,
    env: string,
    secrets: Readonly<Record<string, pulumi.Output<string>>>,
    problems: ConfigProblems,
): CommonConfig {
    problems.addAll(
        "",
        [endpointProblem(v.endpointPublicAccess, v.endpointPublicAccessCidrs)].filter((p) => p !== undefined),
    );
    const kubeconfig = secrets.kubeconfig;
    if (v.clusterMode === "existing") {
        if (kubeconfig === undefined) {
            problems.add(
                "kubeconfig",
                undefined,
                `required in stack "${stack}" with clusterMode existing; allowed: the existing cluster's kubeconfig, set with pulumi config set --secret kubeconfig < <file>`,
            );
        }
        for (const spec of EKS_ONLY_SPECS) {
            const value: unknown = v[spec.key as keyof CommonValues];
            if (!isDeepStrictEqual(value, spec.schema.parse(spec.default))) {
                problems.add(
                    spec.key,
                    value,
                    "not read with clusterMode existing (it configures the EKS cluster this stack would create); allowed: unset",
                );
            }
        }
    } else {
        // The KMS key admins are the EKS secrets and log keys' (an existing cluster has neither).
        problems.addAll("kmsKeyAdminArns", keyAdminArnsProblems(v.kmsKeyAdminArns));
        if (kubeconfig !== undefined) {
            problems.add(
                "kubeconfig",
                "[secret]",
                `not read with clusterMode eks (the stack creates the cluster and its kubeconfig); allowed: unset, or set clusterMode to existing`,
            );
        }
    }
    problems.addAll("nodeGroups", nodeGroupsProblems(v.nodeGroups));
    problems.add(
        "meshCanaryRevision",
        v.meshCanaryRevision,
        canaryRevisionProblem(v.meshCanaryRevision, v.meshRevision),
    );
    // An internal load balancer open to every address is a contradiction: its clients are in the VPC.
    if (v.gatewayScheme === "internal") {
        v.gatewaySourceRanges.forEach((cidr, i) => {
            if (isEveryAddress(cidr)) {
                problems.add(
                    `gatewaySourceRanges[${i}]`,
                    cidr,
                    "every address, for an internal load balancer whose clients are in the VPC; allowed: the IPv4 CIDRs of its clients, or unset for the VPC's CIDR",
                );
            }
        });
    }
    // An internet-facing gateway open to the VPC only (the default range) would serve nobody outside.
    if (v.gatewayScheme === "internet-facing" && v.gatewaySourceRanges.length === 0) {
        problems.add(
            "gatewaySourceRanges",
            [],
            'required with gatewayScheme internet-facing (the default, the VPC\'s CIDR, lets no client outside the VPC in); allowed: the IPv4 CIDRs of its clients, e.g. ["203.0.113.0/24"]',
        );
    }
    // The environment's CA keeps its root in the namespace this layer makes for cert-manager, and
    // relies on the Secret going with its Certificate: both are the installing layer's settings.
    if (v.certManager === "existing" && v.certificateIssuer === PLATFORM_CA) {
        problems.add(
            "certificateIssuer",
            v.certificateIssuer,
            `not with certManager existing (the environment's CA keeps its root in the cert-manager namespace this layer makes, with the settings it installs); allowed: the name of a ClusterIssuer the cluster's cert-manager runs, or set certManager to install`,
        );
    }
    if (v.certManager === "existing" && v.certManagerWebhookHost !== "") {
        problems.add(
            "certManagerWebhookHost",
            v.certManagerWebhookHost,
            "not read with certManager existing (the chart that routes the webhook is not installed by this stack); allowed: unset",
        );
    }
    const istiodWebhooks = parseIstiodWebhooks(v.istiodWebhookUrl, v.istiodWebhookCaBundle, stack, problems);
    return {
        layer: "common",
        stack,
        env,
        organization: v.organization,
        clusterMode: v.clusterMode,
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        chartMirror: v.chartMirror,
        ...(istiodWebhooks === undefined ? {} : { istiodWebhooks }),
        certManager: v.certManager,
        certificateIssuer: parseCertificateIssuer(v.certificateIssuer),
        certManagerWebhookHost: v.certManagerWebhookHost,
        endpointPublicAccess: v.endpointPublicAccess,
        endpointPublicAccessCidrs: v.endpointPublicAccessCidrs,
        clusterAdminRoleArns: v.clusterAdminRoleArns,
        clusterViewerRoleArns: v.clusterViewerRoleArns,
        controlPlaneLogRetentionDays: v.controlPlaneLogRetentionDays,
        kmsKeyAdminArns: v.kmsKeyAdminArns,
        nodeGroups: v.nodeGroups.map((g) => parseNodeGroup(g).group),
        scheduledNodeScaling: v.scheduledNodeScaling,
        meshRevision: v.meshRevision,
        meshCanaryRevision: v.meshCanaryRevision,
        meshOutboundTrafficPolicy: v.meshOutboundTrafficPolicy,
        tracingSamplingPercentage: v.tracingSamplingPercentage,
        gatewayScheme: v.gatewayScheme,
        gatewaySourceRanges: v.gatewaySourceRanges,
        gatewayReplicas: v.gatewayReplicas,
        istiodReplicas: v.istiodReplicas,
        prometheusRetention: v.prometheusRetention,
        prometheusStorageSize: v.prometheusStorageSize,
        grafanaAdminPassword: secrets.grafanaAdminPassword,
    };
}
