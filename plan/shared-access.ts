// The shared workloads of the observability namespace as targets (and callers) of the access
// matrix: Prometheus, Grafana and Jaeger, with the pod labels and service accounts their charts
// render (components/observability/specs.ts SHARED_WORKLOADS). The namespace has no sidecars, so its
// AuthorizationPolicies (from which the matrix decides, as for the services, and which the oracle
// proves) are not what holds today: its NetworkPolicies are. Each shared row's reason therefore also
// says what the NetworkPolicies of the plan do with the same request on its port, and a test keeps the
// two verdicts equal (test/plan/shared-access.test.ts).
import {
    OBSERVABILITY_NAMESPACE,
    OTLP_GRPC_EXPORT_PATH,
    SHARED_WORKLOADS,
    SharedWorkload,
} from "../components/observability/specs";
import { TRACE_EXPORT_PORT } from "../components/observability/fence";
import { NAMESPACE_NAME_LABEL } from "../components/service/isolation";
import { Workload } from "./authorization";
import { StackPlan } from "./plan";

/** The matrix's name of a shared workload: `observability.<workload>` (no service name has a dot). */
export function sharedTargetName(workload: SharedWorkload): string {
    return `${OBSERVABILITY_NAMESPACE}.${workload}`;
}

/** The shared workloads, in the matrix's order. */
export const SHARED_TARGETS: readonly SharedWorkload[] = ["prometheus", "grafana", "jaeger"];

/**
 * The requests tried on each shared workload besides `/` and its rules' boundary paths, and the
 * port each is served on: Prometheus' query API, Grafana's API, Jaeger's query API and its OTLP/gRPC
 * export method (the one path on the collector's port).
 */
export const SHARED_PROBES: Readonly<Record<SharedWorkload, readonly string[]>> = {
    prometheus: ["/api/v1/query"],
    grafana: ["/api/search"],
    jaeger: ["/api/traces", OTLP_GRPC_EXPORT_PATH],
};

/** The port a request to a shared workload arrives on: its collector's for the export method, else its own. */
export function sharedPort(workload: SharedWorkload, path: string): number {
    return workload === "jaeger" && path === OTLP_GRPC_EXPORT_PATH
        ? TRACE_EXPORT_PORT
        : SHARED_WORKLOADS[workload].port;
}

/** A pod as a NetworkPolicy sees it: its namespace (and that namespace's name label) and its labels. */
export type Pod = Workload;

/** A shared workload's pod. */
export function sharedPod(workload: SharedWorkload): Pod {
    return { namespace: OBSERVABILITY_NAMESPACE, labels: { ...SHARED_WORKLOADS[workload].labels } };
}

interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

interface Peer {
    readonly namespaceSelector?: LabelSelector;
    readonly podSelector?: LabelSelector;
    readonly ipBlock?: unknown;
}

interface NetworkPolicyManifest {
    readonly metadata: { name: string; namespace: string };
    readonly spec: {
        podSelector: LabelSelector;
        policyTypes?: string[];
        ingress?: { from?: Peer[]; ports?: { protocol?: string; port?: number | string }[] }[];
    };
}

/** Whether `selector` selects `labels` (matchLabels and the In/NotIn/Exists/DoesNotExist expressions). */
function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e) => {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        switch (e.operator) {
            case "In":
                return has && (e.values ?? []).includes(labels[e.key]);
            case "NotIn":
                return !has || !(e.values ?? []).includes(labels[e.key]);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            default:
                throw new Error(`NetworkPolicy selector operator ${e.operator} is not modelled`);
        }
    });
    return byLabels && byExpressions;
}

/** Whether a peer of an ingress rule of a policy in `policyNamespace` matches `source` (ipBlocks match no pod here). */
function peerMatches(peer: Peer, policyNamespace: string, source: Pod): boolean {
    if (peer.ipBlock !== undefined) {
        return false;
    }
    const nsOk =
        peer.namespaceSelector === undefined
            ? source.namespace === policyNamespace
            : selects(peer.namespaceSelector, { [NAMESPACE_NAME_LABEL]: source.namespace });
    return nsOk && (peer.podSelector === undefined || selects(peer.podSelector, source.labels));
}

/** The NetworkPolicy manifests of the planned stacks. */
function networkPolicies(plans: readonly StackPlan[]): NetworkPolicyManifest[] {
    return plans.flatMap((p) =>
        p.evaluation.resources
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map((r) => r.inputs as unknown as NetworkPolicyManifest),
    );
}

/**
 * What the plan's NetworkPolicies do with a TCP connection from `source` to `target` on `port`
 * (Kubernetes' semantics: isolated for ingress when a policy of its namespace selects it, then
 * admitted when any rule of those policies admits the peer and the port). Named ports are not modelled.
 */
export function networkPolicyVerdict(
    plans: readonly StackPlan[],
    source: Pod,
    target: Pod,
    port: number,
): { admitted: boolean; reason: string } {
    const selecting = networkPolicies(plans).filter(
        (p) =>
            p.metadata.namespace === target.namespace &&
            (p.spec.policyTypes ?? ["Ingress"]).includes("Ingress") &&
            selects(p.spec.podSelector, target.labels),
    );
    if (selecting.length === 0) {
        return { admitted: true, reason: `no NetworkPolicy of ${target.namespace} selects it` };
    }
    const admitting = selecting.filter((p) =>
        (p.spec.ingress ?? []).some(
            (rule) =>
                (rule.from === undefined ||
                    rule.from.length === 0 ||
                    rule.from.some((peer) => peerMatches(peer, p.metadata.namespace, source))) &&
                (rule.ports === undefined ||
                    rule.ports.length === 0 ||
                    rule.ports.some(
                        (x) => (x.protocol ?? "TCP") === "TCP" && (x.port === undefined || x.port === port),
                    )),
        ),
    );
    return admitting.length > 0
        ? {
              admitted: true,
              reason: `NetworkPolicy ${admitting.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")} admits it on ${port}`,
          }
        : { admitted: false, reason: `no NetworkPolicy of ${target.namespace} admits it on ${port}` };
}
