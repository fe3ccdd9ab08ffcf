/**
 * A service in Istio's ambient data plane as plain specs: what enforces its access graph and
 * routes its traffic when no sidecar runs in its pods. Pure functions of plain data, tested directly.
 *
 * Istio's ambient model (https://istio.io/latest/docs/ambient/usage/l4-policy/ and
 * .../ambient/usage/l7-features/):
 * - every pod of a namespace labelled `istio.io/dataplane-mode=ambient` is served by its node's
 *   ztunnel: mTLS over HBONE (port 15008) and the L4 AuthorizationPolicies that select the pod
 *   (principals, namespaces, ports, IP blocks);
 * - anything L7 (methods, paths, headers, JWT, remote IPs, routing) needs a waypoint: a Gateway API
 *   `Gateway` of class `istio-waypoint`, used by the namespace's services when the namespace is
 *   labelled `istio.io/use-waypoint`; L7 policies attach to it with `targetRefs`, not `selector`,
 *   and a RequestAuthentication too. Behind a waypoint, the workload's ztunnel sees the waypoint's
 *   identity, not the caller's: its L4 policy admits the waypoint;
 * - routing is a Gateway API `HTTPRoute` with the Service as parent (VirtualService is alpha with
 *   ambient); a weighted split goes to one Service per version (HTTPRoute has no subsets);
 * - EnvoyFilter is not supported on waypoints, and nothing is injected into the pods;
 * - the ingress gateway sends to a Service's waypoint only where the Service or its namespace is
 *   labelled `istio.io/ingress-use-waypoint` (otherwise to the pods, past it); sidecars never do.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { Problem } from "../problems";
import { SERVICE_DEFAULTS } from "./defaults";
import { NetworkPolicySpec, networkPolicySpecs } from "./isolation";
import {
    AuthorizationPolicySpec,
    MeshFacts,
    NamedSpec,
    RequestAuthenticationSpec,
    allowCallersPolicy,
    denySourcesPolicy,
    principalOf,
    requestAuthenticationPolicy,
    requireHeadersPolicy,
    workloadSelector,
} from "./policies";
import { ServiceSettings } from "./types";
import { DestinationRuleSpec, TRAFFIC_POLICY_DEFAULTS } from "./traffic";
import { SERVICE_PORT, podLabels, serviceHost, serviceSpec } from "./workload";

/** API version of the Gateway API's Gateway and HTTPRoute (the standard channel, v1). */
export const GATEWAY_NETWORKING_API_VERSION = "gateway.networking.k8s.io/v1";
/** The namespace label that puts its pods in the ambient data plane. */
export const AMBIENT_NAMESPACE_LABEL = "istio.io/dataplane-mode";
/** The namespace label naming the waypoint its services' traffic goes through. */
export const USE_WAYPOINT_LABEL = "istio.io/use-waypoint";
/** The waypoint's Gateway class, whose deployments istiod makes. */
export const WAYPOINT_CLASS = "istio-waypoint";
/**
 * The waypoint of a service's namespace: its Gateway's name, which istiod also gives its
 * Deployment and service account (so its principal is `<trustDomain>/ns/<namespace>/sa/waypoint`).
 */
export const WAYPOINT_NAME = "waypoint";
/** HBONE, the mTLS tunnel between ztunnels and waypoints: inbound mesh traffic reaches a pod here. */
export const HBONE_PORT = 15008;

/**
 * The namespace label that sends the ingress gateway's requests for the namespace's services to
 * their waypoint (without it istiod gives the gateway the pods, past the waypoint).
 */
export const INGRESS_USE_WAYPOINT_LABEL = "istio.io/ingress-use-waypoint";

/**
 * The namespace labels of an ambient service: the data plane, its waypoint when it has one, and,
 * when it is also exposed, the gateway sent through that waypoint (which enforces its policies).
 */
