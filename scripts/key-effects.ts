// What a change of each config key does to a running environment, worked out by the plan diff
// itself (plan/diff.ts) rather than written by hand: for each key, one change of it on the tests'
// dev (test/fixtures/stacks), the whole environment planned before and after, and what `pulumi
// up` would then do, stack by stack. Writes the section "config-key-effects" of
// docs/living-with-an-environment.md (--update-docs) or prints it.
//
//   npm run key-effects                    (plans dev once per key: a few minutes; best on an idle machine)
//   npm run key-effects -- --update-docs   (rewrites the section in docs/living-with-an-environment.md)
import * as fs from "fs";
import * as path from "path";
import { ALL_KEYS } from "../layers/config";
import { layerOfStackName } from "../layers/layering";
import { PlannedResource, ResourceChange, StackDiff, diffStack, plannedResource } from "../plan/diff";
import { AWS_REPLACE_RULES, STATEFUL_TYPES, kubernetesReplaceRule, replaceRuleOf } from "../plan/replacement";
import { useMocks } from "../plan/evaluate";
import { planEnvironment } from "../plan/plan";
import { ROOT, stackFilesWithKeys } from "../plan/stack-config";
import { writeSection } from "./doc-sections";

/** The stack files the changes are tried on. */
export const KEY_EFFECTS_STACKS = path.join(ROOT, "test", "fixtures", "stacks");
/** The page the table goes to, and its section. */
export const KEY_EFFECTS_DOC = path.join(ROOT, "docs", "living-with-an-environment.md");
export const KEY_EFFECTS_SECTION = "config-key-effects";
/** The section of the same page that lists the replace-on-change rules (from plan/replacement.ts). */
export const REPLACE_RULES_SECTION = "replace-rules";

/** One change tried: the keys it sets (short names), per stack of dev. */
export interface KeyChange {
    /** The key the row is about. */
    readonly key: string;
    /** What is changed, as the table says it. */
    readonly change: string;
    /** `platform:` keys to set (YAML values; null removes the key), per stack file of dev (`dev`, `dev-common`, `dev-payment`, ...). */
    readonly set: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    /** What the offline diff cannot see of this change, said in its row. */
    readonly note?: string;
}

/** A key the table explains instead of trying a change: what changing it means. */
export interface KeyNote {
    readonly key: string;
    readonly note: string;
}

const PEM = () => fs.readFileSync(path.join(ROOT, "test", "fixtures", "istiod-webhook", "ca.pem"), "utf8");

/** A change of keys of one stack file of dev. */
const on =
    (stack: string) =>
    (key: string, change: string, values: Record<string, unknown>): KeyChange => ({
        key,
        change,
        set: { [stack]: values },
    });
const onGlobal = on("dev");
const onCommon = on("dev-common");
const onPayment = on("dev-payment");

