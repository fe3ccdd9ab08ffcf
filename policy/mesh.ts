import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RESERVED_SERVICE_NAMES } from "../components/conventions";
import { dataPlaneOfNamespace } from "../components/mesh/dataplane";
import { isEveryAddress } from "../components/network/ipv4";
import { OBSERVABILITY_NAMESPACE, OTLP_GRPC_EXPORT_PATH } from "../components/observability/specs";
import { environmentOfResources, isKind, list, obj, objectRef } from "./util";

const SECURITY = "security.istio.io";
const NETWORKING = "networking.istio.io";

export const strictPeerAuthentication: ResourceValidationPolicy = {
    name: "mesh-peer-authentication-strict",
    description: "Every PeerAuthentication is STRICT mTLS, on every port.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isKind(args.type, SECURITY, "PeerAuthentication")) {
            return;
        }
        const spec = obj(args.props.spec) ?? {};
        const mode = obj(spec.mtls)?.mode;
        if (mode !== "STRICT") {
            report(
                `PeerAuthentication ${objectRef(args.props)} has mtls.mode ${JSON.stringify(mode ?? null)}: only STRICT is allowed`,
            );
        }
        for (const [port, setting] of Object.entries(obj(spec.portLevelMtls) ?? {})) {
            if (obj(setting)?.mode !== "STRICT") {
                report(
                    `PeerAuthentication ${objectRef(args.props)} has portLevelMtls[${port}].mode ${JSON.stringify(obj(setting)?.mode ?? null)}: only STRICT is allowed`,
                );
            }
        }
    },
};

/** Every TLS setting of a DestinationRule, with where it is: top level, per port, per subset. */
function tlsSettings(spec: Record<string, any>): { where: string; mode: unknown }[] {
    const ofPolicy = (policy: unknown, where: string) => {
        const p = obj(policy);
        if (!p) {
            return [];
        }
        const out = obj(p.tls) ? [{ where: `${where}tls`, mode: p.tls.mode }] : [];
        list(p.portLevelSettings).forEach((s, i) => {
            if (obj(obj(s)?.tls)) {
                out.push({ where: `${where}portLevelSettings[${i}].tls`, mode: s.tls.mode });
            }
        });
        return out;
    };
    return [
        ...ofPolicy(spec.trafficPolicy, "trafficPolicy."),
        ...list(spec.subsets).flatMap((s, i) => ofPolicy(obj(s)?.trafficPolicy, `subsets[${i}].trafficPolicy.`)),
    ];
}

export const destinationRuleTls: ResourceValidationPolicy = {
    name: "mesh-destination-rule-tls",
    description: "No DestinationRule disables TLS (tls.mode DISABLE turns mTLS off for the traffic it selects).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isKind(args.type, NETWORKING, "DestinationRule")) {
            return;
        }
        for (const { where, mode } of tlsSettings(obj(args.props.spec) ?? {})) {
            if (mode === "DISABLE") {
                report(
                    `DestinationRule ${objectRef(args.props)} disables TLS (${where}.mode: DISABLE): use ISTIO_MUTUAL or leave tls unset`,
                );
            }
        }
    },
};

/** Address blocks that match every address: an ALLOW on them names nobody. */
/** Why one `from.source` of an ALLOW rule does not name who may call, each reason a message tail. */
function openSourceReasons(source: Record<string, any>): string[] {
    const reasons: string[] = [];
    for (const field of ["principals", "namespaces"] as const) {
        const wild = list(source[field]).filter((v) => typeof v === "string" && v.includes("*"));
        if (wild.length > 0) {
            reasons.push(
                `allows the wildcard ${field} ${wild.map((w) => JSON.stringify(w)).join(", ")}: name each one`,
            );
        }
    }
    for (const field of ["notPrincipals", "notNamespaces"] as const) {
        if (list(source[field]).length > 0) {
            reasons.push(
                `allows everyone but ${field} ${list(source[field])
                    .map((w) => JSON.stringify(w))
                    .join(", ")}: name principals or namespaces instead`,
            );
        }
    }
    const namesWho = list(source.principals).length > 0 || list(source.namespaces).length > 0;
    for (const field of ["ipBlocks", "remoteIpBlocks"] as const) {
        const every = list(source[field]).filter((v) => typeof v === "string" && isEveryAddress(v));
        // Istio ANDs a source's fields: next to principals or namespaces, every address restricts nothing more.
        if (every.length > 0 && !namesWho) {
            reasons.push(
                `allows every address (${field} ${every.map((w) => JSON.stringify(w)).join(", ")}): name principals or namespaces`,
            );
        }
    }
    if (list(source.principals).length === 0 && list(source.namespaces).length === 0 && reasons.length === 0) {
        reasons.push(
            `has a source naming no principals or namespaces (${JSON.stringify(source)}): any workload matches it; name principals or namespaces`,
        );
    }
    return reasons;
}

