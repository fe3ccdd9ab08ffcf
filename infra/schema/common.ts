import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { LOG_RETENTION_DAYS } from "../../components/cluster/versions";
import { NodeGroupSpec, endpointProblem, parseNodeGroup, roleArnProblem } from "../../components/cluster/specs";
import { keyAdminArnsProblems } from "../../components/kms";
import {
    LOAD_BALANCER_SCHEMES,
    LoadBalancerScheme,
    OUTBOUND_TRAFFIC_POLICIES,
    OutboundTrafficPolicy,
    canaryRevisionProblem,
    revisionProblem,
} from "../../components/mesh/specs";
import { retentionProblem, storageSizeProblem } from "../../components/observability/specs";
import {
    ISTIOD_WEBHOOK_CA_ALLOWED,
    ISTIOD_WEBHOOK_URL_FORM,
    IstiodWebhooks,
    istiodWebhookCaBundleProblem,
    istiodWebhookUrlProblem,
} from "../../components/mesh/webhooks";
import { CHART_MIRROR_ALLOWED, ChartMirror, chartMirrorProblem, parseChartMirror } from "../../components/charts";
import { checkCidr } from "./checks";
import { KeySpec } from "./keys";
import { ConfigReader } from "./reader";

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

/** Keys of the common layer (stack `<env>-common`). */
export const COMMON_KEYS: readonly KeySpec[] = [
    {
        key: "clusterMode",
        description:
            "eks: create the environment's EKS cluster; existing: install the mesh and observability on an existing cluster given by kubeconfig (the EKS keys are then not read).",
        type: "string",
        default: "eks",
        layers: ["common"],
    },
    {
        key: "kubeconfig",
        description:
            "Kubeconfig of the existing cluster (clusterMode existing only), set with pulumi config set --secret kubeconfig < file (a plain-text value is refused).",
        type: "string",
        default: "",
        layers: ["common"],
        secret: true,
    },
    {
        key: "chartMirror",
        description: `Where every Helm chart comes from: ${CHART_MIRROR_ALLOWED}. Charts and versions: components/charts/sources.ts.`,
        type: "string",
        default: "",
        layers: ["common"],
    },
    {
        key: "istiodWebhookUrl",
        description:
            "Base URL at which the API server reaches istiod's admission webhooks (sidecar injection at /inject, validation of Istio objects at /validate) when it cannot reach istiod's Service, e.g. an istiod outside the cluster; empty: istiod's Service. Needs istiodWebhookCaBundle.",
        type: "string",
        default: "",
        layers: ["common"],
    },
    {
        key: "istiodWebhookCaBundle",
        description: "PEM of the CA certificate that signed the certificate istiod serves at istiodWebhookUrl; set exactly when istiodWebhookUrl is.",
        type: "string",
        default: "",
        layers: ["common"],
    },
    {
        key: "endpointPublicAccess",
        description:
            "Whether the cluster's API endpoint is also public (the private endpoint is always on). Needs endpointPublicAccessCidrs.",
        type: "boolean",
        default: false,
        layers: ["common"],
    },
    {
        key: "endpointPublicAccessCidrs",
        description: "IPv4 CIDRs allowed to reach the public API endpoint, e.g. [\"203.0.113.0/24\"]; only with endpointPublicAccess.",
        type: "string[]",
        default: [],
        layers: ["common"],
    },
    {
        key: "clusterAdminRoleArns",
        description: "IAM role ARNs with cluster-admin access (EKS access entries, AmazonEKSClusterAdminPolicy).",
        type: "string[]",
        default: [],
        layers: ["common"],
    },
    {
        key: "clusterViewerRoleArns",
        description: "IAM role ARNs with read-only access (EKS access entries, AmazonEKSViewPolicy).",
        type: "string[]",
        default: [],
        layers: ["common"],
    },
    {
        key: "controlPlaneLogRetentionDays",
        description: `Days CloudWatch keeps the control-plane logs; one of ${LOG_RETENTION_DAYS.join(", ")}.`,
        type: "integer",
        default: 30,
        layers: ["common"],
    },
    {
        key: "nodeGroups",
        description:
            "EKS managed node groups: each {name, instanceTypes, minSize, maxSize, desiredSize, capacityType (ON_DEMAND or SPOT), labels (map, optional), taints (list of {key, value, effect}, optional)}.",
        type: "object[]",
        default: DEFAULT_NODE_GROUPS,
        layers: ["common"],
    },
    {
        key: "scheduledNodeScaling",
        description:
            "Scale the node groups to zero at the environment's stopTime and back at its startTime (Monday to Friday), in its timeZone. Keep false for production.",
        type: "boolean",
        default: false,
        layers: ["common"],
    },
    {
        key: "meshRevision",
        description: "Istio control-plane revision, e.g. 1-30, used by the gateway and the services; empty installs without a revision.",
        type: "string",
        default: "",
        layers: ["common"],
    },
    {
        key: "meshCanaryRevision",
        description:
            "A second Istio control plane for a canary upgrade, e.g. 1-31, installed beside meshRevision; services opt in with useCanaryMeshRevision. Empty for none.",
        type: "string",
        default: "",
        layers: ["common"],
    },
    {
        key: "meshOutboundTrafficPolicy",
        description:
            "What sidecars do with traffic to hosts outside the registry: REGISTRY_ONLY (only hosts a Service or a service's externalHosts ServiceEntry declares) or ALLOW_ANY (any host; refused by the policy pack outside dev). The sidecar enforces it; it is not a network boundary.",
        type: "string",
        default: "REGISTRY_ONLY",
        layers: ["common"],
    },
    {
        key: "tracingSamplingPercentage",
        description: "Percentage of requests the mesh traces to Jaeger, 0 to 100.",
        type: "integer",
        default: 1,
        layers: ["common"],
    },
    {
        key: "gatewayScheme",
        description: "The ingress gateway's Network Load Balancer: internal or internet-facing.",
        type: "string",
        default: "internal",
        layers: ["common"],
    },
    {
        key: "prometheusRetention",
        description: "How long Prometheus keeps samples, e.g. 3d or 2w.",
        type: "string",
        default: "3d",
        layers: ["common"],
    },
    {
        key: "prometheusStorageSize",
        description: "Size of Prometheus' gp3 volume, e.g. 10Gi.",
        type: "string",
        default: "10Gi",
        layers: ["common"],
    },
    {
        key: "grafanaAdminPassword",
        description: "Grafana's admin password, set with pulumi config set --secret (a plain-text value is refused); when unset, one is generated and kept secret in the state.",
        type: "string",
        default: "",
        layers: ["common"],
        secret: true,
    },
];

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
    readonly prometheusRetention: string;
    readonly prometheusStorageSize: string;
    /** Grafana's admin password from config (secret), or undefined to generate one. */
    readonly grafanaAdminPassword?: pulumi.Output<string>;
}