/** One change per key (two where the kind of change decides), each a valid config. */
export const KEY_CHANGES: readonly KeyChange[] = [
    {
        ...onGlobal("region", "eu-central-1 to eu-west-1", { region: "eu-west-1" }),
        note: "the offline plan sees the providers' new region and the new zones, not what a region means to each resource: every AWS resource is regional, so treat a new region as a new environment",
    },
    onGlobal("team", "platform-team to payments-team", { team: "payments-team" }),
    onGlobal("contact", "another address", { contact: "ops@example.com" }),
    onGlobal("timeZone", "Europe/Berlin to UTC", { timeZone: "UTC" }),
    onGlobal("startTime", "07:00 to 06:00", { startTime: "06:00" }),
    onGlobal("stopTime", "19:00 to 20:00", { stopTime: "20:00" }),
    onGlobal("vpcCidr", "10.20.0.0/16 to 10.30.0.0/16", { vpcCidr: "10.30.0.0/16" }),
    onGlobal("availabilityZoneCount", "3 to 2", { availabilityZoneCount: 2 }),
    onGlobal("availabilityZones", "the same three zones in another order", {
        availabilityZones: ["eu-central-1c", "eu-central-1b", "eu-central-1a"],
    }),
    {
        key: "privateSubnetCidrs",
        change: "explicit /18 private and /24 public subnets (with publicSubnetCidrs)",
        set: {
            dev: {
                privateSubnetCidrs: ["10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"],
                publicSubnetCidrs: ["10.20.192.0/24", "10.20.193.0/24", "10.20.194.0/24"],
            },
        },
    },
    onGlobal("natStrategy", "single to perAz", { natStrategy: "perAz" }),
    onGlobal("flowLogRetentionDays", "7 to 30", { flowLogRetentionDays: 30 }),
    {
        key: "kmsKeyAdminArns",
        change: "one more administrator (global and common)",
        set: {
            dev: {
                kmsKeyAdminArns: [
                    "arn:aws:iam::123456789012:role/platform-admins",
                    "arn:aws:iam::123456789012:role/sre",
                ],
            },
            "dev-common": {
                kmsKeyAdminArns: [
                    "arn:aws:iam::123456789012:role/platform-admins",
                    "arn:aws:iam::123456789012:role/sre",
                ],
            },
        },
    },
    onGlobal("interfaceEndpointServices", "kms added", {
        interfaceEndpointServices: ["ecr.api", "ecr.dkr", "sts", "logs", "kms"],
    }),
    onGlobal("privateZoneName", "another zone name", { privateZoneName: "dev.internal.example.org" }),
    onGlobal("publicZoneName", "a public zone added", { publicZoneName: "dev.example.com" }),
    {
        key: "clusterMode",
        change: "eks to existing (with a kubeconfig)",
        set: {
            "dev-common": {
                clusterMode: "existing",
                kubeconfig: { secure: "kubeconfig" },
                scheduledNodeScaling: null,
                nodeGroups: null,
            },
        },
    },
    onCommon("chartMirror", "an OCI mirror", {
        chartMirror: "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/charts",
    }),
    onCommon("istiodWebhookUrl", "an istiod outside the cluster (with istiodWebhookCaBundle)", {
        istiodWebhookUrl: "https://istiod.example.com:15017",
        istiodWebhookCaBundle: PEM(),
    }),
    onCommon("certificateIssuer", "platform-ca to a team's ClusterIssuer", { certificateIssuer: "letsencrypt-dns" }),
    onCommon("certManager", "install to existing (with a team's ClusterIssuer)", {
        certManager: "existing",
        certificateIssuer: "letsencrypt-dns",
    }),
    onCommon("certManagerWebhookHost", "a webhook outside the cluster", {
        certManagerWebhookHost: "cert-manager-webhook.example.com:10250",
    }),
    onCommon("endpointPublicAccess", "false to true (with endpointPublicAccessCidrs)", {
        endpointPublicAccess: true,
        endpointPublicAccessCidrs: ["203.0.113.0/24"],
    }),
    onCommon("clusterAdminRoleArns", "an admin role added", {
        clusterAdminRoleArns: ["arn:aws:iam::123456789012:role/cluster-admins"],
    }),
    onCommon("clusterViewerRoleArns", "a viewer role added", {
        clusterViewerRoleArns: ["arn:aws:iam::123456789012:role/cluster-viewers"],
    }),
    onCommon("controlPlaneLogRetentionDays", "30 to 90", { controlPlaneLogRetentionDays: 90 }),
    {
        key: "nodeGroups",
        change: "a node group's instanceTypes",
        set: {
            "dev-common": {
                nodeGroups: [
                    {
                        name: "general",
                        instanceTypes: ["m6i.large"],
                        minSize: 2,
                        maxSize: 4,
                        desiredSize: 2,
                        capacityType: "ON_DEMAND",
                    },
                ],
            },
        },
    },
    {
        key: "nodeGroups",
        change: "a node group's maxSize",
        set: {
            "dev-common": {
                nodeGroups: [
                    {
                        name: "general",
                        instanceTypes: ["t3.large"],
                        minSize: 2,
                        maxSize: 6,
                        desiredSize: 2,
                        capacityType: "ON_DEMAND",
                    },
                ],
            },
        },
    },
    {
        key: "nodeGroups",
        change: "a node group's name",
        set: {
            "dev-common": {
                nodeGroups: [
                    {
                        name: "system",
                        instanceTypes: ["t3.large"],
                        minSize: 2,
                        maxSize: 4,
                        desiredSize: 2,
                        capacityType: "ON_DEMAND",
                    },
                ],
            },
        },
    },
    onCommon("scheduledNodeScaling", "true to false", { scheduledNodeScaling: false }),
    onCommon("meshRevision", "none to 1-30", { meshRevision: "1-30" }),
    onCommon("meshCanaryRevision", "a canary 1-31 beside 1-30", { meshRevision: "1-30", meshCanaryRevision: "1-31" }),
    onCommon("meshOutboundTrafficPolicy", "REGISTRY_ONLY to ALLOW_ANY", { meshOutboundTrafficPolicy: "ALLOW_ANY" }),
    onCommon("tracingSamplingPercentage", "100 to 10", { tracingSamplingPercentage: 10 }),
    onCommon("gatewayScheme", "internal to internet-facing (with gatewaySourceRanges)", {
        gatewayScheme: "internet-facing",
        gatewaySourceRanges: ["203.0.113.0/24"],
    }),
    onCommon("gatewaySourceRanges", "a range added to the VPC's", {
        gatewaySourceRanges: ["10.20.0.0/16", "192.168.0.0/24"],
    }),
    onCommon("gatewayReplicas", "2 to 3", { gatewayReplicas: 3 }),
    onCommon("istiodReplicas", "2 to 3", { istiodReplicas: 3 }),
    onCommon("prometheusRetention", "3d to 7d", { prometheusRetention: "7d" }),
    {
        ...onCommon("prometheusStorageSize", "10Gi to 20Gi", { prometheusStorageSize: "20Gi" }),
        note: "the release's values change in place; what becomes of the running Prometheus' volume is prometheus-operator's and the storage class's business, which the plan does not see",
    },
    {
        ...onCommon("prometheusStackVersion", "81.6.2 to 88.5.3", { prometheusStackVersion: "88.5.3" }),
        note: "the CRDs are updated before the release (server-side apply, forced); the objects of those kinds stay",
    },
    onCommon("grafanaAdminPassword", "a password set (instead of a generated one)", {
        grafanaAdminPassword: { secure: "password" },
    }),
    {
        key: "versions",
        change: "a version's image",
        set: {
            "dev-payment": {
                versions: [
                    {
                        name: "v1",
                        image: "registry.example.com/shop/payment@sha256:4f1c6a1f1b2e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c",
                        weight: 100,
                    },
                ],
            },
        },
    },
    {
        key: "versions",
        change: "a version's name (v1 to v2)",
        set: {
            "dev-payment": {
                versions: [
                    {
                        name: "v2",
                        image: "registry.example.com/shop/payment@sha256:3f1c6a1f1b2e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c",
                        weight: 100,
                    },
                ],
            },
        },
    },
    onPayment("replicas", "3 to 4", { replicas: 4 }),
    onPayment("port", "8080 to 9000", { port: 9000 }),
    onPayment("protocol", "http to grpc", { protocol: "grpc" }),
    onPayment("metricsPort", "none to 9100", { metricsPort: 9100 }),
    onPayment("healthPath", "/healthz to /ready", { healthPath: "/ready" }),
    {
        key: "resources",
        change: "a higher memory limit",
        set: {
            "dev-payment": {
                resources: { cpuRequest: "200m", memoryRequest: "256Mi", cpuLimit: "1", memoryLimit: "768Mi" },
            },
        },
    },
    onPayment("quota", "at most 40 pods", { quota: { pods: 40 } }),
    onPayment("autoscaling", "an autoscaler added", {
        autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 70 },
    }),
    {
        key: "allowedCallers",
        change: "the frontend may call the payment too",
        set: {
            "dev-payment": {
                allowedCallers: [
                    { namespace: "backend", methods: ["POST"], paths: ["/charge"] },
                    { service: "frontend", methods: ["GET"], paths: ["/status"] },
                ],
            },
        },
    },
    {
        key: "useCanaryMeshRevision",
        change: "false to true (the common stack runs a canary)",
        set: {
            "dev-common": { meshRevision: "1-30", meshCanaryRevision: "1-31" },
            "dev-payment": { useCanaryMeshRevision: true },
        },
    },
    {
        key: "externalHosts",
        change: "a second external host",
        set: {
            "dev-payment": {
                externalHosts: [
                    { host: "api.payments.example.com", port: 443, protocol: "HTTPS" },
                    { host: "fraud.example.com" },
                ],
            },
        },
    },
    onPayment("exposed", "false to true", { exposed: true }),
    {
        key: "publicHost",
        change: "another host in the zone",
        set: { "dev-frontend": { publicHost: "shop.dev.internal.example.com" } },
    },
    {
        key: "jwt",
        change: "end-user tokens required",
        set: {
            "dev-payment": {
                jwt: { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" },
            },
        },
    },
    onPayment("deniedSourceCidrs", "a block refused", { deniedSourceCidrs: ["203.0.113.0/24"] }),
    onPayment("requiredHeaders", "a header required", { requiredHeaders: ["x-tenant-id"] }),
    onPayment("rateLimit", "a rate limit added", {
        rateLimit: { maxTokens: 100, tokensPerFill: 50, fillInterval: "1s" },
    }),
    onPayment("timeout", "15s to 30s", { timeout: "30s" }),
    onPayment("retries", "0 to 2", { retries: 2 }),
];