/**
 * The one rule allowed to name every authenticated workload (`principals: ["*"]`): trace export to
 * the collector in the observability namespace, POST of the OTLP/gRPC export method and nothing
 * else. Every proxy of the mesh sends spans there, and the common layer cannot name the service
 * namespaces that come later (components/observability/fence.ts).
 */
export function isTraceExportRule(namespace: unknown, rule: Record<string, any>): boolean {
    const from = list(rule.from);
    const to = list(rule.to);
    const source = obj(obj(from[0])?.source) ?? {};
    const operation = obj(obj(to[0])?.operation) ?? {};
    const same = (a: unknown, b: readonly string[]) => JSON.stringify(a) === JSON.stringify(b);
    return (
        namespace === OBSERVABILITY_NAMESPACE &&
        from.length === 1 &&
        to.length === 1 &&
        rule.when === undefined &&
        same(Object.keys(source), ["principals"]) &&
        same(source.principals, ["*"]) &&
        same(Object.keys(operation).sort(), ["methods", "paths"]) &&
        same(operation.methods, ["POST"]) &&
        same(operation.paths, [OTLP_GRPC_EXPORT_PATH])
    );
}

export const noWildcardAllow: ResourceValidationPolicy = {
    name: "mesh-no-wildcard-allow",
    description:
        "An ALLOW AuthorizationPolicy names its sources: no wildcard principal or namespace, no notPrincipals/notNamespaces, no 0.0.0.0/0 block, no rule or source without principals or namespaces (one exception: trace export to the observability namespace's collector, POST of the OTLP/gRPC export method, from any authenticated workload).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isKind(args.type, SECURITY, "AuthorizationPolicy")) {
            return;
        }
        const spec = obj(args.props.spec) ?? {};
        if ((spec.action ?? "ALLOW") !== "ALLOW") {
            return;
        }
        const ref = objectRef(args.props);
        list(spec.rules).forEach((rule, i) => {
            if (isTraceExportRule(obj(args.props.metadata)?.namespace, obj(rule) ?? {})) {
                return;
            }
            const from = list(obj(rule)?.from);
            if (from.length === 0) {
                report(
                    `AuthorizationPolicy ${ref} rule ${i} allows any source (no from): name principals or namespaces`,
                );
            }
            for (const f of from) {
                for (const reason of openSourceReasons(obj(obj(f)?.source) ?? {})) {
                    report(`AuthorizationPolicy ${ref} rule ${i} ${reason}`);
                }
            }
        });
    },
};

/** Whether an AuthorizationPolicy is allow-nothing: an empty spec (no selector, no rules, ALLOW). */
export function isAllowNothing(props: Record<string, any>): boolean {
    const spec = obj(props.spec) ?? {};
    const keys = Object.keys(spec).filter((k) => spec[k] !== undefined && spec[k] !== null);
    return keys.every(
        (k) => (k === "action" && spec.action === "ALLOW") || (k === "rules" && list(spec.rules).length === 0),
    );
}

function namespaceOf(r: PolicyResource): string | undefined {
    return obj(r.props.metadata)?.namespace;
}

/**
 * The service namespaces of a stack, with their names: those whose `owner-service` is a service
 * (a service stack's); the global and common layers own the platform's namespaces.
 */