export function ambientNamespaceLabels(waypoint: boolean, exposed = false): Record<string, string> {
    return {
        [AMBIENT_NAMESPACE_LABEL]: "ambient",
        ...(waypoint ? { [USE_WAYPOINT_LABEL]: WAYPOINT_NAME } : {}),
        ...(waypoint && exposed ? { [INGRESS_USE_WAYPOINT_LABEL]: "true" } : {}),
    };
}

/**
 * Why a service needs a waypoint (the settings that only an L7 proxy can honour), in config-key
 * order; none means ztunnel alone enforces it (L4). Callers naming methods or paths, a JWT, required
 * headers, denied source IPs (matched also on the original client's, an HTTP header), more than one
 * version (a weighted split) and a timeout other than the default are L7.
 */
export function waypointReasons(s: ServiceSettings): string[] {
    const reasons: string[] = [];
    s.allowedCallers.forEach((c, i) => {
        if ((c.methods?.length ?? 0) > 0 || (c.paths?.length ?? 0) > 0) {
            reasons.push(`allowedCallers[${i}] names methods or paths`);
        }
    });
    if (s.jwt) {
        reasons.push("jwt");
    }
    if (s.requiredHeaders.length > 0) {
        reasons.push("requiredHeaders");
    }
    if (s.deniedSourceCidrs.length > 0) {
        reasons.push("deniedSourceCidrs");
    }
    if (s.versions.length > 1) {
        reasons.push("versions (a weighted split)");
    }
    if (s.timeout !== SERVICE_DEFAULTS.timeout) {
        reasons.push("timeout");
    }
    return reasons;
}

/** Whether the service needs a waypoint (`waypointReasons`). */
export function needsWaypoint(s: ServiceSettings): boolean {
    return waypointReasons(s).length > 0;
}

/** What an ambient service allows, where sidecar-only keys are refused: `<key>`, and the allowed value. */
const AMBIENT_ONLY = 'in an environment with dataPlane ambient (docs/service.md, "Ambient mode")';

/**
 * The settings an ambient service cannot honour, each with its key, value, reason and what is
 * allowed: the per-pod rate limit (an EnvoyFilter in the sidecar; EnvoyFilter is not supported on
 * waypoints), the metrics port (merged into the sidecar's endpoint; no sidecar here) and retries
 * other than Istio's default (HTTPRoute's retry field is not in the Gateway API's standard channel
 * the common layer installs).
 */
export function ambientProblems(s: ServiceSettings): Problem[] {
    const problems: Problem[] = [];
    if (s.rateLimit) {
        problems.push({
            path: "rateLimit",
            value: s.rateLimit,
            message: `a per-pod rate limit is an EnvoyFilter in each sidecar, and Istio does not support EnvoyFilter on waypoints; allowed: no rateLimit ${AMBIENT_ONLY}, or rate-limit at the caller or in the application`,
        });
    }
    if (s.metricsPort !== undefined) {
        problems.push({
            path: "metricsPort",
            value: s.metricsPort,
            message: `the application's metrics are served through the sidecar's merged endpoint, and an ambient pod has no sidecar; allowed: no metricsPort ${AMBIENT_ONLY} (ztunnel's and the waypoint's metrics are scraped by the common layer)`,
        });
    }
    if (s.retries !== SERVICE_DEFAULTS.retries) {
        problems.push({
            path: "retries",
            value: s.retries,
            message: `an HTTPRoute's retry field is not in the Gateway API's standard channel (v1.5.1) the common layer installs, so the waypoint applies Istio's default retries; allowed: ${SERVICE_DEFAULTS.retries} (the default) ${AMBIENT_ONLY}`,
        });
    }
    return problems;
}

/** A Gateway API `Gateway` spec. */
export type WaypointSpec = NonNullable<IGateway["spec"]>;

/** The waypoint of a service's namespace: class `istio-waypoint`, one HBONE listener. */
export function waypointSpec(): WaypointSpec {
    return {
        gatewayClassName: WAYPOINT_CLASS,
        listeners: [{ name: "mesh", port: HBONE_PORT, protocol: "HBONE" }],
    };
}

