/**
 * The two enforcement points beside the AuthorizationPolicies, built from the same access graph
 * (the environment's `allowedCallers`): a `Sidecar` per service namespace whose egress lists only
 * the services it may call, and Kubernetes NetworkPolicies (default deny ingress, then the
 * callers' namespaces, the ingress gateway for an exposed service, and Prometheus on the sidecar's
 * merged metrics port; egress to istiod's xDS port, Jaeger's collector, the callees and out of the VPC). Pure functions of plain data, with stable order, tested directly.
 * See https://istio.io/latest/docs/reference/config/networking/sidecar/ and
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ISidecar } from "@kubernetes-models/istio/networking.istio.io/v1/Sidecar";
import { MeshFacts } from "./policies";
import { externalEgressHosts } from "./egress";
import { CallerRule, ExternalHostSpec, ServiceSettings } from "./types";
import { CLUSTER_DOMAIN, serviceHost } from "./workload";
import { JAEGER_RELEASE, SHARED_WORKLOADS } from "../observability/specs";
import { TRACE_EXPORT_PORT } from "../observability/fence";

/**
 * The port of the sidecar agent's merged Prometheus endpoint (`/stats/prometheus`: Envoy's and the
 * application's metrics) and of the probes Istio rewrites. Plain HTTP, outside the mesh's mTLS, so
 * the NetworkPolicy admits only Prometheus' namespace to it.
 * See https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging
 */
export const MERGED_METRICS_PORT = 15020;
/** The pod label of the cluster DNS (CoreDNS keeps kube-dns' label on EKS). */
export const CLUSTER_DNS_LABELS = { "k8s-app": "kube-dns" } as const;
/** The port of AWS' interface endpoints and the EKS API inside the VPC. */
export const HTTPS_PORT = 443;
/** istiod's port for the proxies: xDS and certificate signing (gRPC over TLS). */
export const ISTIOD_XDS_PORT = 15012;
/** The label Kubernetes (1.22+) puts on every namespace: its name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Cluster DNS, which every workload needs (DNS over TCP goes through the sidecar). */
export const CLUSTER_DNS_HOST = `kube-system/kube-dns.kube-system.svc.${CLUSTER_DOMAIN}`;

/** One service of the environment as the access graph knows it: its name and who may call it. */
export interface GraphService {
    /** The service, also its namespace and service account. */
    readonly name: string;
    readonly allowedCallers: readonly CallerRule[];
}

/** The namespace a caller rule admits: the service's own (a namespace per service) or the one named. */
export function callerNamespace(rule: CallerRule): string {
    return rule.service ?? rule.namespace ?? "";
}

/**
 * The services `service` may call: every other service of the environment whose allowed callers
 * name it, by service or by namespace (its namespace is its name). Sorted, without duplicates.
 */
export function calleesOf(service: string, graph: readonly GraphService[]): string[] {
    const callees = graph
        .filter((g) => g.name !== service && g.allowedCallers.some((rule) => callerNamespace(rule) === service))
        .map((g) => g.name);
    return [...new Set(callees)].sort();
}

/**
 * The egress hosts every workload needs whatever it calls: the control plane's namespace (istiod,
 * certificates), cluster DNS and, of the observability namespace, only Jaeger's Service: the
 * tracing collector the proxies send spans to must be in scope, or Envoy has no cluster for it.
 * Prometheus and Grafana are not: a service has no business with them (components/observability/fence.ts).
 */
export function sharedEgressHosts(mesh: Pick<MeshFacts, "istioNamespace" | "observabilityNamespace">): string[] {
    return [`${mesh.istioNamespace}/*`, CLUSTER_DNS_HOST, traceCollectorEgressHost(mesh)];
}

/** The Sidecar egress host of the tracing collector: `observability/jaeger.observability.svc.cluster.local`. */
export function traceCollectorEgressHost(mesh: Pick<MeshFacts, "observabilityNamespace">): string {
    return `${mesh.observabilityNamespace}/${serviceHost(JAEGER_RELEASE, mesh.observabilityNamespace)}`;
}

/** A callee's egress host: `<namespace>/<service>.<namespace>.svc.cluster.local`. */
export function calleeEgressHost(callee: string): string {
    return `${callee}/${serviceHost(callee, callee)}`;
}

type ModelSidecarSpec = NonNullable<ISidecar["spec"]>;

/** A Sidecar's spec as this module writes it: egress hosts only (fields of the Istio model's spec). */
export interface SidecarSpec extends Pick<ModelSidecarSpec, "egress"> {
    egress: Pick<NonNullable<ModelSidecarSpec["egress"]>[number], "hosts">[];
}

/**
 * The namespace's Sidecar (`default`, no workload selector: every pod of the namespace): egress to
 * exactly the callees' hosts plus the shared ones, so each proxy holds clusters for what it calls,
 * not for the whole mesh, and to the service's declared external hosts (`./<host>`: the
 * ServiceEntries of its own namespace, see egress.ts). With the mesh's REGISTRY_ONLY policy,
 * nothing else is reachable.
 */
export function sidecarSpec(
    callees: readonly string[],
    mesh: Pick<MeshFacts, "istioNamespace" | "observabilityNamespace">,
    externalHosts: readonly ExternalHostSpec[] = [],
): SidecarSpec {
    return {
        egress: [
            {
                hosts: [
                    ...sharedEgressHosts(mesh),
                    ...[...callees].sort().map(calleeEgressHost),
                    ...externalEgressHosts(externalHosts),
                ],
            },
        ],
    };
}