export function serviceNamespaces(
    resources: readonly PolicyResource[],
): { name: string; urn: string; labels: Record<string, string> }[] {
    return resources
        .filter((r) => isKind(r.type, "", "Namespace"))
        .map((ns) => ({ md: obj(ns.props.metadata) ?? {}, urn: ns.urn }))
        .filter(
            ({ md }) =>
                typeof obj(md.labels)?.["owner-service"] === "string" &&
                !RESERVED_SERVICE_NAMES.includes(obj(md.labels)?.["owner-service"]),
        )
        .map(({ md, urn }) => ({ name: String(md.name), urn, labels: obj(md.labels) ?? {} }));
}

export const defaultDenyPerNamespace: StackValidationPolicy = {
    name: "mesh-default-deny",
    description: "Every service namespace has an allow-nothing AuthorizationPolicy (default deny).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter((r) => isKind(r.type, SECURITY, "AuthorizationPolicy"));
        for (const ns of serviceNamespaces(args.resources)) {
            if (!policies.some((p) => namespaceOf(p) === ns.name && isAllowNothing(p.props))) {
                report(
                    `namespace ${ns.name} has no allow-nothing AuthorizationPolicy (empty spec): add one so that only explicit ALLOW rules admit traffic`,
                    ns.urn,
                );
            }
        }
    },
};

export const sidecarPerNamespace: StackValidationPolicy = {
    name: "mesh-sidecar-per-namespace",
    description:
        "Every service namespace has a Sidecar for all its workloads whose egress names its hosts (no */*), so each proxy knows only what it calls.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const ns of serviceNamespaces(args.resources)) {
            // The object that scopes the namespace's proxies, as its data plane has it (the Sidecar).
            const scope = dataPlaneOfNamespace(ns.labels).egressScope;
            if (scope === undefined) {
                continue; // ambient: no proxy per pod to scope (docs/service.md, "Ambient mode")
            }
            const group = scope.apiVersion.split("/")[0];
            const own = args.resources.filter(
                (s) =>
                    isKind(s.type, group, scope.kind) &&
                    namespaceOf(s) === ns.name &&
                    !obj(obj(s.props.spec)?.workloadSelector),
            );
            if (own.length === 0) {
                report(
                    `namespace ${ns.name} has no Sidecar without workloadSelector: add one whose egress lists the services it calls, or every proxy holds the whole mesh`,
                    ns.urn,
                );
            }
            for (const s of own) {
                const hosts = list(obj(s.props.spec)?.egress).flatMap((e) => list(obj(e)?.hosts));
                const open = hosts.filter((h) => h === "*/*" || h === "*" || h === "./*/*");
                if (hosts.length === 0 || open.length > 0) {
                    report(
                        `Sidecar ${objectRef(s.props)} has egress ${JSON.stringify(hosts)}: list the callees' hosts (<namespace>/<host>) and the shared ones, not */*`,
                        s.urn,
                    );
                }
            }
        }
    },
};

/** Whether a policy applies to the RequestAuthentication's workloads: same namespace, and its selector or none. */
function appliesTo(policy: PolicyResource, ra: PolicyResource): boolean {
    const labels = (p: Record<string, any>) =>
        JSON.stringify(Object.entries(obj(obj(obj(p.spec)?.selector)?.matchLabels) ?? {}).sort());
    return (
        namespaceOf(policy) === namespaceOf(ra) &&
        (!obj(obj(policy.props.spec)?.selector) || labels(policy.props) === labels(ra.props))
    );
}

/**
 * Whether a DENY policy refuses every request without a request principal: a rule whose source is
 * exactly `notRequestPrincipals: ["*"]`, with no `when` and no `to` other than ports (a DENY limited
 * to some paths or methods lets the others through without a token).
 */