/**
 * The waypoint's labels: it serves the namespace's services (`istio.io/waypoint-for: service`), and
 * belongs to the mesh's revision when it runs one.
 */
export function waypointLabels(revision: string): Record<string, string> {
    return { "istio.io/waypoint-for": "service", ...(revision === "" ? {} : { "istio.io/rev": revision }) };
}

/** The waypoint's principal in a namespace: istiod runs it under a service account of its name. */
export function waypointPrincipal(trustDomain: string, namespace: string): string {
    return principalOf(trustDomain, namespace, WAYPOINT_NAME);
}

/** An AuthorizationPolicy or RequestAuthentication attached to the namespace's waypoint. */
export interface WaypointTarget {
    targetRefs: { group: string; kind: string; name: string }[];
}

/** The `targetRefs` of a policy the waypoint enforces: the waypoint's Gateway (so every Service it serves). */
export function waypointTargetRefs(): WaypointTarget["targetRefs"] {
    return [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: WAYPOINT_NAME }];
}

/** A policy spec moved from its pods' proxies to the waypoint: `targetRefs` instead of `selector`. */
function onWaypoint<T extends { selector?: unknown }>(spec: T): Omit<T, "selector"> & WaypointTarget {
    const { selector: _selector, ...rest } = spec;
    return { targetRefs: waypointTargetRefs(), ...rest };
}

/** A security object of an ambient service: its kind, its name and its spec. */
export interface AmbientPolicy {
    readonly kind: "AuthorizationPolicy" | "RequestAuthentication";
    readonly name: string;
    readonly spec: (AuthorizationPolicySpec | RequestAuthenticationSpec) & Partial<WaypointTarget>;
}

/**
 * The authorization of an ambient service beside the namespace's allow-nothing and STRICT mTLS
 * (the Service component's, for either data plane; ztunnel enforces both). Without a waypoint, `allow-callers` selects the pods (ztunnel, L4: principals and
 * namespaces). With one, the pods' L4 policy `allow-waypoint` admits the waypoint alone, and the
 * waypoint enforces the rest by `targetRefs`: its own allow-nothing, the callers' rules with their
 * methods, paths and token, the DENY policies, and JWT validation.
 */
export function ambientPolicies(service: string, s: ServiceSettings, mesh: MeshFacts): AmbientPolicy[] {
    const policies: AmbientPolicy[] = [];
    const callers = allowCallersPolicy(service, s.allowedCallers, mesh, s.exposed, s.jwt !== undefined);
    if (!needsWaypoint(s)) {
        if (callers) {
            policies.push({ kind: "AuthorizationPolicy", ...callers });
        }
        return policies;
    }
    const authz = (named: NamedSpec<AuthorizationPolicySpec> | undefined) => {
        if (named) {
            policies.push({ kind: "AuthorizationPolicy", name: named.name, spec: onWaypoint(named.spec) });
        }
    };
    policies.push({
        kind: "AuthorizationPolicy",
        name: "allow-waypoint",
        spec: {
            selector: workloadSelector(service),
            action: "ALLOW",
            rules: [{ from: [{ source: { principals: [waypointPrincipal(mesh.trustDomain, service)] } }] }],
        },
    });
    policies.push({
        kind: "AuthorizationPolicy",
        name: "waypoint-allow-nothing",
        spec: { targetRefs: waypointTargetRefs() },
    });
    authz(callers);
    authz(denySourcesPolicy(service, s.deniedSourceCidrs));
    authz(requireHeadersPolicy(service, s.requiredHeaders));
    if (s.jwt) {
        const ra = requestAuthenticationPolicy(service, s.jwt);
        policies.push({ kind: "RequestAuthentication", name: ra.name, spec: onWaypoint(ra.spec) });
    }
    return policies;
}

