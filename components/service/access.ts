/**
 * A pure evaluator of Istio AuthorizationPolicies, to compute who can call whom from the policies
 * an environment would really deploy. Istio's semantics
 * (https://istio.io/latest/docs/concepts/security/#implicit-enablement), CUSTOM aside:
 *   1. if any DENY policy that selects the workload matches the request, it is refused;
 *   2. if no ALLOW policy selects the workload, it is admitted;
 *   3. if an ALLOW policy selects the workload and matches, it is admitted; otherwise refused.
 * An empty spec (allow-nothing) is an ALLOW policy without rules: it selects every workload of its
 * namespace and matches nothing. A policy in the root namespace applies to every namespace.
 * JWT: a request carries a request principal (`<iss>/<sub>`) only when it has a token that a
 * RequestAuthentication of the workload accepts; callers are modelled with and without a token.
 */

/** An AuthorizationPolicy manifest, as recorded in the plan. */
export interface PolicyManifest {
    readonly metadata: { readonly name: string; readonly namespace?: string };
    readonly spec?: {
        readonly selector?: { readonly matchLabels?: Record<string, string> };
        readonly targetRef?: unknown;
        readonly targetRefs?: unknown;
        readonly action?: string;
        readonly provider?: unknown;
        readonly rules?: readonly PolicyRule[];
    };
}

interface PolicyRule {
    readonly from?: readonly { readonly source?: Record<string, readonly string[]> }[];
    readonly to?: readonly { readonly operation?: Record<string, readonly string[]> }[];
    readonly when?: readonly { readonly key: string; readonly values?: readonly string[]; readonly notValues?: readonly string[] }[];
}

