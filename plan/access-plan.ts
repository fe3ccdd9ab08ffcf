// The environment's access matrix: who can call whom, computed by the pure evaluator of
// plan/authorization.ts from the AuthorizationPolicy manifests recorded in the plan (not
// from the config), so it checks what would really be deployed. Written by `npm run plan -- --env`.
import * as fs from "fs";
import * as path from "path";
import { isStackOfEnvironment, layerOfStackName, serviceOfStackName, serviceStackName } from "../layers/layering";
import {
    DATA_PLANE_MODES,
    DataPlane,
    DataPlaneMode,
    dataPlaneOf,
    dataPlaneOfNamespace,
} from "../components/mesh/dataplane";
import { principalOf } from "../components/service/policies";
import { INGRESS_USE_WAYPOINT_LABEL, USE_WAYPOINT_LABEL, waypointReasons } from "../components/service/ambient";
import { parseEngineConfig } from "../infra/config";
import type { ServiceConfig } from "../layers/service/config";
import {
    Decision,
    PATH_TEMPLATE,
    PolicyBinding,
    PolicyManifest,
    Request,
    Workload,
    accessEvaluator,
    applies,
    checkPolicies,
} from "./authorization";
import { PROJECT } from "./evaluate";
import { StackPlan } from "./plan";
import { RecordedResource } from "./recorder";
import { ROOT, readStackConfig, stacksOfEnvironment } from "./stack-config";
import { readServiceStackFiles } from "../infra/environment";
import { OBSERVABILITY_NAMESPACE, SharedWorkload } from "../components/observability/specs";
import { sharedPrincipal } from "../components/observability/fence";
import {
    Pod,
    SHARED_PROBES,
    SHARED_TARGETS,
    networkPolicyVerdict,
    sharedPod,
    sharedPort,
    sharedTargetName,
} from "./shared-access";

/** The mesh facts the matrix needs: the trust domain, the root namespace and the ingress gateway. */
export interface AccessMesh {
    readonly trustDomain: string;
    readonly rootNamespace: string;
    readonly gatewayNamespace: string;
    /** The gateway's name, also its service account (the gateway Helm chart names both after the release). */
    readonly gatewayName: string;
    /**
     * What sidecars do with a host outside their registry: istiod's meshConfig.outboundTrafficPolicy.
     * @default "REGISTRY_ONLY" (closed egress, the platform's intended default)
     */
    readonly outboundTrafficPolicy?: OutboundMode;
    /**
     * The environment's data plane (the common stack's `dataPlane`): the outsider's, a workload of
     * the `default` namespace. @default "sidecar"
     */
    readonly dataPlane?: DataPlaneMode;
}

/** The two outbound traffic policies of Istio's mesh config. */
export type OutboundMode = "ALLOW_ANY" | "REGISTRY_ONLY";

/** One request of a service to a host outside the mesh, and whether its sidecar lets it out. */
export interface OutboundRow {
    readonly from: string;
    readonly host: string;
    readonly port: number;
    /** The protocol a ServiceEntry of the service's namespace declares for the port, or `undeclared`. */
    readonly protocol: string;
    readonly allowed: boolean;
    /** What decided: the ServiceEntry and the Sidecar, or why the sidecar refuses (or passes) it. */
    readonly reason: string;
}

/** The host every service is tried on that nobody declares: reachable only with ALLOW_ANY. */
export const UNDECLARED_HOST = "undeclared.example.com";

/** One row of the matrix. */
export interface AccessRow {
    readonly from: string;
    readonly to: string;
    readonly method: string;
    readonly path: string;
    /** Whether the caller presented a valid end-user JWT (of an issuer the target accepts). */
    readonly token: boolean;
    /** The token's issuer, on rows with a token: one row per issuer the target accepts. */
    readonly issuer?: string;
    readonly allowed: boolean;
    /** The policy that decided, e.g. `ALLOW backend/allow-callers`. */
    readonly reason: string;
}

/** One allowed edge of the matrix, summarised from the rules that admitted it, as written. */
export interface AccessEdge {
    readonly from: string;
    readonly to: string;
    /** The token's issuer when the edge needs one. */
    readonly issuer?: string;
    /** Each admitting rule: `<policy> rules[i]: <methods> on <paths>`, or why no rule was needed. */
    readonly rules: string[];
    /** The namespaces of a namespace-wide rule that admitted it (any workload there may call). */
    readonly namespaceWide: string[];
}

/** The name of the outsider caller: any pod of the `default` namespace with the `default` account. */
export const OUTSIDER = "outsider";
/** The name of the ingress gateway caller. */
export const GATEWAY = "ingress-gateway";
/** The methods tried on every path (with any other method a rule names). */
export const PROBE_METHODS = ["GET", "POST", "PUT", "DELETE"] as const;
/** The subject of the end-user token tried (the oracle uses the same). */
export const PROBE_SUBJECT = "end-user";

/**
 * The caller tried for a namespace-wide rule (`namespaces: [ns]`): another workload of that
 * namespace, with the namespace's `default` service account (not the service's own).
 */
export function namespaceCaller(namespace: string): string {
    return `other-in-${namespace}`;
}