/** Keys whose change is not a change of the same stack's resources: what it means instead. */
export const KEY_NOTES: readonly KeyNote[] = [
    {
        key: "layer",
        note: "Which layer the stack is; it must fit the stack's name, so changing it means another stack (a new stack file), not a change of this one.",
    },
    {
        key: "organization",
        note: "The Pulumi organization the StackReferences name: the stack then reads another organization's stacks. Nothing of its own changes; a wrong one fails the preview, naming the stack it cannot read.",
    },
    {
        key: "production",
        note: "Read by npm run env's teardown only (destroy --unprotect is refused while it is true): a change updates the global stack's output production and no resource.",
    },
    {
        key: "meshVersion",
        note: "The main control plane's Istio release: its istiod release and the gateway's chart updated in place, istio-base too when it is the newer release (docs/common.md, \"Upgrading Istio by canary revision\"). Changed with meshRevision when a canary is promoted (the integration suite asserts that preview).",
    },
    {
        key: "meshCanaryVersion",
        note: "The canary control plane's Istio release: its istiod release updated in place, istio-base too when it is the newer release; nothing of the services.",
    },
    {
        key: "meshRevisionTags",
        note: "A tag added creates one MutatingWebhookConfiguration (istio-revision-tag-<tag>), a tag moved updates that one in place, a tag removed deletes it; nothing else, in no other stack (a service on the tag keeps its label and moves at its pods' next restart). The integration suite's canary test asserts each preview.",
    },
    {
        key: "meshRevisionTag",
        note: "The service's Namespace updated in place (its istio.io/rev label, the tag instead of the revision) and nothing else; its pods are injected by the tag's control plane from their next restart.",
    },
    {
        key: "kubernetesVersion",
        note: 'One minor up from what the stack last deployed (its output kubernetesVersion): the control plane, then the add-ons nodes need, the node groups, then CoreDNS and the EBS CSI driver, each updated in place (docs/common.md, "Kubernetes upgrades"). A jump of more than one minor or a downgrade is refused before anything is created; the offline plan, which starts from nothing, cannot show that refusal.',
    },
    {
        key: "istiodRevisionWebhookUrls",
        note: "Only with istiodWebhookUrl, for a revision whose istiod is elsewhere: an update in place of that revision's istiod release (its injection URL) and of the revision tags pointing at it.",
    },
    {
        key: "publicSubnetCidrs",
        note: "Set together with privateSubnetCidrs (both or neither): see privateSubnetCidrs.",
    },
    {
        key: "endpointPublicAccessCidrs",
        note: "Only with endpointPublicAccess: see endpointPublicAccess (the cluster's endpoint settings, in place).",
    },
    {
        key: "dataPlane",
        note: "Not tried on the whole environment: with every service following the environment, each service stack's next run moves its namespace (its labels, its pods rolled, its policy and routing objects swapped). Pin each service first (serviceDataPlane) and move them one at a time (docs/service.md, \"Moving a service between data planes\"). On the common stack alone, sidecar to ambient creates the Gateway API CRDs ×8 (retainOnDelete), their admission policy and binding, the istio-cni and ztunnel releases and PodMonitor/ztunnel, and updates istiod's release (the ambient profile) and the Envoy PodMonitor (ztunnel's pods dropped) in place (test/layers/common/ambient.test.ts).",
    },
    {
        key: "serviceDataPlane",
        note: "Not tried here: the table's environment runs sidecars, where sidecar is the environment's own (no change) and ambient is refused. In an ambient environment, moving one service sidecar to ambient updates its Namespace (labels) and Deployments (a pod label: the pods roll) and deletes its Sidecar, VirtualService, DestinationRule and allow-prometheus NetworkPolicy (an L4 service; one that needs L7 also gets its waypoint, HTTPRoute, targetRefs policies and DestinationRules); back is the reverse; no other stack changes (test/layers/service/mixed.test.ts).",
    },
    { key: "istiodWebhookCaBundle", note: "Set exactly when istiodWebhookUrl is: see istiodWebhookUrl." },
    {
        key: "kubeconfig",
        note: "Only with clusterMode existing: see clusterMode. A kubeconfig of another cluster replaces every Kubernetes object of the stack (the kubernetes provider is replaced).",
    },
];

