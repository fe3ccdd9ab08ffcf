/**
 * The zero-trust policies of a service as plain Istio specs (security.istio.io/v1): default deny,
 * STRICT mTLS, allow rules by principal or namespace, DENY rules and JWT. Pure functions of plain
 * data, with stable key order, tested directly.
 * See https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
import type { DataPlaneMode } from "../mesh/dataplane";
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import type { IRequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication";
import { CallerRule, JwtSpec } from "./types";

/** API version of AuthorizationPolicy, PeerAuthentication and RequestAuthentication. */
export const SECURITY_API_VERSION = "security.istio.io/v1";

/** What a service needs to know about the environment's mesh (from the common layer's outputs). */
export interface MeshFacts {
    /** The mesh's trust domain, e.g. `cluster.local`. */
    readonly trustDomain: string;
    /** The control plane's revision; empty when installed without one. */
    readonly revision: string;
    /** Namespace of the ingress gateway. */
    readonly gatewayNamespace: string;
    /**
     * Name of the ingress gateway: its Service, its `istio` pod label and — as the gateway Helm
     * chart names it after the release — its service account.
     */
    readonly gatewayName: string;
    /** The control plane's namespace (istiod): every proxy's Sidecar keeps it in scope. */
    readonly istioNamespace: string;
    /** Namespace of Prometheus and the tracing collector: in every Sidecar's scope, admitted to the merged metrics port. */
    readonly observabilityNamespace: string;
    /** How the mesh's pods join it and enforce its policies (components/mesh/dataplane.ts). @default "sidecar" */
    readonly dataPlane?: DataPlaneMode;
    /**
     * Whether the environment runs ztunnel (its data plane is ambient) while this service keeps
     * sidecars: callers in ambient then reach the service's pods over HBONE (port 15008), which its
     * NetworkPolicy admits from its callers' namespaces beside its own port. @default false
     */
    readonly ambientCallers?: boolean;
}