/** A planned service, as the matrix sees it. */
interface PlannedService {
    readonly name: string;
    readonly namespace: string;
    readonly principal: string;
    /** One workload per version (its Deployment's pod labels). */
    readonly workloads: Workload[];
    /** Issuers its RequestAuthentications accept. */
    readonly issuers: string[];
    /** The data plane its namespace is in: how its policies bind and what scopes its egress. */
    readonly plane: DataPlane;
    /** The waypoint its namespace's traffic goes through (ambient, `istio.io/use-waypoint`), if any. */
    readonly waypoint?: string;
    /** Whether the ingress gateway goes through that waypoint too (`istio.io/ingress-use-waypoint`). */
    readonly ingressUsesWaypoint?: boolean;
}

function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

/** The services of planned service stacks: namespace, principal, workloads and JWT issuers. */
function plannedServices(plans: readonly StackPlan[]): PlannedService[] {
    return plans
        .filter((p) => p.layer === "service")
        .map((p) => {
            const resources = p.evaluation.resources;
            const outputs = p.evaluation.rawOutputs as Record<string, string>;
            const workloads = ofType(resources, "kubernetes:apps/v1:Deployment").map((d) => {
                const inputs = d.inputs as {
                    metadata: { namespace: string };
                    spec: { template: { metadata: { labels: Record<string, string> } } };
                };
                return { namespace: inputs.metadata.namespace, labels: inputs.spec.template.metadata.labels };
            });
            const issuers = ofType(resources, "kubernetes:security.istio.io/v1:RequestAuthentication").flatMap((r) =>
                ((r.inputs.spec as { jwtRules?: { issuer: string }[] }).jwtRules ?? []).map((j) => j.issuer),
            );
            const namespace = ofType(resources, "kubernetes:core/v1:Namespace")
                .map((r) => (r.inputs as { metadata: { name: string; labels?: Record<string, string> } }).metadata)
                .find((md) => md.name === outputs.namespace);
            return {
                name: serviceOfStackName(p.config.stack),
                namespace: outputs.namespace,
                principal: outputs.principal,
                workloads,
                issuers: [...new Set(issuers)],
                plane: dataPlaneOfNamespace(namespace?.labels ?? {}),
                ...(namespace?.labels?.[USE_WAYPOINT_LABEL] === undefined
                    ? {}
                    : { waypoint: namespace.labels[USE_WAYPOINT_LABEL] }),
                ...(namespace?.labels?.[INGRESS_USE_WAYPOINT_LABEL] === "true" ? { ingressUsesWaypoint: true } : {}),
            };
        });
}

/** Every AuthorizationPolicy manifest of the planned stacks. */
export function authorizationPolicies(plans: readonly StackPlan[]): PolicyManifest[] {
    return plans.flatMap((p) =>
        ofType(p.evaluation.resources, "kubernetes:security.istio.io/v1:AuthorizationPolicy").map(
            (r) => r.inputs as unknown as PolicyManifest,
        ),
    );
}

type Rule = NonNullable<NonNullable<PolicyManifest["spec"]>["rules"]>[number];

/** The rules of the policies that apply to any of the service's workloads, as its data plane binds them. */
function rulesOf(
    policies: readonly PolicyManifest[],
    target: Pick<Target, "workloads" | "binding">,
    rootNamespace: string,
): Rule[] {
    return policies
        .filter((p) => target.workloads.some((w) => applies(target.binding, p, w, rootNamespace)))
        .flatMap((p) => p.spec?.rules ?? []);
}

/**
 * Paths at the boundary of a `paths` value: one it matches and one just outside it. `/api/*`:
 * `/api/example` and `/api`; `*.json`: `/example.json` and `/example.jso`; `/charge`: `/charge`
 * and `/charge/`; `/api/{*}`: `/api/example` and `/api/a/b`; `/files/{**}`: `/files/a/b`,
 * `/files/` and `/files`.
 */
export function boundaryPaths(pattern: string): string[] {
    if (pattern === "*") {
        return ["/"];
    }
    if (PATH_TEMPLATE.test(pattern)) {
        const fill = (one: string, any: string) => pattern.replace(/\{\*\*\}/g, any).replace(/\{\*\}/g, one);
        const out = [fill("example", "a/b")];
        if (pattern.includes("{**}")) {
            out.push(fill("example", ""), fill("example", "").replace(/\/$/, "") || "/x");
        } else {
            out.push(pattern.replace("{*}", "a/b").replace(/\{\*\}/g, "example"));
        }
        return out;
    }
    if (pattern.startsWith("*")) {
        const suffix = pattern.slice(1);
        return [`/example${suffix}`, `/example${suffix.slice(0, -1)}`];
    }
    if (pattern.endsWith("*")) {
        const prefix = pattern.slice(0, -1);
        const inside = `${prefix.replace(/\/?$/, "/")}example`;
        return prefix.length > 1 ? [inside, prefix.slice(0, -1)] : [inside];
    }
    const outside = pattern.endsWith("/") ? pattern.slice(0, -1) : `${pattern}/`;
    return outside === "" ? [pattern] : [pattern, outside];
}

/** The paths to try on a service: `/` and the boundary of each path its policies' rules name. */
function probePaths(rules: readonly Rule[]): string[] {
    const paths = new Set<string>(["/"]);
    for (const t of rules.flatMap((r) => r.to ?? [])) {
        for (const pattern of [...(t.operation?.paths ?? []), ...(t.operation?.notPaths ?? [])]) {
            boundaryPaths(pattern).forEach((p) => paths.add(p));
        }
    }
    return [...paths].sort();
}