/** A NetworkPolicy peer: the namespaces of the given names. */
function namespacesPeer(namespaces: readonly string[]): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return {
        namespaceSelector: {
            matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [...namespaces] }],
        },
    };
}

/** A named NetworkPolicy spec. */
export interface NetworkPolicySpec {
    readonly name: string;
    readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

/**
 * The namespaces admitted to the service's port: its callers' (a service caller's namespace is its
 * name) and the ingress gateway's when exposed. Sorted, without duplicates.
 */
export function admittedNamespaces(
    settings: Pick<ServiceSettings, "allowedCallers" | "exposed">,
    mesh: Pick<MeshFacts, "gatewayNamespace">,
): string[] {
    const namespaces = settings.allowedCallers.map(callerNamespace);
    if (settings.exposed) {
        namespaces.push(mesh.gatewayNamespace);
    }
    return [...new Set(namespaces)].sort();
}

/**
 * The namespace's egress fence (`allow-egress`, every pod): cluster DNS, istiod's xDS port in the
 * control plane's namespace, Jaeger's OTLP/gRPC port in the observability namespace (trace export),
 * the callees' namespaces, anything outside the VPC (the internet, through NAT) and HTTPS inside it
 * (AWS interface endpoints, the EKS API). Every other pod of the VPC is out
 * of reach, also for a process that bypasses its sidecar.
 */
function egressPolicy(
    callees: readonly string[],
    mesh: Pick<MeshFacts, "istioNamespace" | "observabilityNamespace">,
    vpcCidr: string,
    ownNamespace = false,
): NetworkPolicySpec {
    return {
        name: "allow-egress",
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        { ...namespacesPeer(["kube-system"]), podSelector: { matchLabels: { ...CLUSTER_DNS_LABELS } } },
                    ],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
                // istiod: xDS and certificates, the one port a proxy calls in the control plane's namespace.
                { to: [namespacesPeer([mesh.istioNamespace])], ports: [{ protocol: "TCP", port: ISTIOD_XDS_PORT }] },
                // Jaeger's OTLP/gRPC collector: the proxy's trace export, nothing else of the observability namespace.
                {
                    to: [
                        {
                            ...namespacesPeer([mesh.observabilityNamespace]),
                            podSelector: { matchLabels: { ...SHARED_WORKLOADS.jaeger.labels } },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: TRACE_EXPORT_PORT }],
                },
                ...(callees.length > 0 ? [{ to: [namespacesPeer([...callees].sort())] }] : []),
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [vpcCidr] } }] },
                { to: [{ ipBlock: { cidr: vpcCidr } }], ports: [{ protocol: "TCP", port: HTTPS_PORT }] },
                // An ambient namespace's waypoint reaches the service's pods in its own namespace.
                ...(ownNamespace ? [{ to: [{ podSelector: {} }] }] : []),
            ],
        },
    };
}

/** How an ambient namespace is fenced: HBONE's port, and whether a waypoint runs in it. */
export interface AmbientFence {
    readonly hbonePort: number;
    readonly waypoint: boolean;
}

/**
 * The namespace's NetworkPolicies: `default-deny-ingress` (every pod, no ingress rule), then
 * `allow-callers` (the service's port from its callers' namespaces and the gateway's when exposed,
 * with `hbonePorts` for callers that come through ztunnel; absent when nobody may call),
 * `allow-prometheus` (the sidecar's merged metrics port from Prometheus' pods in the observability
 * namespace) and `allow-egress` (see `egressPolicy`). The kubelet's probes come from the pod's own
 * node, which NetworkPolicy semantics leave open (docs/service.md).
 */
export function networkPolicySpecs(
    service: string,
    settings: Pick<ServiceSettings, "allowedCallers" | "exposed" | "port">,
    mesh: Pick<MeshFacts, "gatewayNamespace" | "istioNamespace" | "observabilityNamespace">,
    network: { readonly callees: readonly string[]; readonly vpcCidr: string },
    ambient?: AmbientFence,
    hbonePorts: readonly number[] = [],
): NetworkPolicySpec[] {
    const policies: NetworkPolicySpec[] = [
        { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
    ];
    const callers = admittedNamespaces(settings, mesh);
    if (callers.length > 0) {
        const ports = [settings.port, ...hbonePorts].map((port) => ({ protocol: "TCP", port }));
        const from = [namespacesPeer(callers)];
        if (ambient) {
            // ztunnel delivers mesh traffic to a pod over HBONE; with a waypoint, the callers reach
            // the waypoint's pods and the waypoint (a pod of the namespace) reaches the service's.
            ports.push({ protocol: "TCP", port: ambient.hbonePort });
        }
        if (ambient?.waypoint) {
            from.push({ podSelector: {} });
        }
        policies.push({
            name: "allow-callers",
            spec: {
                podSelector: ambient?.waypoint ? {} : { matchLabels: { app: service } },
                policyTypes: ["Ingress"],
                ingress: [{ from, ports }],
            },
        });
    }
    if (ambient) {
        // No sidecar agent serves merged metrics in an ambient pod: no metrics port to open.
        policies.push(egressPolicy(network.callees, mesh, network.vpcCidr, ambient.waypoint));
        return policies;
    }
    policies.push({
        name: "allow-prometheus",
        spec: {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            ...namespacesPeer([mesh.observabilityNamespace]),
                            podSelector: { matchLabels: { ...SHARED_WORKLOADS.prometheus.labels } },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: MERGED_METRICS_PORT }],
                },
            ],
        },
    });
    policies.push(egressPolicy(network.callees, mesh, network.vpcCidr));
    return policies;
}