/** The SPIFFE-style principal of a service account: `<trustDomain>/ns/<namespace>/sa/<account>`. */
export function principalOf(trustDomain: string, namespace: string, serviceAccount: string): string {
    return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The ingress gateway's principal. */
export function gatewayPrincipal(mesh: MeshFacts): string {
    return principalOf(mesh.trustDomain, mesh.gatewayNamespace, mesh.gatewayName);
}

/** The pod labels a service's policies select: `app: <service>`. */
export function workloadSelector(service: string): { matchLabels: Record<string, string> } {
    return { matchLabels: { app: service } };
}

// The security specs are typed with the Istio models (@kubernetes-models/istio, generated from
// Istio's CRDs; type-only imports): a misspelt field or enum value fails tsc.
// The model's spec is a union (one member per CUSTOM-provider form), under which tsc does not
// check nested fields: the spec and rule types below are assembled from the model's parts instead.
type ModelSpec = NonNullable<IAuthorizationPolicy["spec"]>;
type ModelRule = NonNullable<ModelSpec["rules"]>[number];
/** A rule's source (who calls) and operation (what it asks). */
export type AuthorizationSource = NonNullable<NonNullable<ModelRule["from"]>[number]["source"]>;
export type AuthorizationOperation = NonNullable<NonNullable<ModelRule["to"]>[number]["operation"]>;
/** A rule's condition on an attribute. */
export type AuthorizationCondition = NonNullable<ModelRule["when"]>[number];

/** One `rules[]` entry of an AuthorizationPolicy. */
export interface AuthorizationRule {
    from?: { source: AuthorizationSource }[];
    to?: { operation: AuthorizationOperation }[];
    when?: AuthorizationCondition[];
}

/** An AuthorizationPolicy spec (ALLOW or DENY, no CUSTOM provider); `{}` is allow-nothing. */
export interface AuthorizationPolicySpec {
    selector?: ModelSpec["selector"];
    action?: ModelSpec["action"];
    rules?: AuthorizationRule[];
}

/** A named policy object: metadata name plus spec. */
export interface NamedSpec<T> {
    readonly name: string;
    readonly spec: T;
}

/**
 * The allow-nothing policy: an empty spec in the namespace. It selects every workload there and
 * matches no request, so anything not allowed by another ALLOW policy is refused.
 */
export function allowNothingPolicy(): NamedSpec<AuthorizationPolicySpec> {
    return { name: "allow-nothing", spec: {} };
}

export type PeerAuthenticationSpec = NonNullable<IPeerAuthentication["spec"]>;

/** The namespace's PeerAuthentication: STRICT mTLS (no plain text into the namespace). */
export function strictPeerAuthentication(): NamedSpec<PeerAuthenticationSpec> {
    return { name: "default", spec: { mtls: { mode: "STRICT" } } };
}

/** The `to` part of a caller rule, or undefined when it allows any method and path. */
function operationOf(methods?: readonly string[], paths?: readonly string[]): AuthorizationRule["to"] {
    const operation: AuthorizationOperation = {};
    if (methods && methods.length > 0) {
        operation.methods = [...methods];
    }
    if (paths && paths.length > 0) {
        operation.paths = [...paths];
    }
    return Object.keys(operation).length > 0 ? [{ operation }] : undefined;
}

/** The rule of one caller: by principal (a service) or by namespace, with its methods and paths. */
export function callerRule(caller: CallerRule, trustDomain: string): AuthorizationRule {
    const source: AuthorizationSource =
        caller.service !== undefined
            ? { principals: [principalOf(trustDomain, caller.service, caller.service)] }
            : { namespaces: [caller.namespace ?? ""] };
    const rule: AuthorizationRule = { from: [{ source }] };
    const to = operationOf(caller.methods, caller.paths);
    if (to) {
        rule.to = to;
    }
    return rule;
}

/**
 * The ALLOW policy of a service: one rule per configured caller, plus the ingress gateway's
 * principal when the service is exposed. Undefined when nobody may call (allow-nothing stays alone).
 *
 * With `requireToken` (the service validates JWTs) every source also requires a request principal
 * (`requestPrincipals: ["*"]`): ALLOW policies are the only ones that admit, so a request without a
 * valid token matches none. Istio recommends this over a DENY on `notRequestPrincipals`, whose
 * HTTP-only rule would also deny every TCP connection to the workload (istioctl IST0133).
 */
export function allowCallersPolicy(
    service: string,
    callers: readonly CallerRule[],
    mesh: MeshFacts,
    exposed: boolean,
    requireToken: boolean,
): NamedSpec<AuthorizationPolicySpec> | undefined {
    const rules = callers.map((c) => callerRule(c, mesh.trustDomain));
    if (exposed) {
        rules.push({ from: [{ source: { principals: [gatewayPrincipal(mesh)] } }] });
    }
    if (rules.length === 0) {
        return undefined;
    }
    if (requireToken) {
        for (const rule of rules) {
            for (const from of rule.from ?? []) {
                from.source.requestPrincipals = ["*"];
            }
        }
    }
    return { name: "allow-callers", spec: { selector: workloadSelector(service), action: "ALLOW", rules } };
}

/**
 * DENY policy refusing requests from the given source IP blocks (seed 002: blocking addresses):
 * by the direct peer's address (`ipBlocks`) or by the original client's (`remoteIpBlocks`, from
 * X-Forwarded-For once the gateway trusts its proxies), whichever matches.
 */
export function denySourcesPolicy(
    service: string,
    cidrs: readonly string[],
): NamedSpec<AuthorizationPolicySpec> | undefined {
    if (cidrs.length === 0) {
        return undefined;
    }
    return {
        name: "deny-source-ips",
        spec: {
            selector: workloadSelector(service),
            action: "DENY",
            rules: [{ from: [{ source: { ipBlocks: [...cidrs] } }, { source: { remoteIpBlocks: [...cidrs] } }] }],
        },
    };
}

/**
 * DENY policy refusing a request that lacks any of the headers (seed 002: requiring headers).
 * One rule per header: `notValues: ["*"]` matches when the header is absent.
 */
export function requireHeadersPolicy(
    service: string,
    headers: readonly string[],
): NamedSpec<AuthorizationPolicySpec> | undefined {
    if (headers.length === 0) {
        return undefined;
    }
    return {
        name: "deny-missing-headers",
        spec: {
            selector: workloadSelector(service),
            action: "DENY",
            rules: headers.map((h): AuthorizationRule => ({
                when: [{ key: `request.headers[${h}]`, notValues: ["*"] }],
            })),
        },
    };
}

/** A RequestAuthentication spec. */
export type RequestAuthenticationSpec = NonNullable<IRequestAuthentication["spec"]>;
type JwtRule = NonNullable<RequestAuthenticationSpec["jwtRules"]>[number];

/**
 * The RequestAuthentication that validates end-user tokens of the issuer. Alone it lets a request
 * without a token through (Istio checks a token only when one is sent): `allowCallersPolicy` with
 * `requireToken` pairs it, every ALLOW rule then requiring a request principal.
 */
export function requestAuthenticationPolicy(service: string, jwt: JwtSpec): NamedSpec<RequestAuthenticationSpec> {
    const rule: JwtRule = { issuer: jwt.issuer, jwksUri: jwt.jwksUri, forwardOriginalToken: true };
    if (jwt.audiences && jwt.audiences.length > 0) {
        rule.audiences = [...jwt.audiences];
    }
    return { name: "jwt", spec: { selector: workloadSelector(service), jwtRules: [rule] } };
}