/** The methods to try on a service: GET, POST, PUT, DELETE and any other (literal) method its rules name. */
function probeMethods(rules: readonly Rule[]): string[] {
    const named = rules
        .flatMap((r) => r.to ?? [])
        .flatMap((t) => [...(t.operation?.methods ?? []), ...(t.operation?.notMethods ?? [])]);
    const extra = [
        ...new Set(named.filter((m) => !m.includes("*") && !(PROBE_METHODS as readonly string[]).includes(m))),
    ].sort();
    return [...PROBE_METHODS, ...extra];
}

/** The exact namespaces the rules name in `namespaces` (each gets a caller of its own). */
function namespacesNamed(rules: readonly Rule[]): string[] {
    const named = rules.flatMap((r) => r.from ?? []).flatMap((f) => f.source?.namespaces ?? []);
    return [...new Set(named.filter((n) => !n.includes("*")))].sort();
}

/** A rule's `to`, as written: `GET, POST on /api/*`; `any method on any path` without one (or with empty lists). */
function describeRule(rule: Rule): string {
    const list = (op: Record<string, readonly string[]>, field: string, noun: string) => {
        const not = op[`not${field[0].toUpperCase()}${field.slice(1)}`] ?? [];
        return op[field]?.length
            ? op[field].join(", ")
            : not.length
              ? `any ${noun} but ${not.join(", ")}`
              : `any ${noun}`;
    };
    const operations = rule.to?.length ? rule.to.map((t) => t.operation ?? {}) : [{}];
    return [
        ...new Set(operations.map((op) => `${list(op, "methods", "method")} on ${list(op, "paths", "path")}`)),
    ].join(" | ");
}

interface Caller {
    readonly name: string;
    readonly principal: string;
    readonly issuer?: string;
    /** The caller's pod, where NetworkPolicies decide too (the shared workloads' rows). */
    readonly pod?: Pod;
    /**
     * Whether its request for a Service with a waypoint goes to that waypoint (its data plane's
     * `sendsToWaypoints`). The ingress gateway's does only where the namespace is labelled
     * `istio.io/ingress-use-waypoint` (an exposed service behind a waypoint).
     */
    readonly sendsToWaypoints: boolean;
}

/** A target of the matrix: a planned service, or a shared workload of the observability namespace. */
interface Target {
    readonly name: string;
    readonly namespace: string;
    readonly workloads: Workload[];
    readonly issuers: string[];
    /** How its policies bind to its workloads. */
    readonly binding: PolicyBinding;
    /** Paths tried besides `/` and its rules' boundaries. */
    readonly probes: readonly string[];
    /** The shared workload it is, for a shared target. */
    readonly shared?: SharedWorkload;
    /**
     * For an ambient target behind a waypoint: the waypoint's principal, which its pods' ztunnel
     * sees instead of the caller's (the waypoint's policies judge the caller: `binding` waypoint).
     */
    readonly waypointPrincipal?: string;
    /** Whether the ingress gateway's requests go through its waypoint (`istio.io/ingress-use-waypoint`). */
    readonly ingressUsesWaypoint?: boolean;
}

/** The matrix and its allowed edges. */
export interface AccessPlan {
    readonly rows: AccessRow[];
    readonly edges: AccessEdge[];
    /** Each service's requests to external hosts (closed egress). @default [] */
    readonly outbound?: OutboundRow[];
}

/** The egress scope of a namespace's proxies (a Sidecar), as recorded in the plan. */
interface EgressScopeManifest {
    readonly metadata: { namespace: string };
    readonly spec: { egress?: { hosts: string[] }[] };
}

interface ServiceEntryManifest {
    readonly metadata: { name: string; namespace: string };
    readonly spec: { hosts?: string[]; exportTo?: string[]; ports?: { number: number; protocol: string }[] };
}

/** Whether a ServiceEntry of `entryNamespace` is visible in `namespace` (exportTo; all namespaces when unset). */
function exportedTo(entry: ServiceEntryManifest, namespace: string): boolean {
    const exportTo = entry.spec.exportTo ?? ["*"];
    return exportTo.some((e) => e === "*" || (e === "." && entry.metadata.namespace === namespace) || e === namespace);
}

/**
 * Whether a Sidecar egress host (`<namespace>/<dnsName>`: namespace `.`, `*` or a name; dnsName
 * exact, `*` or `*.<suffix>`) lets a proxy of `namespace` reach `host` declared in `hostNamespace`.
 * See https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener
 */
export function egressHostMatches(entry: string, namespace: string, host: string, hostNamespace: string): boolean {
    const [ns, name] = entry.includes("/")
        ? [entry.slice(0, entry.indexOf("/")), entry.slice(entry.indexOf("/") + 1)]
        : ["*", entry];
    const nsOk = ns === "*" || (ns === "." && hostNamespace === namespace) || ns === hostNamespace;
    const nameOk = name === "*" || name === host || (name.startsWith("*.") && host.endsWith(name.slice(1)));
    return nsOk && nameOk;
}

/**
 * Each planned service's outbound requests: every host and port a ServiceEntry of the environment
 * declares, each declared host on a port it does not declare, and UNDECLARED_HOST. A request
 * leaves the sidecar when a ServiceEntry visible in the service's namespace declares the host and
 * port and the namespace's Sidecar egress lists the host; with ALLOW_ANY anything else passes
 * through too, with REGISTRY_ONLY it is refused.
 */
