/**
 * The fence of the `observability` namespace: who may reach Prometheus, Grafana and Jaeger.
 * The namespace is outside the mesh (no sidecars, see observability.ts), so its AuthorizationPolicies
 * are not enforced by any proxy there; the NetworkPolicies are what holds today. Both say the same:
 * default deny, then
 * - Prometheus' HTTP API from Grafana (its data source) only;
 * - Jaeger's query API from Grafana (its data source) only;
 * - Jaeger's OTLP/gRPC collector (4317) from every proxy of the mesh (trace export);
 * - inside the namespace, anything from Prometheus (its scrapes of the operator, Alertmanager,
 *   kube-state-metrics, Grafana and Jaeger);
 * - the Prometheus operator's admission webhook from anywhere (the API server calls it).
 * Nothing admits Grafana from outside the namespace: the admin path is `kubectl port-forward`,
 * which NetworkPolicies and proxies do not see (docs/common.md, "Observability / security").
 * The AuthorizationPolicies are the same intent at L7: they take effect on any workload of the
 * namespace that gets a sidecar, and the access matrix is computed from (and the oracle proves) them.
 * Pure functions of plain data, tested directly.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders } from "../args";
import { Owner, kubernetesMetadata } from "../conventions";
import { AuthorizationPolicySpec, NamedSpec, SECURITY_API_VERSION, principalOf } from "../service/policies";
import {
    ENDPOINTS,
    OBSERVABILITY_NAMESPACE,
    OPERATOR_LABELS,
    OPERATOR_WEBHOOK_PORT,
    OTLP_GRPC_EXPORT_PATH,
    SHARED_WORKLOADS,
    SharedWorkload,
} from "./specs";

/** The OTLP/gRPC port of Jaeger's collector: what the proxies' tracer sends spans to. */
export const TRACE_EXPORT_PORT = ENDPOINTS.jaegerCollector.port;

/** The principal of a shared workload: `<trustDomain>/ns/observability/sa/<account>`. */
export function sharedPrincipal(trustDomain: string, workload: SharedWorkload): string {
    return principalOf(trustDomain, OBSERVABILITY_NAMESPACE, SHARED_WORKLOADS[workload].serviceAccount);
}

function selectorOf(workload: SharedWorkload): { matchLabels: Record<string, string> } {
    return { matchLabels: { ...SHARED_WORKLOADS[workload].labels } };
}

/**
 * The namespace's AuthorizationPolicies: `allow-nothing`, then `prometheus-from-grafana` (GET and
 * POST on `/api/v1/*`, Grafana's Prometheus data source), `jaeger-query-from-grafana` (GET on
 * `/api/*`, Grafana's Jaeger data source) and `jaeger-trace-export` (POST of the OTLP/gRPC export
 * method from any authenticated proxy). Nothing for Grafana: only the port-forward admin path.
 */
export function observabilityAuthorizationPolicies(trustDomain: string): NamedSpec<AuthorizationPolicySpec>[] {
    const grafana = { source: { principals: [sharedPrincipal(trustDomain, "grafana")] } };
    return [
        { name: "allow-nothing", spec: {} },
        {
            name: "prometheus-from-grafana",
            spec: {
                selector: selectorOf("prometheus"),
                action: "ALLOW",
                rules: [{ from: [grafana], to: [{ operation: { methods: ["GET", "POST"], paths: ["/api/v1/*"] } }] }],
            },
        },
        {
            name: "jaeger-query-from-grafana",
            spec: {
                selector: selectorOf("jaeger"),
                action: "ALLOW",
                rules: [{ from: [grafana], to: [{ operation: { methods: ["GET"], paths: ["/api/*"] } }] }],
            },
        },
        {
            name: "jaeger-trace-export",
            spec: {
                selector: selectorOf("jaeger"),
                action: "ALLOW",
                rules: [
                    {
                        from: [{ source: { principals: ["*"] } }],
                        to: [{ operation: { methods: ["POST"], paths: [OTLP_GRPC_EXPORT_PATH] } }],
                    },
                ],
            },
        },
    ];
}