/** Reads the node groups, recording each bad field as `nodeGroups[i].<field>`. */
function parseNodeGroups(reader: ConfigReader): NodeGroupSpec[] {
    const raw = reader.value("nodeGroups");
    if (!Array.isArray(raw)) {
        return [];
    }
    if (raw.length === 0) {
        reader.problems.add("nodeGroups", raw, "at least one node group is needed");
    }
    const seen = new Set<string>();
    return raw.map((entry: Record<string, unknown>, i: number) => {
        const { group, problems } = parseNodeGroup(entry);
        for (const p of problems) {
            reader.problems.add(`nodeGroups[${i}].${p.field}`, p.value, p.message);
        }
        if (group.name !== "" && seen.has(group.name)) {
            reader.problems.add(`nodeGroups[${i}].name`, group.name, "another node group has this name; names must be unique");
        }
        seen.add(group.name);
        return group;
    });
}

/** Reads istiodWebhookUrl and istiodWebhookCaBundle: both set, or neither. */
function parseIstiodWebhooks(reader: ConfigReader): IstiodWebhooks | undefined {
    const url = reader.string("istiodWebhookUrl", istiodWebhookUrlProblem);
    const caBundle = reader.string("istiodWebhookCaBundle", istiodWebhookCaBundleProblem);
    if (url !== "" && caBundle === "") {
        reader.problems.add("istiodWebhookCaBundle", undefined, `required in stack "${reader.stack}" with istiodWebhookUrl set; ${ISTIOD_WEBHOOK_CA_ALLOWED}`);
    }
    if (url === "" && caBundle !== "") {
        reader.problems.add("istiodWebhookUrl", undefined, `required in stack "${reader.stack}" with istiodWebhookCaBundle set; allowed: ${ISTIOD_WEBHOOK_URL_FORM}`);
    }
    return url !== "" && caBundle !== "" ? { url, caBundle } : undefined;
}