export function outboundRows(plans: readonly StackPlan[], mode: OutboundMode): OutboundRow[] {
    const services = plannedServices(plans);
    const entries = plans.flatMap((p) =>
        ofType(p.evaluation.resources, "kubernetes:networking.istio.io/v1:ServiceEntry").map(
            (r) => r.inputs as unknown as ServiceEntryManifest,
        ),
    );
    const resources = plans.flatMap((p) => p.evaluation.resources);
    const declared = entries.flatMap((e) =>
        (e.spec.hosts ?? []).flatMap((host) => (e.spec.ports ?? []).map((port) => ({ host, port: port.number }))),
    );
    const probes = new Map<string, { host: string; port: number }>();
    const probe = (host: string, port: number) => probes.set(`${host}:${port}`, { host, port });
    declared.forEach((d) => probe(d.host, d.port));
    for (const host of new Set(declared.map((d) => d.host))) {
        const ports = declared.filter((d) => d.host === host).map((d) => d.port);
        const other = [443, 80, 8443].find((p) => !ports.includes(p));
        if (other !== undefined) {
            probe(host, other);
        }
    }
    probe(UNDECLARED_HOST, 443);
    const sorted = [...probes.values()].sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
    const rows: OutboundRow[] = [];
    for (const service of services) {
        // The objects that scope the namespace's egress, as its data plane has them (the Sidecar);
        // none in ambient mode, which the matrix does not model.
        if (service.plane.egressScope === undefined) {
            continue;
        }
        const { apiVersion, kind } = service.plane.egressScope;
        const egress = ofType(resources, `kubernetes:${apiVersion}:${kind}`)
            .map((r) => r.inputs as unknown as EgressScopeManifest)
            .filter((s) => s.metadata.namespace === service.namespace)
            .flatMap((s) => (s.spec.egress ?? []).flatMap((e) => e.hosts));
        for (const { host, port } of sorted) {
            const entry = entries.find(
                (e) =>
                    exportedTo(e, service.namespace) &&
                    (e.spec.hosts ?? []).includes(host) &&
                    (e.spec.ports ?? []).some((p) => p.number === port),
            );
            const listed =
                entry !== undefined &&
                egress.some((h) => egressHostMatches(h, service.namespace, host, entry.metadata.namespace));
            const protocol = entry?.spec.ports?.find((p) => p.number === port)?.protocol ?? "undeclared";
            let reason: string;
            if (entry && listed) {
                reason = `ServiceEntry ${entry.metadata.namespace}/${entry.metadata.name} and Sidecar ${service.namespace} egress`;
            } else if (mode === "ALLOW_ANY") {
                reason = `ALLOW_ANY: the sidecar passes a host outside its registry through`;
            } else if (entry) {
                reason = `REGISTRY_ONLY: ServiceEntry ${entry.metadata.namespace}/${entry.metadata.name} declares it, but the Sidecar of ${service.namespace} does not list it`;
            } else {
                reason = `REGISTRY_ONLY: no ServiceEntry visible in ${service.namespace} declares ${host}:${port}`;
            }
            rows.push({
                from: service.name,
                host,
                port,
                protocol,
                allowed: (entry !== undefined && listed) || mode === "ALLOW_ANY",
                reason,
            });
        }
    }
    return rows;
}

/**
 * The verdict on a request to an ambient workload behind a waypoint: the waypoint enforces its
 * policies (`targetRefs`) on the caller's request; what it admits it forwards, and the pod's
 * ztunnel then sees the waypoint's principal (its selector policies: `allow-waypoint`). Both must
 * admit it.
 */
function throughWaypoint(
    waypoint: (request: Request) => Decision,
    ztunnel: (request: Request) => Decision,
    waypointPrincipal: string,
): (request: Request) => Decision {
    return (request) => {
        const atWaypoint = waypoint(request);
        if (!atWaypoint.allowed) {
            return { ...atWaypoint, reason: `waypoint: ${atWaypoint.reason}` };
        }
        const atPod = ztunnel({ ...request, principal: waypointPrincipal, token: undefined });
        if (!atPod.allowed) {
            return { allowed: false, reason: `ztunnel, from the waypoint: ${atPod.reason}` };
        }
        return { ...atWaypoint, reason: `waypoint: ${atWaypoint.reason}; ztunnel: ${atPod.reason}` };
    };
}

/**
 * The access matrix of planned service stacks: every service, the ingress gateway (without a
 * token, and with a valid token of each issuer the target accepts), the outsider and, for each
 * namespace-wide rule, another workload of that namespace, against every service, with each probe
 * method and the boundary paths of its rules. Fails, naming them, on policies Istio refuses.
 */