function deniesMissingToken(spec: Record<string, any>): boolean {
    return list(spec.rules).some((rule) => {
        const r = obj(rule) ?? {};
        const toOk = list(r.to).every((t) => Object.keys(obj(obj(t)?.operation) ?? {}).every((k) => k === "ports"));
        const exact = list(r.from).some((f) => {
            const source = obj(obj(f)?.source) ?? {};
            return Object.keys(source).length === 1 && list(source.notRequestPrincipals).includes("*");
        });
        return exact && toOk && list(r.when).length === 0;
    });
}

/** Whether every source of every rule of an ALLOW policy requires a request principal (allow-nothing admits nobody). */
function allowsOnlyWithToken(spec: Record<string, any>): boolean {
    return list(spec.rules).every((rule) => {
        const from = list(obj(rule)?.from);
        return from.length > 0 && from.every((f) => list(obj(obj(f)?.source)?.requestPrincipals).length > 0);
    });
}

export const requestAuthenticationPaired: StackValidationPolicy = {
    name: "mesh-request-authentication-paired",
    description:
        "A RequestAuthentication never stands alone: a DENY of every request without a request principal, or ALLOW policies on the same workloads whose every rule requires requestPrincipals (otherwise requests without a token are accepted).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter((r) => isKind(r.type, SECURITY, "AuthorizationPolicy"));
        for (const ra of args.resources.filter((r) => isKind(r.type, SECURITY, "RequestAuthentication"))) {
            const applicable = policies.filter((p) => appliesTo(p, ra)).map((p) => obj(p.props.spec) ?? {});
            const allows = applicable.filter(
                (spec) => (spec.action ?? "ALLOW") === "ALLOW" && list(spec.rules).length > 0,
            );
            const denied = applicable.some((spec) => spec.action === "DENY" && deniesMissingToken(spec));
            const onlyWithToken = allows.length > 0 && allows.every(allowsOnlyWithToken);
            if (!denied && !onlyWithToken) {
                report(
                    `RequestAuthentication ${objectRef(ra.props)} stands alone: requests without a token are accepted; require requestPrincipals in every rule of every ALLOW policy on its workloads, or DENY notRequestPrincipals ["*"] on every path`,
                    ra.urn,
                );
            }
        }
    },
};

/** The environments where sidecars may pass traffic to hosts outside the registry (ALLOW_ANY). */
export const OPEN_EGRESS_ENVIRONMENTS: readonly string[] = ["dev"];

/**
 * The chart a Helm release installs: its name, from a plain name, the end of an OCI reference or a
 * local folder `<chart>-<version>` (chartMirror directory); undefined for anything else.
 */
export function releaseChartName(r: { type: string; props: Record<string, any> }): string | undefined {
    if (r.type !== "kubernetes:helm.sh/v3:Release" || typeof r.props.chart !== "string") {
        return undefined;
    }
    return (r.props.chart.split("/").pop() ?? "").replace(/-v?[0-9]+\.[0-9]+\.[0-9]+.*$/, "");
}

/** Whether a Helm release installs istiod. */
function isIstiodRelease(r: { type: string; props: Record<string, any> }): boolean {
    return releaseChartName(r) === "istiod";
}

export const registryOnlyOutsideDev: StackValidationPolicy = {
    name: "mesh-registry-only-outside-dev",
    description: `Outside ${OPEN_EGRESS_ENVIRONMENTS.join(", ")}, every istiod release sets meshConfig.outboundTrafficPolicy.mode to REGISTRY_ONLY: sidecars reach only the hosts a ServiceEntry or a Service declares (ALLOW_ANY, also Istio's default when unset, reaches any host).`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const env = environmentOfResources(args.resources);
        if (env !== undefined && OPEN_EGRESS_ENVIRONMENTS.includes(env)) {
            return;
        }
        for (const release of args.resources.filter(isIstiodRelease)) {
            const mode = obj(obj(obj(release.props.values)?.meshConfig)?.outboundTrafficPolicy)?.mode;
            if (mode !== "REGISTRY_ONLY") {
                report(
                    `istiod release ${release.props.name ?? release.name} in environment ${env ?? "(unknown)"} has meshConfig.outboundTrafficPolicy.mode ${JSON.stringify(mode ?? null)}${mode === undefined ? " (Istio's default, ALLOW_ANY)" : ""}: ` +
                        `set meshOutboundTrafficPolicy to REGISTRY_ONLY and declare each service's external hosts in its externalHosts`,
                    release.urn,
                );
            }
        }
    },
};