/** Reads and checks the common layer's keys; problems are recorded in `reader.problems`. */
export function parseCommonConfig(reader: ConfigReader, env: string): CommonConfig {
    const meshRevision = reader.string("meshRevision", revisionProblem);
    const endpointPublicAccess = reader.boolean("endpointPublicAccess");
    const endpointPublicAccessCidrs = reader.strings("endpointPublicAccessCidrs", (v) => checkCidr(v));
    const endpoint = endpointProblem(endpointPublicAccess, endpointPublicAccessCidrs);
    if (endpoint) {
        reader.problems.add(endpoint.field, endpoint.value, endpoint.message);
    }
    const retentionDays = reader.value("controlPlaneLogRetentionDays");
    if (typeof retentionDays === "number" && !(LOG_RETENTION_DAYS as readonly number[]).includes(retentionDays)) {
        reader.problems.add(
            "controlPlaneLogRetentionDays",
            retentionDays,
            `not a CloudWatch retention; allowed: ${LOG_RETENTION_DAYS.join(", ")}`,
        );
    }
    const clusterMode = reader.oneOf("clusterMode", CLUSTER_MODES);
    const kubeconfig = reader.secret("kubeconfig");
    if (clusterMode === "existing" && kubeconfig === undefined) {
        reader.problems.add(
            "kubeconfig",
            undefined,
            `required in stack "${reader.stack}" with clusterMode existing; allowed: the existing cluster's kubeconfig, set with pulumi config set --secret kubeconfig < <file>`,
        );
    }
    if (clusterMode === "existing") {
        for (const spec of COMMON_KEYS.filter((k) => EKS_ONLY_KEYS.includes(k.key))) {
            const value = reader.value(spec.key);
            if (!isDeepStrictEqual(value, spec.default)) {
                reader.problems.add(spec.key, value, "not read with clusterMode existing (it configures the EKS cluster this stack would create); allowed: unset");
            }
        }
    }
    // The KMS key admins are the EKS secrets and log keys' (an existing cluster has neither).
    const kmsKeyAdminArns = reader.strings("kmsKeyAdminArns");
    if (clusterMode === "eks") {
        for (const p of keyAdminArnsProblems(kmsKeyAdminArns)) {
            reader.problems.add(`kmsKeyAdminArns${p.at}`, p.value, p.message);
        }
    }
    if (clusterMode === "eks" && kubeconfig !== undefined) {
        reader.problems.add(
            "kubeconfig",
            "[secret]",
            `not read with clusterMode eks (the stack creates the cluster and its kubeconfig); allowed: unset, or set clusterMode to existing`,
        );
    }
    const mirror = parseChartMirror(reader.string("chartMirror", chartMirrorProblem));
    const istiodWebhooks = parseIstiodWebhooks(reader);
    return {
        layer: "common",
        stack: reader.stack,
        env,
        organization: reader.string("organization", undefined, true),
        clusterMode,
        ...(kubeconfig === undefined ? {} : { kubeconfig }),
        chartMirror: typeof mirror === "string" ? { kind: "upstream" } : mirror,
        ...(istiodWebhooks === undefined ? {} : { istiodWebhooks }),
        endpointPublicAccess,
        endpointPublicAccessCidrs,
        clusterAdminRoleArns: reader.strings("clusterAdminRoleArns", roleArnProblem),
        clusterViewerRoleArns: reader.strings("clusterViewerRoleArns", roleArnProblem),
        controlPlaneLogRetentionDays: typeof retentionDays === "number" ? retentionDays : 30,
        kmsKeyAdminArns,
        nodeGroups: parseNodeGroups(reader),
        scheduledNodeScaling: reader.boolean("scheduledNodeScaling"),
        meshRevision,
        meshCanaryRevision: reader.string("meshCanaryRevision", (v) => canaryRevisionProblem(v, meshRevision)),
        meshOutboundTrafficPolicy: reader.oneOf("meshOutboundTrafficPolicy", OUTBOUND_TRAFFIC_POLICIES),
        tracingSamplingPercentage: reader.integer("tracingSamplingPercentage", 0, 100),
        gatewayScheme: reader.oneOf("gatewayScheme", LOAD_BALANCER_SCHEMES),
        prometheusRetention: reader.string("prometheusRetention", retentionProblem, true),
        prometheusStorageSize: reader.string("prometheusStorageSize", storageSizeProblem, true),
        grafanaAdminPassword: reader.secret("grafanaAdminPassword"),
    };
}