export function accessPlan(plans: readonly StackPlan[], mesh: AccessMesh): AccessPlan {
    const services = plannedServices(plans);
    const policies = authorizationPolicies(plans);
    checkPolicies(policies);
    const gateway = principalOf(mesh.trustDomain, mesh.gatewayNamespace, mesh.gatewayName);
    const rows: AccessRow[] = [];
    const edges = new Map<
        string,
        { from: string; to: string; issuer?: string; rules: Set<string>; namespaceWide: Set<string> }
    >();
    // The pods of the callers, for the shared workloads' NetworkPolicies (plan/shared-access.ts).
    const gatewayPod: Pod = { namespace: mesh.gatewayNamespace, labels: { istio: mesh.gatewayName } };
    const outsiderPod: Pod = { namespace: "default", labels: {} };
    const sharedCallers = SHARED_TARGETS.map((w) => ({
        name: sharedTargetName(w),
        principal: sharedPrincipal(mesh.trustDomain, w),
        pod: sharedPod(w),
    }));
    const targets: Target[] = [
        ...services.map((s) =>
            // Behind a waypoint (ambient, L7): the waypoint judges the caller, then the pods' ztunnel the waypoint.
            s.plane.policyBinding === "ambient" && s.waypoint !== undefined
                ? {
                      ...s,
                      binding: "waypoint" as const,
                      probes: [],
                      waypointPrincipal: principalOf(mesh.trustDomain, s.namespace, s.waypoint),
                  }
                : { ...s, binding: s.plane.policyBinding, probes: [] },
        ),
        // The shared workloads, where the plan fences them (the common stack's policies in their namespace).
        ...(policies.some((p) => p.metadata.namespace === OBSERVABILITY_NAMESPACE) ? SHARED_TARGETS : []).map((w) => ({
            name: sharedTargetName(w),
            namespace: OBSERVABILITY_NAMESPACE,
            workloads: [sharedPod(w)],
            issuers: [],
            binding: "selector" as const,
            probes: SHARED_PROBES[w],
            shared: w,
        })),
    ];
    for (const target of targets) {
        // Only a policy of the target's namespace or of the root namespace can apply to its workloads.
        const candidates = policies.filter(
            (p) => p.metadata.namespace === target.namespace || p.metadata.namespace === mesh.rootNamespace,
        );
        const rules = rulesOf(candidates, target, mesh.rootNamespace);
        // The policies that apply to each workload (as its data plane binds them), picked and checked
        // once for every request to it.
        const evaluate = (w: Workload, binding: PolicyBinding) =>
            accessEvaluator(candidates, w, mesh.rootNamespace, mesh.trustDomain, binding);
        // Behind a waypoint: one waypoint for the namespace, judged once, before each pod's ztunnel.
        const { waypointPrincipal } = target;
        const [first] = target.workloads;
        const waypoint =
            waypointPrincipal === undefined || first === undefined ? undefined : evaluate(first, "waypoint");
        // A caller whose data plane sends to the waypoint meets it first; any other caller (a
        // sidecar, the gateway) reaches the pods directly, where ztunnel judges its own identity.
        const direct = target.workloads.map((w) =>
            evaluate(w, target.binding === "waypoint" ? "ambient" : target.binding),
        );
        const viaWaypoint = target.workloads.map((w, i) =>
            waypoint === undefined || waypointPrincipal === undefined
                ? direct[i]
                : throughWaypoint(waypoint, evaluate(w, "ambient"), waypointPrincipal),
        );
        const pastWaypoint = (d: Decision): Decision =>
            waypoint === undefined
                ? d
                : {
                      ...d,
                      reason: `past the waypoint (a sidecar or the gateway sends to the pods): ztunnel: ${d.reason}`,
                  };
        // The gateway goes through the waypoint only where the namespace asks it to.
        const viaIngress = target.ingressUsesWaypoint === true;
        const namespacePlane = (ns: string) =>
            services.find((s) => s.namespace === ns)?.plane ?? dataPlaneOf(mesh.dataPlane);
        const callers: Caller[] = [
            ...services
                .filter((s) => s.name !== target.name)
                .map((s) => ({
                    name: s.name,
                    principal: s.principal,
                    pod: s.workloads[0],
                    sendsToWaypoints: s.plane.sendsToWaypoints,
                })),
            ...target.issuers.map((issuer) => ({
                name: GATEWAY,
                principal: gateway,
                issuer,
                sendsToWaypoints: viaIngress,
            })),
            { name: GATEWAY, principal: gateway, pod: gatewayPod, sendsToWaypoints: viaIngress },
            {
                name: OUTSIDER,
                principal: principalOf(mesh.trustDomain, "default", "default"),
                pod: outsiderPod,
                sendsToWaypoints: dataPlaneOf(mesh.dataPlane).sendsToWaypoints,
            },
            ...namespacesNamed(rules).map((ns) => ({
                name: namespaceCaller(ns),
                principal: principalOf(mesh.trustDomain, ns, "default"),
                sendsToWaypoints: namespacePlane(ns).sendsToWaypoints,
            })),
            ...(target.shared === undefined
                ? []
                : sharedCallers.filter((c) => c.name !== target.name).map((c) => ({ ...c, sendsToWaypoints: false }))),
        ];
        const paths = [...new Set([...probePaths(rules), ...target.probes])].sort();
        const methods = probeMethods(rules);
        for (const caller of callers) {
            for (const p of paths) {
                for (const method of methods) {
                    // A token is only a request principal where a RequestAuthentication accepts its issuer.
                    const token = caller.issuer === undefined ? undefined : { iss: caller.issuer, sub: PROBE_SUBJECT };
                    const request: Request = { principal: caller.principal, token, method, path: p };
                    const decisions = caller.sendsToWaypoints
                        ? viaWaypoint.map((evaluate) => evaluate(request))
                        : direct.map((evaluate) => pastWaypoint(evaluate(request)));
                    const allowed = decisions.length > 0 && decisions.every((d) => d.allowed);
                    const reasons = [...new Set(decisions.map((d) => d.reason))];
                    if (target.shared !== undefined && caller.pod !== undefined) {
                        // What holds today in the sidecar-less namespace: its NetworkPolicies, on the request's port.
                        const port = sharedPort(target.shared, p);
                        reasons.push(networkPolicyVerdict(plans, caller.pod, target.workloads[0], port).reason);
                    }
                    rows.push({
                        from: caller.name,
                        to: target.name,
                        method,
                        path: p,
                        token: token !== undefined,
                        ...(caller.issuer === undefined ? {} : { issuer: caller.issuer }),
                        allowed,
                        reason: reasons.join("; "),
                    });
                    if (allowed) {
                        const key = `${caller.name}\u0000${caller.issuer ?? ""}\u0000${target.name}`;
                        const edge = edges.get(key) ?? {
                            from: caller.name,
                            to: target.name,
                            issuer: caller.issuer,
                            rules: new Set(),
                            namespaceWide: new Set(),
                        };
                        edges.set(key, edge);
                        for (const d of decisions) {
                            const rule = d.rule?.policy.spec?.rules?.[d.rule.index];
                            if (!d.rule || !rule) {
                                edge.rules.add(`any request (${d.reason})`);
                                continue;
                            }
                            edge.rules.add(
                                `${describeRule(rule)} (${d.rule.policy.metadata.namespace}/${d.rule.policy.metadata.name} rules[${d.rule.index}])`,
                            );
                            (rule.from ?? [])
                                .flatMap((f) => f.source?.namespaces ?? [])
                                .forEach((ns) => edge.namespaceWide.add(ns));
                        }
                    }
                }
            }
        }
    }
    return {
        rows,
        edges: [...edges.values()].map((e) => ({
            from: e.from,
            to: e.to,
            ...(e.issuer === undefined ? {} : { issuer: e.issuer }),
            rules: [...e.rules],
            namespaceWide: [...e.namespaceWide].sort(),
        })),
        outbound: outboundRows(plans, mesh.outboundTrafficPolicy ?? "REGISTRY_ONLY"),
    };
}