/** The oldest TLS versions a gateway server may accept. */
const GATEWAY_TLS_VERSIONS = ["TLSV1_2", "TLSV1_3"];

export const gatewayServersTls: ResourceValidationPolicy = {
    name: "mesh-gateway-https-only",
    description:
        "Every server of an Istio Gateway serves TLS (HTTPS with tls.mode SIMPLE or MUTUAL, a credentialName and minProtocolVersion TLSV1_2 or newer), except an HTTP server that only redirects to HTTPS (tls.httpsRedirect): nothing, not even a bearer token, crosses the load balancer in clear.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!isKind(args.type, NETWORKING, "Gateway")) {
            return;
        }
        list(obj(args.props.spec)?.servers).forEach((server, i) => {
            const port = obj(obj(server)?.port) ?? {};
            const tls = obj(obj(server)?.tls) ?? {};
            const where = `Gateway ${objectRef(args.props)} servers[${i}] (port ${port.number ?? "?"}, ${port.protocol ?? "no protocol"})`;
            // A TLS server terminates like an HTTPS one (PASSTHROUGH would leave TLS to the workload
            // and carry no certificate here: refused with the mode); only an HTTP server may redirect.
            if (port.protocol === "HTTPS" || port.protocol === "TLS") {
                const problems = [
                    ["SIMPLE", "MUTUAL"].includes(tls.mode)
                        ? undefined
                        : `tls.mode ${JSON.stringify(tls.mode ?? null)} (allowed: SIMPLE, MUTUAL)`,
                    typeof tls.credentialName === "string" && tls.credentialName !== ""
                        ? undefined
                        : "no tls.credentialName",
                    GATEWAY_TLS_VERSIONS.includes(tls.minProtocolVersion)
                        ? undefined
                        : `tls.minProtocolVersion ${JSON.stringify(tls.minProtocolVersion ?? null)} (allowed: ${GATEWAY_TLS_VERSIONS.join(", ")})`,
                ].filter((p) => p !== undefined);
                if (problems.length > 0) {
                    report(
                        `${where} has ${problems.join(", ")}: terminate TLS 1.2 or newer with the host's certificate`,
                    );
                }
            } else if (port.protocol !== "HTTP" || tls.httpsRedirect !== true) {
                report(
                    `${where} serves in clear: serve HTTPS with TLS, or make a port-80 HTTP server that only redirects (tls.httpsRedirect: true)`,
                );
            }
        });
    },
};

/** The fewest replicas of istiod and the ingress gateway. */
export const MIN_CONTROL_REPLICAS = 2;

/** The floor of a chart's replicas: the autoscaler's minimum when it is on, else the fixed count (chart defaults: on, 1). */
function replicaFloor(autoscaling: { enabled: unknown; min: unknown }, replicaCount: unknown): number {
    const count = (v: unknown) => (typeof v === "number" ? v : 1);
    return autoscaling.enabled === false ? count(replicaCount) : count(autoscaling.min);
}

/** What the HA rule reads from the values of an istiod or gateway release, and the keys that fix each finding. */
interface ControlPlaneHa {
    /** The fewest replicas. */
    readonly floor: number;
    /** The config key that sets the floor. */
    readonly floorKey: string;
    /**
     * The autoscaler's ceiling when the autoscaler is on and the values set one (unset is the
     * chart's default, 5), with its values key.
     */
    readonly ceiling?: { readonly key: string; readonly value: unknown };
    readonly pdb: boolean;
    /** The values that make the chart's PodDisruptionBudget. */
    readonly pdbFix: string;
}