/** The workload a request goes to. */
export interface Workload {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** A request as the workload's sidecar sees it. */
export interface Request {
    /** The peer's mTLS principal, `<trustDomain>/ns/<ns>/sa/<sa>`; undefined for plain text. */
    readonly principal?: string;
    /** The peer's namespace. */
    readonly namespace?: string;
    /** The end user's validated JWT principal `<iss>/<sub>`; undefined without a (valid) token. */
    readonly requestPrincipal?: string;
    /** The peer's IP address. */
    readonly ip?: string;
    readonly method: string;
    readonly path: string;
    /** Request headers, lower-case names. */
    readonly headers?: Readonly<Record<string, string>>;
}

/** The verdict on one request, with the policy that decided it. */
export interface Decision {
    readonly allowed: boolean;
    /** e.g. `DENY backend/require-jwt`, `ALLOW backend/allow-callers`, `no ALLOW policy matched`. */
    readonly reason: string;
}

/** Istio's root namespace, whose policies apply mesh-wide. */
export const ROOT_NAMESPACE = "istio-system";

/** Istio's string match: exact, `*` (any non-empty), `prefix*` or `*suffix`. */
export function matchesValue(pattern: string, value: string | undefined): boolean {
    if (value === undefined) {
        return false;
    }
    if (pattern === "*") {
        return value !== "";
    }
    if (pattern.endsWith("*")) {
        return value.startsWith(pattern.slice(0, -1));
    }
    if (pattern.startsWith("*")) {
        return value.endsWith(pattern.slice(1));
    }
    return value === pattern;
}

function ipv4(value: string): number | undefined {
    const parts = value.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Whether `ip` is in `block` (`a.b.c.d` or `a.b.c.d/n`). */
export function inIpBlock(block: string, ip: string | undefined): boolean {
    if (ip === undefined) {
        return false;
    }
    const [base, bits] = block.split("/");
    const b = ipv4(base);
    const a = ipv4(ip);
    if (a === undefined || b === undefined) {
        return false;
    }
    const size = 2 ** (32 - (bits === undefined ? 32 : Number(bits)));
    return Math.floor(a / size) === Math.floor(b / size);
}

const SOURCE_FIELDS: Record<string, (r: Request) => string | undefined> = {
    principals: (r) => r.principal,
    namespaces: (r) => r.namespace,
    requestPrincipals: (r) => r.requestPrincipal,
};

function fail(policy: PolicyManifest, what: string): never {
    throw new Error(`access matrix: policy ${policy.metadata.namespace ?? "?"}/${policy.metadata.name}: ${what} is not modelled`);
}

function sourceMatches(policy: PolicyManifest, source: Record<string, readonly string[]>, r: Request): boolean {
    return Object.entries(source).every(([field, patterns]) => {
        const negated = /^not[A-Z]/.test(field);
        const base = negated ? field[3].toLowerCase() + field.slice(4) : field;
        let hit: boolean;
        if (base === "ipBlocks" || base === "remoteIpBlocks") {
            hit = patterns.some((p) => inIpBlock(p, r.ip));
        } else if (SOURCE_FIELDS[base]) {
            hit = patterns.some((p) => matchesValue(p, SOURCE_FIELDS[base](r)));
        } else {
            return fail(policy, `source field ${field}`);
        }
        return negated ? !hit : hit;
    });
}

function operationMatches(policy: PolicyManifest, operation: Record<string, readonly string[]>, r: Request): boolean {
    return Object.entries(operation).every(([field, patterns]) => {
        const negated = /^not[A-Z]/.test(field);
        const base = negated ? field[3].toLowerCase() + field.slice(4) : field;
        const value = base === "methods" ? r.method : base === "paths" ? r.path : fail(policy, `operation field ${field}`);
        const hit = patterns.some((p) => matchesValue(p, value));
        return negated ? !hit : hit;
    });
}

function conditionMatches(policy: PolicyManifest, c: NonNullable<PolicyRule["when"]>[number], r: Request): boolean {
    const m = /^request\.headers\[(.+)\]$/.exec(c.key);
    if (!m) {
        return fail(policy, `condition key ${c.key}`);
    }
    const value = r.headers?.[m[1].toLowerCase()];
    if (c.values && !c.values.some((p) => matchesValue(p, value))) {
        return false;
    }
    if (c.notValues && c.notValues.some((p) => matchesValue(p, value))) {
        return false;
    }
    return true;
}

/** Whether a rule matches: every present part (`from` any, `to` any, `when` all). */
function ruleMatches(policy: PolicyManifest, rule: PolicyRule, r: Request): boolean {
    const from = rule.from === undefined || rule.from.some((f) => sourceMatches(policy, f.source ?? {}, r));
    const to = rule.to === undefined || rule.to.some((t) => operationMatches(policy, t.operation ?? {}, r));
    const when = (rule.when ?? []).every((c) => conditionMatches(policy, c, r));
    return from && to && when;
}

/** Whether a policy applies to a workload: its namespace (or the root namespace) and its selector. */
export function selects(policy: PolicyManifest, workload: Workload, rootNamespace = ROOT_NAMESPACE): boolean {
    if (policy.spec?.targetRef !== undefined || policy.spec?.targetRefs !== undefined) {
        fail(policy, "targetRef");
    }
    const ns = policy.metadata.namespace;
    if (ns !== workload.namespace && ns !== rootNamespace) {
        return false;
    }
    const labels = policy.spec?.selector?.matchLabels ?? {};
    return Object.entries(labels).every(([k, v]) => workload.labels[k] === v);
}

/** Istio's verdict on `request` to `workload` under `policies`. */
export function evaluateAccess(
    policies: readonly PolicyManifest[],
    workload: Workload,
    request: Request,
    rootNamespace = ROOT_NAMESPACE,
): Decision {
    const applicable = policies.filter((p) => selects(p, workload, rootNamespace));
    const id = (p: PolicyManifest) => `${p.metadata.namespace}/${p.metadata.name}`;
    const matches = (p: PolicyManifest) => (p.spec?.rules ?? []).some((rule) => ruleMatches(p, rule, request));
    const byAction = (action: string) => applicable.filter((p) => (p.spec?.action ?? "ALLOW") === action);
    if (byAction("CUSTOM").length > 0) {
        fail(byAction("CUSTOM")[0], "action CUSTOM");
    }
    const deny = byAction("DENY").find(matches);
    if (deny) {
        return { allowed: false, reason: `DENY ${id(deny)}` };
    }
    const allows = byAction("ALLOW");
    if (allows.length === 0) {
        return { allowed: true, reason: "no ALLOW policy selects the workload" };
    }
    const allow = allows.find(matches);
    if (allow) {
        return { allowed: true, reason: `ALLOW ${id(allow)}` };
    }
    return { allowed: false, reason: `no ALLOW policy matched (${allows.map(id).join(", ")})` };
}
