import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RESERVED_SERVICE_NAMES } from "../components/conventions";
import { isKind, list, obj, objectRef } from "./util";

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
            report(`PeerAuthentication ${objectRef(args.props)} has mtls.mode ${JSON.stringify(mode ?? null)}: only STRICT is allowed`);
        }
        for (const [port, setting] of Object.entries(obj(spec.portLevelMtls) ?? {})) {
            if (obj(setting)?.mode !== "STRICT") {
                report(`PeerAuthentication ${objectRef(args.props)} has portLevelMtls[${port}].mode ${JSON.stringify(obj(setting)?.mode ?? null)}: only STRICT is allowed`);
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
                report(`DestinationRule ${objectRef(args.props)} disables TLS (${where}.mode: DISABLE): use ISTIO_MUTUAL or leave tls unset`);
            }
        }
    },
};

export const noWildcardAllow: ResourceValidationPolicy = {
    name: "mesh-no-wildcard-allow",
    description: "An ALLOW AuthorizationPolicy names its sources: no wildcard principal or namespace, no rule without a source.",
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
            const from = list(obj(rule)?.from);
            if (from.length === 0) {
                report(`AuthorizationPolicy ${ref} rule ${i} allows any source (no from): name principals or namespaces`);
            }
            for (const f of from) {
                const source = obj(obj(f)?.source) ?? {};
                for (const field of ["principals", "namespaces"] as const) {
                    const wild = list(source[field]).filter((v) => typeof v === "string" && v.includes("*"));
                    if (wild.length > 0) {
                        report(`AuthorizationPolicy ${ref} rule ${i} allows the wildcard ${field} ${wild.map((w) => JSON.stringify(w)).join(", ")}: name each one`);
                    }
                }
            }
        });
    },
};

/** Whether an AuthorizationPolicy is allow-nothing: an empty spec (no selector, no rules, ALLOW). */
export function isAllowNothing(props: Record<string, any>): boolean {
    const spec = obj(props.spec) ?? {};
    const keys = Object.keys(spec).filter((k) => spec[k] !== undefined && spec[k] !== null);
    return keys.every((k) => (k === "action" && spec.action === "ALLOW") || (k === "rules" && list(spec.rules).length === 0));
}

function namespaceOf(r: PolicyResource): string | undefined {
    return obj(r.props.metadata)?.namespace;
}

export const defaultDenyPerNamespace: StackValidationPolicy = {
    name: "mesh-default-deny",
    description: "Every service namespace has an allow-nothing AuthorizationPolicy (default deny).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter((r) => isKind(r.type, SECURITY, "AuthorizationPolicy"));
        for (const ns of args.resources.filter((r) => isKind(r.type, "", "Namespace"))) {
            const md = obj(ns.props.metadata) ?? {};
            const owner = obj(md.labels)?.["owner-service"];
            // Service namespaces belong to a service stack; global/common own the platform's namespaces.
            if (typeof owner !== "string" || RESERVED_SERVICE_NAMES.includes(owner)) {
                continue;
            }
            if (!policies.some((p) => namespaceOf(p) === md.name && isAllowNothing(p.props))) {
                report(`namespace ${md.name} has no allow-nothing AuthorizationPolicy (empty spec): add one so that only explicit ALLOW rules admit traffic`, ns.urn);
            }
        }
    },
};

/** Whether an AuthorizationPolicy requires a request principal (a valid JWT) for the workloads it selects. */
function requiresRequestPrincipal(props: Record<string, any>): boolean {
    const spec = obj(props.spec) ?? {};
    const sources = list(spec.rules).flatMap((rule) => list(obj(rule)?.from).map((f) => obj(obj(f)?.source) ?? {}));
    const action = spec.action ?? "ALLOW";
    if (action === "ALLOW") {
        const rules = list(spec.rules);
        return rules.length > 0 && rules.every((rule) => list(obj(rule)?.from).some((f) => list(obj(obj(f)?.source)?.requestPrincipals).length > 0));
    }
    return action === "DENY" && sources.some((s) => list(s.notRequestPrincipals).length > 0);
}

function sameSelector(a: Record<string, any>, b: Record<string, any>): boolean {
    const labels = (p: Record<string, any>) => JSON.stringify(Object.entries(obj(obj(obj(p.spec)?.selector)?.matchLabels) ?? {}).sort());
    return labels(a) === labels(b);
}

export const requestAuthenticationPaired: StackValidationPolicy = {
    name: "mesh-request-authentication-paired",
    description: "A RequestAuthentication never stands alone: an AuthorizationPolicy on the same workloads requires requestPrincipals (otherwise requests without a token are accepted).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter((r) => isKind(r.type, SECURITY, "AuthorizationPolicy"));
        for (const ra of args.resources.filter((r) => isKind(r.type, SECURITY, "RequestAuthentication"))) {
            const paired = policies.some(
                (p) => namespaceOf(p) === namespaceOf(ra) && requiresRequestPrincipal(p.props) && (sameSelector(p.props, ra.props) || !obj(obj(p.props.spec)?.selector)),
            );
            if (!paired) {
                report(
                    `RequestAuthentication ${objectRef(ra.props)} stands alone: requests without a token are accepted; pair it with an AuthorizationPolicy on the same workloads whose rules require requestPrincipals`,
                    ra.urn,
                );
            }
        }
    },
};

export const MESH_POLICIES = [strictPeerAuthentication, destinationRuleTls, noWildcardAllow, defaultDenyPerNamespace, requestAuthenticationPaired];
