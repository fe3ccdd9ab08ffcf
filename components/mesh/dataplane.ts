/**
 * The data plane: how a service joins the mesh and which objects enforce its access graph. The
 * Service component, its quota check, Observability's monitors, the policy pack's mesh rules and
 * the plan's access evaluator ask the data plane here instead of assuming sidecars.
 *
 * Two strategies, chosen by mode; nothing else needs to know which one runs:
 * - `sidecar`: an Envoy proxy injected into every pod of a labelled namespace, which enforces the
 *   AuthorizationPolicies that select its pod (L4 and L7), keeps to its namespace's `Sidecar`
 *   egress, routes by VirtualService and DestinationRule, rate-limits with an EnvoyFilter, counts
 *   in the namespace's quota and is scraped at its merged metrics endpoint;
 * - `ambient`: nothing in the pods; the node's ztunnel enforces L4 policies (selector), and a
 *   waypoint, when the service needs L7, enforces the rest (`targetRefs`) and applies its
 *   HTTPRoute (../service/ambient.ts). No Sidecar, no EnvoyFilter, no overhead in the quota, no
 *   per-service monitor (ztunnel's is the common layer's).
 * Pure: specs only, nothing is created here.
 */
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { envoyPodMonitorSpec } from "../observability/specs";
import { sidecarSpec } from "../service/isolation";
import type { Problem } from "../problems";
import {
    AMBIENT_NAMESPACE_LABEL,
    GATEWAY_NETWORKING_API_VERSION,
    HBONE_PORT,
    WAYPOINT_NAME,
    ambientNamespaceLabels,
    ambientNetworkPolicySpecs,
    ambientPolicies,
    ambientProblems,
    gatewayVirtualServiceSpec,
    httpRouteSpec,
    needsWaypoint,
    versionServiceName,
    waypointDestinationRules,
    waypointLabels,
    waypointSpec,
} from "../service/ambient";
import { NetworkPolicySpec, networkPolicySpecs } from "../service/isolation";
import {
    MeshFacts,
    NamedSpec,
    SECURITY_API_VERSION,
    allowCallersPolicy,
    denySourcesPolicy,
    requestAuthenticationPolicy,
    requireHeadersPolicy,
} from "../service/policies";
import {
    ENVOY_FILTER_API_VERSION,
    Exposure,
    NETWORKING_API_VERSION,
    destinationRuleSpec,
    localRateLimitSpec,
    virtualServiceSpec,
} from "../service/traffic";
import type { ExternalHostSpec, RateLimitSpec, ServiceSettings } from "../service/types";
import { injectionLabels } from "../service/workload";
import { SIDECAR_RESOURCES } from "./specs";

/** The data-plane modes; each has its strategy in DATA_PLANES. */
export const DATA_PLANE_MODES = ["sidecar", "ambient"] as const;
export type DataPlaneMode = (typeof DATA_PLANE_MODES)[number];

/** The mode of a mesh that names none. */
export const DEFAULT_DATA_PLANE: DataPlaneMode = "sidecar";

/** A mesh object a data plane makes for a service, registered as `<service>-<id>`. */
export interface DataPlaneObject {
    /** The suffix of its logical name, after the service's name. */
    readonly id: string;
    readonly apiVersion: string;
    readonly kind: string;
    /** Its Kubernetes name, in the service's namespace. */
    readonly name: string;
    readonly spec: unknown;
    /** Labels beside the service's own. @default none */
    readonly labels?: Readonly<Record<string, string>>;
}