/** The HA settings of istiod's values (istiod chart: autoscaleEnabled/Min/Max, global.defaultPodDisruptionBudget). */
function istiodHa(values: Record<string, any>): ControlPlaneHa {
    const autoscaling = values.autoscaleEnabled !== false;
    return {
        floor: replicaFloor({ enabled: values.autoscaleEnabled, min: values.autoscaleMin }, values.replicaCount),
        floorKey: "istiodReplicas",
        ...(autoscaling && "autoscaleMax" in values
            ? { ceiling: { key: "autoscaleMax", value: values.autoscaleMax } }
            : {}),
        // The chart makes its PodDisruptionBudget unless turned off.
        pdb: obj(obj(values.global)?.defaultPodDisruptionBudget)?.enabled !== false,
        pdbFix: "global.defaultPodDisruptionBudget.enabled: true",
    };
}

/**
 * The HA settings of the gateway's values (gateway chart: autoscaling, podDisruptionBudget), or
 * undefined for a DaemonSet gateway (`kind: DaemonSet`): it runs one pod on each node, so it has
 * as many replicas as the cluster has nodes (the node groups' floor), no autoscaler (the chart
 * makes one only for a Deployment) and no need of a PodDisruptionBudget (a drain leaves
 * DaemonSet pods alone).
 */
function gatewayHa(values: Record<string, any>): ControlPlaneHa | undefined {
    if (values.kind === "DaemonSet") {
        return undefined;
    }
    const autoscaling = obj(values.autoscaling) ?? {};
    const on = autoscaling.enabled !== false;
    return {
        floor: replicaFloor({ enabled: autoscaling.enabled, min: autoscaling.minReplicas }, values.replicaCount),
        floorKey: "gatewayReplicas",
        ...(on && "maxReplicas" in autoscaling
            ? { ceiling: { key: "autoscaling.maxReplicas", value: autoscaling.maxReplicas } }
            : {}),
        // The chart makes its PodDisruptionBudget only when asked.
        pdb: Object.keys(obj(values.podDisruptionBudget) ?? {}).length > 0,
        pdbFix: "podDisruptionBudget (e.g. minAvailable: 1)",
    };
}

export const meshHighAvailability: ResourceValidationPolicy = {
    name: "mesh-control-plane-ha",
    description: `istiod and the ingress gateway (Helm releases of the istiod and gateway charts, whatever their release names) run at least ${MIN_CONTROL_REPLICAS} replicas (the autoscaler's minimum when autoscaling, whose maximum may not be lower) with a PodDisruptionBudget: with one, a node drain or an upgrade takes the control plane or ingress down. A DaemonSet gateway (one pod per node) passes.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const chart = releaseChartName(args);
        if (chart !== "istiod" && chart !== "gateway") {
            return;
        }
        const values = obj(args.props.values) ?? {};
        const ha = chart === "istiod" ? istiodHa(values) : gatewayHa(values);
        if (ha === undefined) {
            return;
        }
        const release = `${chart} release ${args.props.name ?? args.name}`;
        if (ha.floor < MIN_CONTROL_REPLICAS) {
            report(
                `${release} runs ${ha.floor} replica${ha.floor === 1 ? "" : "s"} at least: set ${ha.floorKey} to ${MIN_CONTROL_REPLICAS} or more`,
            );
        }
        const least = Math.max(MIN_CONTROL_REPLICAS, ha.floor);
        if (ha.ceiling && !(typeof ha.ceiling.value === "number" && ha.ceiling.value >= least)) {
            report(
                `${release} has ${ha.ceiling.key} ${JSON.stringify(ha.ceiling.value)}, below ${least}: the autoscaler's maximum caps the replicas (and one below its minimum is refused); set it to ${least} or more, or leave it unset (the chart's 5)`,
            );
        }
        if (!ha.pdb) {
            report(`${release} has no PodDisruptionBudget: set ${ha.pdbFix} in its values`);
        }
    },
};

export const MESH_POLICIES = [
    strictPeerAuthentication,
    destinationRuleTls,
    noWildcardAllow,
    defaultDenyPerNamespace,
    requestAuthenticationPaired,
    sidecarPerNamespace,
    registryOnlyOutsideDev,
    gatewayServersTls,
    meshHighAvailability,
];
