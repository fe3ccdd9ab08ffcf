// The namespaces a service may not take. A service's name is its namespace (components/service),
// so a service named after a namespace that Kubernetes, Istio or the common layer uses would put
// its allow-nothing policy, its default-deny NetworkPolicies and its PeerAuthentication into that
// namespace (an allow-nothing policy in istio-system is mesh-wide), and destroying the service
// would delete the namespace. The common layer's namespaces are taken from the constants the
// components name them with, so a namespace the common layer starts to use is reserved with it.
import { CERT_MANAGER } from "../certificates/specs";
import { EXTERNAL_DNS, LOAD_BALANCER_CONTROLLER } from "../cluster/specs";
import { GATEWAY_NAMESPACE, ISTIO_NAMESPACE } from "../mesh/specs";
import { METRICS_SERVER_NAMESPACE, OBSERVABILITY_NAMESPACE } from "../observability/specs";

/** What the common layer runs in each namespace it installs into (one namespace may hold several). */
const COMMON_LAYER_WORKLOADS: readonly (readonly [namespace: string, what: string])[] = [
    [ISTIO_NAMESPACE, "istiod, the mesh's root namespace"],
    [GATEWAY_NAMESPACE, "the ingress gateway and the exposed hosts' certificates"],
    [OBSERVABILITY_NAMESPACE, "Prometheus, Grafana and Jaeger"],
    [CERT_MANAGER.namespace, "cert-manager"],
    [METRICS_SERVER_NAMESPACE, "metrics-server"],
    [LOAD_BALANCER_CONTROLLER.namespace, "the AWS Load Balancer Controller"],
    [EXTERNAL_DNS.namespace, "ExternalDNS"],
];

/** Each namespace the common layer installs into, and what runs there. */
export const COMMON_LAYER_NAMESPACES: ReadonlyMap<string, string> = new Map(
    [...new Set(COMMON_LAYER_WORKLOADS.map(([ns]) => ns))].map((ns) => [
        ns,
        COMMON_LAYER_WORKLOADS.filter(([n]) => n === ns)
            .map(([, what]) => what)
            .join(", "),
    ]),
);

/** Namespace prefixes reserved by their owners: Kubernetes' `kube-*` and Istio's `istio-*`. */
export const RESERVED_NAMESPACE_PREFIXES: readonly { prefix: string; owner: string }[] = [
    {
        prefix: "kube-",
        owner: "Kubernetes reserves kube-* for its system namespaces (kube-system, kube-public, kube-node-lease)",
    },
    {
        prefix: "istio-",
        owner: "Istio's namespaces are istio-* (istio-system, istio-ingress, and those of its add-ons)",
    },
];

/** Kubernetes' own namespace, where objects without a namespace go. */
export const KUBERNETES_DEFAULT_NAMESPACE = "default";

/**
 * Why `name` is a namespace no service may take, or undefined when a service may take it. The
 * answer names who uses the namespace.
 */
export function systemNamespaceOwner(name: string): string | undefined {
    const common = COMMON_LAYER_NAMESPACES.get(name);
    if (common !== undefined) {
        return `${name} is a namespace of the common layer (${common})`;
    }
    if (name === KUBERNETES_DEFAULT_NAMESPACE) {
        return `${name} is Kubernetes' default namespace`;
    }
    const reserved = RESERVED_NAMESPACE_PREFIXES.find((r) => name.startsWith(r.prefix));
    return reserved === undefined ? undefined : `${name} is a system namespace: ${reserved.owner}`;
}

/** The names refused besides the shared layers', as messages and docs state them. */
export function systemNamespacesText(): string {
    const byPrefix = (ns: string) => RESERVED_NAMESPACE_PREFIXES.some((r) => ns.startsWith(r.prefix));
    return [
        KUBERNETES_DEFAULT_NAMESPACE,
        ...RESERVED_NAMESPACE_PREFIXES.map((r) => `${r.prefix}*`),
        ...[...COMMON_LAYER_NAMESPACES.keys()].filter((ns) => !byPrefix(ns)).sort(),
    ].join(", ");
}