/** The rows of the access matrix (see accessPlan). */
export function accessMatrix(plans: readonly StackPlan[], mesh: AccessMesh): AccessRow[] {
    return accessPlan(plans, mesh).rows;
}

/** The mesh facts from the environment's common stack plan (its outputs). */
export function accessMeshOf(plans: readonly StackPlan[]): AccessMesh {
    const common = plans.find((p) => p.layer === "common");
    const out = common?.evaluation.rawOutputs ?? {};
    const missing = ["trustDomain", "istioNamespace", "gatewayNamespace", "gatewayName"].filter(
        (k) => typeof out[k] !== "string" || out[k] === "",
    );
    if (!common || missing.length > 0) {
        throw new Error(`access matrix: the common stack's plan lacks ${missing.join(", ")}`);
    }
    // The outbound policy of the control plane, as its istiod Helm release sets it (a canary's
    // release sets the same). The chart is a name or a repository reference ending in it
    // (oci://ghcr.io/istio/release/charts/istiod, or a mirror's).
    const istiod = common.evaluation.resources?.find(
        (r) =>
            r.type === "kubernetes:helm.sh/v3:Release" &&
            typeof r.inputs.chart === "string" &&
            r.inputs.chart.split("/").pop() === "istiod",
    );
    const mode = (istiod?.inputs.values as { meshConfig?: { outboundTrafficPolicy?: { mode?: string } } } | undefined)
        ?.meshConfig?.outboundTrafficPolicy?.mode;
    return {
        trustDomain: out.trustDomain as string,
        rootNamespace: out.istioNamespace as string,
        gatewayNamespace: out.gatewayNamespace as string,
        gatewayName: out.gatewayName as string,
        // Istio's own default is ALLOW_ANY; a release without the setting gets it.
        ...(istiod ? { outboundTrafficPolicy: mode === "REGISTRY_ONLY" ? "REGISTRY_ONLY" : "ALLOW_ANY" } : {}),
        ...((DATA_PLANE_MODES as readonly unknown[]).includes(out.dataPlane)
            ? { dataPlane: out.dataPlane as DataPlaneMode }
            : {}),
    };
}

/**
 * An allow rule names a service that has no stack in the environment, or one whose data plane
 * cannot reach the service it is allowed to call (invalid config, exit 2).
 */
export class MissingCallerError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MissingCallerError";
    }
}

/** What a caller's `service` may be: the service stacks of `env`, or why there is none. */
function allowedServices(env: string, stacks: readonly string[]): string {
    const services = stacks
        .filter((s) => isStackOfEnvironment(s, env) && layerOfStackName(s) === "service")
        .map(serviceOfStackName);
    return services.length > 0
        ? `allowed: one of ${services.join(", ")}`
        : `allowed: a service of the environment, and "${env}" has no service stacks`;
}

/**
 * Fails, naming the file, when a service stack of the environment is named as no service can be
 * (a ConfigError, its own stack's) or allows a caller `service` that has no stack in the
 * environment (a typo or a service not deployed there).
 */