/** `aws:ec2/vpc:Vpc` as `Vpc`, `kubernetes:apps/v1:Deployment` as `Deployment`. */
function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

/** `Vpc, Subnet ×4` for a list of changes. */
function typesOf(changes: readonly ResourceChange[]): string {
    const counts = new Map<string, number>();
    for (const c of changes) {
        counts.set(shortType(c.type), (counts.get(shortType(c.type)) ?? 0) + 1);
    }
    return [...counts.entries()].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(", ");
}

/** What a change does to one stack, in a few words: `replaces Vpc, Subnet ×4; updates Zone`. */
export function stackEffect(d: StackDiff): string {
    const ops: [ResourceChange["op"], string][] = [
        ["replace", "replaces"],
        ["delete", "deletes"],
        ["create", "creates"],
        ["update", "updates"],
    ];
    return ops
        .map(([op, verb]) => [verb, typesOf(d.changes.filter((c) => c.op === op))])
        .filter(([, types]) => types !== "")
        .map(([verb, types]) => `${verb} ${types}`)
        .join("; ");
}

/** The strongest operation of a change over every stack: what the table's verdict column says. */
export function verdict(diffs: readonly StackDiff[]): string {
    const all = diffs.flatMap((d) => d.changes);
    const has = (op: ResourceChange["op"]) => all.some((c) => c.op === op);
    const risky = all.some((c) => c.risk !== undefined);
    return has("replace")
        ? `**replace**${risky ? " (stateful)" : ""}`
        : has("delete")
          ? `**delete**${risky ? " (stateful)" : ""}`
          : has("create")
            ? "create"
            : has("update")
              ? "in place"
              : "no change";
}