/** A Gateway API `HTTPRoute` spec. */
export type HttpRouteSpec = NonNullable<IHTTPRoute["spec"]>;

/** The Service of one version of a weighted split: `<service>-<version>`. */
export function versionServiceName(service: string, version: string): string {
    return `${service}-${version}`;
}

/**
 * The service's HTTPRoute (only with a waypoint, which applies it): the Service as parent, the
 * request timeout, and the versions' weights, each to its own Service when there are several.
 */
export function httpRouteSpec(service: string, s: ServiceSettings): HttpRouteSpec {
    const backendRefs =
        s.versions.length > 1
            ? s.versions.map((v) => ({
                  name: versionServiceName(service, v.name),
                  port: SERVICE_PORT,
                  weight: v.weight,
              }))
            : [{ name: service, port: SERVICE_PORT }];
    return {
        parentRefs: [{ group: "", kind: "Service", name: service, port: SERVICE_PORT }],
        rules: [{ backendRefs, timeouts: { request: s.timeout } }],
    };
}

/**
 * The route of an exposed ambient service at the ingress gateway: a VirtualService bound to the
 * gateway alone (never `mesh`: in-mesh routing is the waypoint's HTTPRoute), its public host to the
 * Service, with the request timeout. With a waypoint the gateway sends through it
 * (`istio.io/ingress-use-waypoint`), which applies the versions' weights and the policies; without
 * one (L4, a single version) it reaches the pods, whose ztunnel admits the gateway by identity.
 */
export function gatewayVirtualServiceSpec(
    host: string,
    s: ServiceSettings,
    exposure: { readonly gateway: string; readonly host: string },
): { hosts: string[]; gateways: string[]; http: unknown[] } {
    return {
        hosts: [exposure.host],
        gateways: [exposure.gateway],
        http: [{ route: [{ destination: { host, port: { number: SERVICE_PORT } } }], timeout: s.timeout }],
    };
}

/**
 * The DestinationRules a waypoint applies, one per Service its HTTPRoute sends to (the service's,
 * or each version's): the sidecar's load balancing, connection pool and outlier detection, without
 * its subsets (the route picks a version by its Service) and without `tls` (waypoint to pod is
 * HBONE, mTLS already). Each is named after its Service; `id` is that name's suffix after the
 * service's ('' for its own Service).
 */
export function waypointDestinationRules(
    service: string,
    s: ServiceSettings,
): { id: string; name: string; spec: DestinationRuleSpec }[] {
    const backends = s.versions.length > 1 ? s.versions.map((v) => versionServiceName(service, v.name)) : [service];
    return backends.map((name) => ({
        id: name.slice(service.length + 1),
        name,
        spec: {
            host: serviceHost(name, service),
            trafficPolicy: {
                loadBalancer: { simple: "LEAST_REQUEST" },
                connectionPool: TRAFFIC_POLICY_DEFAULTS.connectionPool,
                outlierDetection: TRAFFIC_POLICY_DEFAULTS.outlierDetection,
            },
        },
    }));
}

/**
 * The NetworkPolicies of an ambient service: the sidecar's, with HBONE (15008) beside the service's
 * port for its callers and without the sidecar agent's metrics port; with a waypoint, the
 * namespace's own pods (the waypoint) admitted too and reached by egress.
 */
export function ambientNetworkPolicySpecs(
    service: string,
    s: ServiceSettings,
    mesh: MeshFacts,
    network: { readonly callees: readonly string[]; readonly vpcCidr: string },
): NetworkPolicySpec[] {
    return networkPolicySpecs(service, s, mesh, network, { hbonePort: HBONE_PORT, waypoint: needsWaypoint(s) });
}

/** The Service of one version (`<service>-<version>`): the service's, selecting that version's pods. */
export function versionServiceSpec(
    service: string,
    version: string,
    s: ServiceSettings,
): k8s.types.input.core.v1.ServiceSpec {
    return { ...serviceSpec(service, s), selector: podLabels(service, version) };
}