export function checkAllowedCallers(env: string, dir = ROOT): void {
    const stacks = stacksOfEnvironment(env, dir);
    // A service stack whose name is not a service's is refused by name before any rule is read.
    readServiceStackFiles(env, dir);
    const problems: string[] = [];
    for (const stack of stacks) {
        const config = readStackConfig(stack, dir);
        if (config.config[`${PROJECT}:layer`] !== "service") {
            continue;
        }
        let callers: unknown;
        try {
            callers = JSON.parse(config.config[`${PROJECT}:allowedCallers`] ?? "[]");
        } catch {
            continue; // not a list: the stack's own config check reports it
        }
        (Array.isArray(callers) ? callers : []).forEach((c: { service?: unknown }, i) => {
            if (typeof c?.service === "string" && !stacks.includes(serviceStackName(env, c.service))) {
                problems.push(
                    `${path.basename(config.file)}: ${PROJECT}:allowedCallers[${i}].service = ${JSON.stringify(c.service)}: ` +
                        `no stack "${env}-${c.service}" in environment "${env}" (Pulumi.${env}-${c.service}.yaml does not exist); ` +
                        allowedServices(env, stacks),
                );
            }
        });
    }
    if (problems.length > 0) {
        throw new MissingCallerError(
            `environment "${env}": an allow rule names a service without a stack:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
    }
    const bypassed = waypointBypasses(env, stacks, dir);
    if (bypassed.length > 0) {
        throw new MissingCallerError(
            `environment "${env}": an allow rule names a caller whose data plane cannot reach the service:\n${bypassed.map((p) => `  - ${p}`).join("\n")}`,
        );
    }
}

/**
 * The allow rules no request can follow because of the two services' data planes: the service is
 * ambient behind a waypoint, whose pods' ztunnel admits only the waypoint, and the caller runs in a
 * data plane that does not send to waypoints (sidecars: istiod gives them the pods as endpoints).
 * A stack whose config does not parse is left to its own check.
 */
function waypointBypasses(env: string, stacks: readonly string[], dir: string): string[] {
    const parsed = (stack: string) => {
        try {
            const config = readStackConfig(stack, dir);
            return parseEngineConfig(stack, config.config, (key) => config.secretKeys.includes(key), dir);
        } catch {
            return undefined;
        }
    };
    const common = stacks.includes(`${env}-common`) ? parsed(`${env}-common`) : undefined;
    const environment = common?.layer === "common" ? common.istio.dataPlane : undefined;
    const services = new Map<string, ServiceConfig>();
    for (const stack of stacks.filter((s) => layerOfStackName(s) === "service")) {
        const config = parsed(stack);
        if (config?.layer === "service") {
            services.set(config.service, config);
        }
    }
    const planeOf = (c: ServiceConfig) => dataPlaneOf(c.serviceDataPlane ?? environment);
    const problems: string[] = [];
    for (const [name, callee] of services) {
        const plane = planeOf(callee);
        if (plane.namespaceLabels("", callee.settings)[USE_WAYPOINT_LABEL] === undefined) {
            continue;
        }
        callee.settings.allowedCallers.forEach((rule, i) => {
            // A service, or a namespace: a service's namespace is named after it.
            const [key, named] = rule.service === undefined ? ["namespace", rule.namespace] : ["service", rule.service];
            const caller = named === undefined ? undefined : services.get(named);
            if (caller === undefined || planeOf(caller).sendsToWaypoints) {
                return;
            }
            problems.push(
                `Pulumi.${callee.stack}.yaml: ${PROJECT}:allowedCallers[${i}].${key} = ${JSON.stringify(named)}: ` +
                    `${named} runs ${planeOf(caller).mode}s (Pulumi.${caller.stack}.yaml), and Istio's sidecars send to ${name}'s pods past its waypoint, ` +
                    `where ztunnel admits only the waypoint (${name} needs one: ${waypointReasons(callee.settings).join(", ")}); ` +
                    `allowed: move ${named} to ambient first (${PROJECT}:serviceDataPlane ambient), or keep ${name} on sidecars until then ` +
                    `(docs/service.md, "Moving a service between data planes")`,
            );
        });
    }
    return problems;
}

function mermaidId(name: string): string {
    return name.replace(/[^A-Za-z0-9]/g, "_");
}

/** One line of the per-edge summary: `caller -> callee: <rule as written> (<policy> rules[i])`. */
export function describeEdge(e: AccessEdge): string {
    const token = e.issuer === undefined ? "" : ` (token of ${e.issuer})`;
    const wide =
        e.namespaceWide.length === 0
            ? ""
            : `; namespace-wide: any workload of namespace ${e.namespaceWide.join(", ")} (tried as ${e.namespaceWide.map(namespaceCaller).join(", ")})`;
    return `${e.from}${token} -> ${e.to}: ${e.rules.join("; ")}${wide}`;
}

/** The most allowed edges the plan prints on the console; the rest are in access.md. */
export const CONSOLE_EDGES = 30;

/**
 * The allowed edges as the plan prints them after the matrix's count: one line each, sorted as in
 * access.md, at most `limit` of them and then how many more access.md lists.
 */
export function allowedEdgeLines(plan: AccessPlan, limit = CONSOLE_EDGES): string[] {
    const lines = plan.edges.map(describeEdge).sort((a, b) => a.localeCompare(b));
    if (lines.length === 0) {
        return ["  allowed edges: none (every service refuses every caller)"];
    }
    const shown = lines.slice(0, limit).map((l) => `    ${l}`);
    const more = lines.length - shown.length;
    return [
        `  allowed edges (${lines.length}):`,
        ...shown,
        ...(more > 0 ? [`    ... and ${more} more in access.md`] : []),
    ];
}

/** One line of the outbound summary: `payment -> api.example.com:443 (HTTPS): <reason>`. */
export function describeOutbound(r: OutboundRow): string {
    return `${r.from} -> ${r.host}:${r.port} (${r.protocol}): ${r.allowed ? "allowed" : "refused"}, ${r.reason}`;
}

/**
 * The most rows access.md tables: the matrix grows with the square of the services (dev + 200
 * services tries half a million requests), and past this the table is left to access.json.
 */
export const MARKDOWN_TABLE_ROWS = 20000;

/**
 * The Markdown report: the allowed edges (a summary and a Mermaid graph), the outbound requests and
 * the full table (up to `tableRows` rows).
 */
export function accessMarkdown(env: string, plan: AccessPlan, tableRows = MARKDOWN_TABLE_ROWS): string {
    const { rows, edges } = plan;
    const outbound = plan.outbound ?? [];
    const sorted = [...edges].sort((a, b) => describeEdge(a).localeCompare(describeEdge(b)));
    const nodes = [...new Set(rows.flatMap((r) => [r.from, r.to]))].sort();
    const graph = [
        "```mermaid",
        "flowchart LR",
        ...nodes.map((n) => `    ${mermaidId(n)}["${n}"]`),
        ...sorted.map((e) => {
            const label = [
                ...e.rules.map((r) => r.replace(/ \(.*\)$/, "")),
                ...(e.issuer === undefined ? [] : [`token of ${e.issuer}`]),
                ...(e.namespaceWide.length === 0 ? [] : [`namespace-wide: ${e.namespaceWide.join(", ")}`]),
            ];
            return `    ${mermaidId(e.from)} -->|"${label.join("<br/>")}"| ${mermaidId(e.to)}`;
        }),
        // External hosts a service may reach, as boxes of their own.
        ...outbound
            .filter((r) => r.allowed && r.protocol !== "undeclared")
            .map(
                (r) =>
                    `    ${mermaidId(r.from)} -->|"${r.protocol} ${r.port}"| ${mermaidId(`ext-${r.host}`)}[/"${r.host}"/]`,
            ),
        "```",
    ];
    const table =
        rows.length > tableRows
            ? [
                  `${rows.length} requests, too many for a table one can read (more than ${tableRows}): every one is in`,
                  "access.json, one per line; the allowed edges above sum up those allowed.",
              ]
            : [
                  "| from | to | token | method | path | allowed | decided by |",
                  "|---|---|---|---|---|---|---|",
                  ...rows.map(
                      (r) =>
                          `| ${r.from} | ${r.to} | ${r.token ? (r.issuer ?? "yes") : "no"} | ${r.method} | \`${r.path}\` | ${r.allowed ? "**allowed**" : "refused"} | ${r.reason} |`,
                  ),
              ];
    return [
        `# Access matrix of environment \`${env}\``,
        "",
        "Computed from the AuthorizationPolicies of the plan with Istio's semantics (plan/authorization.ts)",
        "and checked against Istio's own policy compiler by the oracle (`npm run test:oracle`, docs/service.md).",
        "The ingress gateway is tried without a token and with a valid end-user token of each issuer the target",
        "accepts; services, the outsider (`default` namespace, `default` service account) and, for a namespace-wide",
        "rule, another workload of that namespace (`other-in-<namespace>`, its `default` service account) without one.",
        "Each rule's paths are tried at their boundary: one path inside and one just outside.",
        "",
        "## Allowed edges",
        "",
        ...sorted.map((e) => `- ${describeEdge(e)}`),
        "",
        ...graph,
        "",
        "## Outbound (external hosts)",
        "",
        "Each service tried on every host and port a ServiceEntry declares, each such host on a port it does not",
        `declare, and ${UNDECLARED_HOST}:443, under the mesh's outbound traffic policy.`,
        "",
        ...outbound.map((r) => `- ${describeOutbound(r)}`),
        "",
        "## Every request tried",
        "",
        ...table,
        "",
    ].join("\n");
}

/**
 * The matrix as JSON, one row per line: a change of access is a changed line in a diff, and the file
 * (which grows with the square of the services) is a fifth smaller and faster to write than indented.
 */
export function rowsJson(rows: readonly AccessRow[]): string {
    return [...rowsJsonChunks(rows)].join("");
}

/** rowsJson in pieces of at most `size` rows, so that a large matrix is never one string in memory. */
function* rowsJsonChunks(rows: readonly AccessRow[], size = 10000): Generator<string> {
    if (rows.length === 0) {
        yield "[]\n";
        return;
    }
    yield "[\n";
    for (let i = 0; i < rows.length; i += size) {
        const last = i + size >= rows.length;
        const lines = rows.slice(i, i + size).map((r) => `  ${JSON.stringify(r)}`);
        yield `${lines.join(",\n")}${last ? "\n]\n" : ",\n"}`;
    }
}

/** Writes access.json and access.md into `dir`. */
export function writeAccessPlan(env: string, plan: AccessPlan, dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(path.join(dir, "access.json"), "w");
    try {
        for (const chunk of rowsJsonChunks(plan.rows)) {
            fs.writeSync(fd, chunk);
        }
    } finally {
        fs.closeSync(fd);
    }
    fs.writeFileSync(path.join(dir, "access.md"), accessMarkdown(env, plan));
    fs.writeFileSync(path.join(dir, "outbound.json"), `${JSON.stringify(plan.outbound ?? [], null, 2)}\n`);
}

/** The environment step of `npm run plan -- --env <env>`: the matrix of the planned stacks, written to `<out>/<env>/`. */
export function planAccess(env: string, plans: readonly StackPlan[], out: string): AccessPlan & { dir: string } {
    const plan = accessPlan(plans, accessMeshOf(plans));
    const dir = path.join(out, env);
    writeAccessPlan(env, plan, dir);
    return { ...plan, dir };
}