/** One row of the table: the change and each stack's effect. */
export interface KeyEffect {
    readonly key: string;
    readonly layer: string;
    readonly change: string;
    readonly verdict: string;
    readonly effects: string;
}

/** Plans dev before and after each change and says what `pulumi up` would do. */
export async function keyEffects(changes: readonly KeyChange[] = KEY_CHANGES): Promise<KeyEffect[]> {
    useMocks("dev");
    const resources = (plans: Awaited<ReturnType<typeof planEnvironment>>) =>
        new Map<string, PlannedResource[]>(
            plans.map((p) => [p.config.stack, p.evaluation.resources.map(plannedResource)]),
        );
    const base = resources(await planEnvironment("dev", KEY_EFFECTS_STACKS));
    const rows: KeyEffect[] = [];
    for (const change of changes) {
        let head: Map<string, PlannedResource[]>;
        try {
            head = resources(await planEnvironment("dev", stackFilesWithKeys(KEY_EFFECTS_STACKS, change.set)));
        } catch (err) {
            throw new Error(`${change.key} (${change.change}): ${err instanceof Error ? err.message : String(err)}`);
        }
        const diffs = [...head.keys()].map((s) => diffStack(s, base.get(s), head.get(s)));
        const changed = diffs.filter((d) => d.changes.length > 0);
        const spec = ALL_KEYS.find((k) => k.key === change.key);
        const effects =
            changed.map((d) => `${d.stack} (${layerOfStackName(d.stack)}): ${stackEffect(d)}`).join("<br>") ||
            "nothing in the plan changes";
        rows.push({
            key: change.key,
            layer: (spec?.layers ?? []).join(", "),
            change: change.change,
            verdict: verdict(changed),
            effects: change.note === undefined ? effects : `${effects}<br>note: ${change.note}`,
        });
        console.error(`${change.key}: ${change.change}: ${rows[rows.length - 1].verdict}`);
    }
    return rows;
}