/** What each pod of the mesh runs beside its own containers, counted by its namespace's ResourceQuota. */
export interface PodOverhead {
    /** How messages name it: `the sidecar`. */
    readonly name: string;
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** A Prometheus monitor of the data plane's proxies: its logical name, its Kubernetes name and its spec. */
export interface ProxyMonitor {
    readonly id: string;
    readonly name: string;
    readonly spec: IPodMonitor["spec"];
}

/** How services join the mesh, and which objects enforce and route their traffic. */
export interface DataPlane {
    readonly mode: DataPlaneMode;
    /**
     * The labels of a service's namespace that make its pods join the mesh under `revision` ('' for
     * none), for a service of these settings (ambient: its waypoint, when it needs one).
     */
    namespaceLabels(revision: string, settings?: ServiceSettings): Record<string, string>;
    /**
     * Labels of the service's pod templates beside its own: a change of data plane changes them,
     * so the pods are replaced by a rollout and rejoin the mesh the new way (injection and ztunnel
     * capture are decided when a pod starts).
     */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Whether a namespace with these labels is in this data plane. */
    isMember(labels: Readonly<Record<string, string>>): boolean;
    /** What each pod runs beside its containers (counted by its quota); none for ambient. */
    readonly podOverhead?: PodOverhead;
    /**
     * How an AuthorizationPolicy reaches its workloads. `selector`: enforced by the proxy of each
     * pod it selects (L4 and L7: principals, methods, paths, headers, JWT claims). `ambient`: a
     * policy with a selector (or none) by the pods' ztunnel (L4), one with `targetRefs` by the
     * waypoint it names, never by the pods' own node.
     */
    readonly policyBinding: "selector" | "ambient";
    /**
     * Whether a caller in this data plane sends a request for a Service with a waypoint to that
     * waypoint. ztunnel does; Istio's sidecars do not (istiod gives a sidecar the Service's pods as
     * endpoints, past the waypoint), so only the pods' ztunnel judges a sidecar's request, and it
     * sees the sidecar's identity, not the waypoint's.
     */
    readonly sendsToWaypoints: boolean;
    /** The kind of object that scopes what a namespace's proxies know and reach (closed egress); none for ambient. */
    readonly egressScope?: { readonly apiVersion: string; readonly kind: string };
    /** The settings this data plane cannot honour: each key, its value, why, and what is allowed. */
    settingsProblems(settings: ServiceSettings): Problem[];
    /** The objects that close a service's egress to its callees and its external hosts. */
    egressObjects(
        callees: readonly string[],
        mesh: Pick<MeshFacts, "istioNamespace" | "observabilityNamespace">,
        externalHosts: readonly ExternalHostSpec[],
    ): DataPlaneObject[];
    /**
     * The authorization of a service beside its namespace's allow-nothing and STRICT mTLS: the
     * callers' ALLOW rules, the DENY rules, JWT validation, and what enforces them (a waypoint).
     */
    authorizationObjects(service: string, settings: ServiceSettings, mesh: MeshFacts): DataPlaneObject[];
    /** The NetworkPolicies of the service's namespace (L3/L4 default deny, the allowed peers, egress). */
    networkPolicies(
        service: string,
        settings: ServiceSettings,
        mesh: MeshFacts,
        network: { readonly callees: readonly string[]; readonly vpcCidr: string },
    ): NetworkPolicySpec[];
    /** The objects of a per-pod rate limit. */
    rateLimitObjects(service: string, limit: RateLimitSpec): DataPlaneObject[];
    /** The Services of the versions, beside the service's own (ambient's weighted split routes to them). */
    versionServices(service: string, settings: ServiceSettings): { readonly name: string; readonly version: string }[];
    /** The objects that route a service's traffic (subsets, weights, timeout, retries, the gateway's host). */
    routingObjects(
        service: string,
        host: string,
        settings: ServiceSettings,
        exposure: Exposure | undefined,
    ): DataPlaneObject[];
    /** The monitors that scrape the proxies. */
    proxyMonitors(): ProxyMonitor[];
}

/** A security object (AuthorizationPolicy, RequestAuthentication) as a data plane's object `<service>-<name>`. */
function securityObject(kind: string, named: NamedSpec<unknown> | undefined): DataPlaneObject[] {
    return named
        ? [{ id: named.name, apiVersion: SECURITY_API_VERSION, kind, name: named.name, spec: named.spec }]
        : [];
}

/** Today's data plane: an Envoy sidecar injected into every pod of the mesh's namespaces. */
export const SIDECAR_DATA_PLANE: DataPlane = {
    mode: "sidecar",
    namespaceLabels: injectionLabels,
    podLabels: {},
    isMember: (labels) => labels["istio-injection"] === "enabled" || labels["istio.io/rev"] !== undefined,
    podOverhead: { name: "the sidecar", ...SIDECAR_RESOURCES },
    policyBinding: "selector",
    sendsToWaypoints: false,
    egressScope: { apiVersion: NETWORKING_API_VERSION, kind: "Sidecar" },
    settingsProblems: () => [],
    authorizationObjects: (service, s, mesh) => [
        ...securityObject(
            "AuthorizationPolicy",
            allowCallersPolicy(service, s.allowedCallers, mesh, s.exposed, s.jwt !== undefined),
        ),
        ...securityObject("AuthorizationPolicy", denySourcesPolicy(service, s.deniedSourceCidrs)),
        ...securityObject("AuthorizationPolicy", requireHeadersPolicy(service, s.requiredHeaders)),
        ...securityObject("RequestAuthentication", s.jwt && requestAuthenticationPolicy(service, s.jwt)),
    ],
    // In an ambient environment a caller may come through ztunnel, which reaches a sidecar over HBONE.
    networkPolicies: (service, s, mesh, network) =>
        networkPolicySpecs(service, s, mesh, network, undefined, mesh.ambientCallers ? [HBONE_PORT] : []),
    versionServices: () => [],
    egressObjects: (callees, mesh, externalHosts) => [
        {
            id: "sidecar",
            apiVersion: NETWORKING_API_VERSION,
            kind: "Sidecar",
            name: "default",
            spec: sidecarSpec(callees, mesh, externalHosts),
        },
    ],
    rateLimitObjects: (service, limit) => [
        {
            id: "local-rate-limit",
            apiVersion: ENVOY_FILTER_API_VERSION,
            kind: "EnvoyFilter",
            name: "local-rate-limit",
            spec: localRateLimitSpec(service, limit),
        },
    ],
    routingObjects: (service, host, settings, exposure) => [
        {
            id: "",
            apiVersion: NETWORKING_API_VERSION,
            kind: "DestinationRule",
            name: service,
            spec: destinationRuleSpec(host, settings),
        },
        {
            id: "",
            apiVersion: NETWORKING_API_VERSION,
            kind: "VirtualService",
            name: service,
            spec: virtualServiceSpec(host, settings, exposure),
        },
    ],
    proxyMonitors: () => [{ id: "envoy-pod-monitor", name: "envoy-stats", spec: envoyPodMonitorSpec() }],
};

/**
 * The ambient data plane: the namespace labelled `istio.io/dataplane-mode=ambient`, ztunnel's L4
 * policies, and a waypoint with its `targetRefs` policies and HTTPRoute when the service needs L7
 * (../service/ambient.ts). The sidecar-only keys are refused (`settingsProblems`), so it has no
 * rate-limit object to make.
 */
export const AMBIENT_DATA_PLANE: DataPlane = {
    mode: "ambient",
    namespaceLabels: (_revision, settings) =>
        ambientNamespaceLabels(settings !== undefined && needsWaypoint(settings), settings?.exposed === true),
    podLabels: { [AMBIENT_NAMESPACE_LABEL]: "ambient" },
    isMember: (labels) => labels["istio.io/dataplane-mode"] === "ambient",
    policyBinding: "ambient",
    sendsToWaypoints: true,
    settingsProblems: ambientProblems,
    egressObjects: () => [],
    authorizationObjects: (service, s, mesh) => [
        ...(needsWaypoint(s)
            ? [
                  {
                      id: WAYPOINT_NAME,
                      apiVersion: GATEWAY_NETWORKING_API_VERSION,
                      kind: "Gateway",
                      name: WAYPOINT_NAME,
                      spec: waypointSpec(),
                      labels: waypointLabels(mesh.revision),
                  },
              ]
            : []),
        ...ambientPolicies(service, s, mesh).flatMap((p) => securityObject(p.kind, p)),
    ],
    networkPolicies: ambientNetworkPolicySpecs,
    rateLimitObjects: () => [],
    versionServices: (service, s) =>
        s.versions.length > 1
            ? s.versions.map((v) => ({ name: versionServiceName(service, v.name), version: v.name }))
            : [],
    // Only a waypoint routes and applies traffic policies: ztunnel alone has neither. An exposed
    // service also has the gateway's route to it (a VirtualService bound to the gateway alone).
    routingObjects: (service, host, s, exposure) => [
        ...(needsWaypoint(s)
            ? [
                  {
                      id: "",
                      apiVersion: GATEWAY_NETWORKING_API_VERSION,
                      kind: "HTTPRoute",
                      name: service,
                      spec: httpRouteSpec(service, s),
                  },
                  ...waypointDestinationRules(service, s).map((d) => ({
                      id: d.id,
                      apiVersion: NETWORKING_API_VERSION,
                      kind: "DestinationRule",
                      name: d.name,
                      spec: d.spec,
                  })),
              ]
            : []),
        ...(exposure
            ? [
                  {
                      id: "",
                      apiVersion: NETWORKING_API_VERSION,
                      kind: "VirtualService",
                      name: service,
                      spec: gatewayVirtualServiceSpec(host, s, exposure),
                  },
              ]
            : []),
    ],
    proxyMonitors: () => [],
};

/** Every data plane, by mode. */
export const DATA_PLANES: Readonly<Record<DataPlaneMode, DataPlane>> = {
    sidecar: SIDECAR_DATA_PLANE,
    ambient: AMBIENT_DATA_PLANE,
};

/** The data plane of a mode (the default one when none is given). */
export function dataPlaneOf(mode: DataPlaneMode = DEFAULT_DATA_PLANE): DataPlane {
    return DATA_PLANES[mode];
}

/** The data plane a namespace is in, from its labels; the default one when none claims it. */
export function dataPlaneOfNamespace(labels: Readonly<Record<string, string>>): DataPlane {
    return Object.values(DATA_PLANES).find((plane) => plane.isMember(labels)) ?? dataPlaneOf();
}