/** A NetworkPolicy spec with its name. */
export type NamedNetworkPolicy = NamedSpec<k8s.types.input.networking.v1.NetworkPolicySpec>;

const tcp = (port: number) => ({ protocol: "TCP", port });
const podsOf = (workload: SharedWorkload) => ({ podSelector: selectorOf(workload) });

/**
 * The namespace's NetworkPolicies (ingress only; the namespace's egress stays open, Prometheus
 * scrapes the whole cluster): `default-deny-ingress`, `allow-from-prometheus` (every pod, any
 * port, from Prometheus' pods), `prometheus-from-grafana` (9090 from Grafana's pods),
 * `jaeger-query-from-grafana` (16686 from Grafana's pods), `jaeger-trace-export` (4317 from any
 * pod of any namespace) and `operator-webhook` (10250 from any source: the API server, whose
 * addresses the cluster does not name).
 */
export function observabilityNetworkPolicies(): NamedNetworkPolicy[] {
    return [
        { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
        {
            name: "allow-from-prometheus",
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [podsOf("prometheus")] }] },
        },
        {
            name: "prometheus-from-grafana",
            spec: {
                ...podsOf("prometheus"),
                policyTypes: ["Ingress"],
                ingress: [{ from: [podsOf("grafana")], ports: [tcp(SHARED_WORKLOADS.prometheus.port)] }],
            },
        },
        {
            name: "jaeger-query-from-grafana",
            spec: {
                ...podsOf("jaeger"),
                policyTypes: ["Ingress"],
                ingress: [{ from: [podsOf("grafana")], ports: [tcp(SHARED_WORKLOADS.jaeger.port)] }],
            },
        },
        {
            name: "jaeger-trace-export",
            spec: {
                ...podsOf("jaeger"),
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ namespaceSelector: {} }], ports: [tcp(TRACE_EXPORT_PORT)] }],
            },
        },
        {
            name: "operator-webhook",
            spec: {
                podSelector: { matchLabels: { ...OPERATOR_LABELS } },
                policyTypes: ["Ingress"],
                ingress: [{ ports: [tcp(OPERATOR_WEBHOOK_PORT)] }],
            },
        },
    ];
}

export interface ObservabilityFenceArgs {
    readonly owner: Owner;
    readonly providers: ComponentProviders<"kubernetes">;
    /** The mesh's trust domain (principals `<trustDomain>/ns/<ns>/sa/<sa>`). */
    readonly trustDomain: string;
    /**
     * What the fence waits for: the observability namespace and istiod (whose webhook validates the
     * AuthorizationPolicies; their CRDs come with Istio's base chart). @default []
     */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/** The fence of the `observability` namespace: its AuthorizationPolicies and NetworkPolicies (see above). */
export class ObservabilityFence extends pulumi.ComponentResource {
    constructor(name: string, args: ObservabilityFenceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("platform:observability:ObservabilityFence", name, {}, opts);
        const child = { parent: this, provider: args.providers.kubernetes, dependsOn: [...(args.dependsOn ?? [])] };
        const metadata = (objectName: string) =>
            kubernetesMetadata(args.owner, objectName, {
                namespace: OBSERVABILITY_NAMESPACE,
                workload: { component: "observability" },
            });
        for (const policy of observabilityAuthorizationPolicies(args.trustDomain)) {
            new k8s.apiextensions.CustomResource(
                `observability-authz-${policy.name}`,
                {
                    apiVersion: SECURITY_API_VERSION,
                    kind: "AuthorizationPolicy",
                    metadata: metadata(policy.name),
                    spec: policy.spec,
                },
                child,
            );
        }
        for (const policy of observabilityNetworkPolicies()) {
            new k8s.networking.v1.NetworkPolicy(
                `observability-netpol-${policy.name}`,
                { metadata: metadata(policy.name), spec: policy.spec },
                child,
            );
        }
        this.registerOutputs({});
    }
}