/** The section's Markdown: one row per change tried, then the keys explained instead. */
export function keyEffectsMarkdown(rows: readonly KeyEffect[], notes: readonly KeyNote[] = KEY_NOTES): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    return [
        "| key | layer | change tried on the tests' dev | verdict | what `pulumi up` does, per stack |",
        "|---|---|---|---|---|",
        ...rows.map((r) => `| \`${r.key}\` | ${r.layer} | ${cell(r.change)} | ${r.verdict} | ${cell(r.effects)} |`),
        "",
        "Keys not tried, and why:",
        "",
        ...notes.map((n) => `- \`${n.key}\`: ${n.note}`),
    ].join("\n");
}

/** The replace-on-change rules and the stateful types, as a Markdown table (docs/living-with-an-environment.md). */
export function replaceRulesMarkdown(): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    const props = (ps: readonly string[]) => (ps.length === 0 ? "none" : ps.map((p) => `\`${p}\``).join(", "));
    const k8s = (group: string, version: string, kind: string) => kubernetesReplaceRule({ group, version, kind });
    const kubernetes: [string, readonly string[]][] = [
        ["any Kubernetes kind", k8s("", "v1", "Namespace").properties],
        ...(
            [
                ["kubernetes:apps/v1:Deployment", "apps", "Deployment"],
                ["kubernetes:apps/v1:DaemonSet", "apps", "DaemonSet"],
                ["kubernetes:apps/v1:StatefulSet", "apps", "StatefulSet"],
                ["kubernetes:core/v1:Service", "", "Service"],
                ["kubernetes:core/v1:PersistentVolumeClaim", "", "PersistentVolumeClaim"],
                ["kubernetes:core/v1:Secret", "", "Secret"],
                ["kubernetes:core/v1:ConfigMap", "", "ConfigMap"],
                ["kubernetes:core/v1:ResourceQuota", "", "ResourceQuota"],
                ["kubernetes:storage.k8s.io/v1:StorageClass", "storage.k8s.io", "StorageClass"],
            ] as const
        ).map(([type, group, kind]): [string, readonly string[]] => [type, k8s(group, "v1", kind).properties]),
        ["kubernetes:helm.sh/v3:Release", replaceRuleOf("kubernetes:helm.sh/v3:Release")?.properties ?? []],
        ["pulumi:providers:kubernetes", replaceRuleOf("pulumi:providers:kubernetes")?.properties ?? []],
    ];
    const kubernetesSource = k8s("", "v1", "Namespace").source;
    return [
        "| type | a change of these replaces it | source | stateful: what a replacement or deletion loses |",
        "|---|---|---|---|",
        ...Object.entries(AWS_REPLACE_RULES).map(
            ([type, rule]) =>
                `| \`${type}\` | ${props(rule.properties)}${rule.note ? ` (${cell(rule.note)})` : ""} | ${cell(rule.source)} | ${cell(STATEFUL_TYPES[type] ?? "")} |`,
        ),
        ...kubernetes.map(
            ([type, properties]) =>
                `| ${type.startsWith("any") ? type : `\`${type}\``} | ${props(properties)} | ${cell(replaceRuleOf(type)?.source ?? kubernetesSource)} | ${cell(STATEFUL_TYPES[type] ?? "")} |`,
        ),
        ...Object.entries(STATEFUL_TYPES)
            .filter(([type]) => !(type in AWS_REPLACE_RULES) && !kubernetes.some(([t]) => t === type))
            .map(
                ([type, why]) =>
                    `| \`${type}\` | its name and namespace, as any kind | ${kubernetesSource} | ${cell(why)} |`,
            ),
    ].join("\n");
}

if (require.main === module) {
    // @pulumi/pulumi keeps a stack trace per promise; the script prints messages only.
    Error.stackTraceLimit = 5;
    const update = process.argv.includes("--update-docs");
    keyEffects().then(
        (rows) => {
            const text = keyEffectsMarkdown(rows);
            if (update) {
                writeSection(KEY_EFFECTS_DOC, KEY_EFFECTS_SECTION, text);
                writeSection(KEY_EFFECTS_DOC, REPLACE_RULES_SECTION, replaceRulesMarkdown());
                console.log(
                    `wrote the sections ${KEY_EFFECTS_SECTION} and ${REPLACE_RULES_SECTION} of ${path.relative(process.cwd(), KEY_EFFECTS_DOC)}`,
                );
            } else {
                console.log(text);
            }
        },
        (err: unknown) => {
            console.error(`key-effects failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
        },
    );
}
