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
 * Matching follows the Envoy RBAC filters istiod generates (pilot/pkg/security/authz), checked
 * against them by the oracle (docs/service.md "How the matrix is proven"). A policy Istio's
 * validation refuses is refused here too (policyProblems), never evaluated.
 */
import { isIP } from "net";
import type { DataPlane } from "../components/mesh/dataplane";
import { GATEWAY_NETWORKING_API_VERSION, WAYPOINT_NAME } from "../components/service/ambient";

/** The Gateway API's group, which a waypoint's `Gateway` is of. */
const GATEWAY_API_GROUP = GATEWAY_NETWORKING_API_VERSION.split("/")[0];

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
    readonly when?: readonly {
        readonly key: string;
        readonly values?: readonly string[];
        readonly notValues?: readonly string[];
    }[];
}

/** The workload a request goes to. */
export interface Workload {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** A validated end-user JWT: the claims Istio's request principal is made of (`<iss>/<sub>`). */
export interface Token {
    readonly iss: string;
    readonly sub: string;
}

/** A request as the workload's sidecar sees it. */
export interface Request {
    /** The peer's mTLS principal, `<trustDomain>/ns/<ns>/sa/<sa>`; undefined for plain text. */
    readonly principal?: string;
    /** The end user's JWT, only when a RequestAuthentication of the workload validated it. */
    readonly token?: Token;
    /** The peer's IP address. */
    readonly ip?: string;
    readonly method: string;
    /** The request path; a query (`?...`) or fragment is ignored by path rules, as Envoy's `url_path` does. */
    readonly path: string;
    /** Request headers, lower-case names. */
    readonly headers?: Readonly<Record<string, string>>;
}

/** The verdict on one request, with the policy (and its rule) that decided it. */
export interface Decision {
    readonly allowed: boolean;
    /** e.g. `DENY backend/require-jwt`, `ALLOW backend/allow-callers`, `no ALLOW policy matched`. */
    readonly reason: string;
    /** The deciding policy and the index of its matching rule, when one matched. */
    readonly rule?: { readonly policy: PolicyManifest; readonly index: number };
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
    if (pattern.startsWith("*")) {
        return value.endsWith(pattern.slice(1));
    }
    if (pattern.endsWith("*")) {
        return value.startsWith(pattern.slice(0, -1));
    }
    return value === pattern;
}

/**
 * `principals`: Istio matches the peer's URI SAN `spiffe://<principal>` (exact, `prefix*` with
 * `spiffe://` in front, `*suffix` as `spiffe://.*<suffix quoted>`, `*` any): the same as matching
 * the principal itself, but only with mTLS (plain text has no peer certificate).
 */
function principalMatches(pattern: string, principal: string | undefined): boolean {
    return principal !== undefined && matchesValue(pattern, principal);
}

/** Istio's default trust domain, which a principal may name to mean the mesh's own. */
export const DEFAULT_TRUST_DOMAIN = "cluster.local";

/**
 * The principals istiod matches for a `principals` value (trustdomain.Bundle, no aliases): a
 * `<td>/ns/<ns>/sa/<sa>` value whose trust domain is `cluster.local`, the mesh's, or a pattern
 * either way of it (`cluster.loca*`, `*local`) gets the mesh's trust domain instead; a `*td` that
 * matches the mesh's stays as written. Anything else (another trust domain, `*` as the trust
 * domain, not five parts) is matched as written.
 */
export function withTrustDomain(principal: string, trustDomain: string): string[] {
    const parts = principal.split("/");
    if (parts.length !== 5 || parts[0] === "*") {
        return [principal];
    }
    const td = parts[0];
    const prefix = (a: string, p: string) => p.endsWith("*") && a.startsWith(p.slice(0, -1));
    const suffix = (a: string, p: string) => p.startsWith("*") && a.endsWith(p.slice(1));
    const related =
        td === trustDomain ||
        prefix(td, trustDomain) ||
        prefix(trustDomain, td) ||
        suffix(td, trustDomain) ||
        suffix(trustDomain, td);
    if (!related && td !== DEFAULT_TRUST_DOMAIN) {
        return [principal];
    }
    return [suffix(trustDomain, td) ? principal : [trustDomain, ...parts.slice(1)].join("/")];
}

/**
 * `namespaces`: Istio matches the peer's URI SAN against a regular expression: any text, then
 * `/ns/<value>/`, then any text, where each `*` of the value is `.*` and the rest is literal;
 * so a namespace needs mTLS, and `*` may stand anywhere in the value.
 */
function namespaceMatches(pattern: string, principal: string | undefined): boolean {
    if (principal === undefined) {
        return false;
    }
    const namespace = pattern.split("*").map(escapeRegex).join(".*");
    return new RegExp(`^.*/ns/${namespace}/.*$`).test(`spiffe://${principal}`);
}

/**
 * `requestPrincipals` (Istio 1.21+): the value is split at its **last** `/` into an issuer and a
 * subject pattern, each matched against the token's `iss` and `sub` claims. `*` alone matches any
 * non-empty claims. With a `/`: a leading `*` makes the issuer a suffix (a bare `*` issuer: any)
 * and the subject exact; a trailing `*` keeps the issuer exact and makes the subject a prefix (a
 * bare `*` subject: any). Without a `/`: a leading `*` is any issuer with a subject suffix, a
 * trailing `*` an issuer prefix with any subject. So `https://auth.example.com/` + `*` needs the
 * issuer `https://auth.example.com` exactly, not `https://auth.example.com/`.
 */
export function requestPrincipalMatches(pattern: string, token: Token | undefined): boolean {
    if (token === undefined) {
        return false;
    }
    const slash = pattern.lastIndexOf("/");
    const split = slash >= 0;
    const iss = split ? pattern.slice(0, slash) : pattern;
    const sub = split ? pattern.slice(slash + 1) : "";
    const any = (v: string) => v !== "";
    if (pattern === "*") {
        return any(token.iss) && any(token.sub);
    }
    if (pattern.startsWith("*")) {
        return split
            ? (iss === "*" ? any(token.iss) : token.iss.endsWith(iss.slice(1))) && token.sub === sub
            : any(token.iss) && token.sub.endsWith(pattern.slice(1));
    }
    if (pattern.endsWith("*")) {
        return split
            ? token.iss === iss && (sub === "*" ? any(token.sub) : token.sub.startsWith(sub.slice(0, -1)))
            : token.iss.startsWith(pattern.slice(0, -1)) && any(token.sub);
    }
    return token.iss === iss && token.sub === sub;
}

/** Istio's path templates: `{*}` (one path segment) and `{**}` (any number of segments). */
export const PATH_TEMPLATE = /\{\*\*?\}/;

/** A path segment character of Envoy's URI templates (RFC 3986 pchar, without `=`). */
const PCHAR = "[a-zA-Z0-9\\-._~%!$&'()+,;:@]";

/**
 * Envoy's `uri_template` match of a path template as Istio writes it (`{*}` becomes `*`, `{**}`
 * becomes `**`): `*` is one non-empty segment, `**` any text including `/` (even none), every
 * other segment is literal; the whole path must match.
 */
export function pathTemplateMatches(template: string, path: string): boolean {
    const segments = template
        .slice(1)
        .split("/")
        .map((s) => (s === "{**}" ? `${PCHAR.slice(0, -1)}/]*` : s === "{*}" ? `${PCHAR}+` : escapeRegex(s)));
    return new RegExp(`^/${segments.join("/")}$`).test(path);
}

function escapeRegex(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The path as Envoy's `url_path` matcher sees it: without query and fragment. */
function urlPath(path: string): string {
    const cut = path.search(/[?#]/);
    return cut >= 0 ? path.slice(0, cut) : path;
}

/** Whether a `paths` value matches: a template, or exact / `prefix*` / `*suffix` / `*`. */
export function pathMatches(pattern: string, path: string): boolean {
    const p = urlPath(path);
    return PATH_TEMPLATE.test(pattern) ? pathTemplateMatches(pattern, p) : matchesValue(pattern, p);
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

type FieldMatch = (pattern: string, r: Request) => boolean;

const SOURCE_FIELDS: Record<string, FieldMatch> = {
    principals: (v, r) => principalMatches(v, r.principal),
    namespaces: (v, r) => namespaceMatches(v, r.principal),
    requestPrincipals: (v, r) => requestPrincipalMatches(v, r.token),
    ipBlocks: (v, r) => inIpBlock(v, r.ip),
    remoteIpBlocks: (v, r) => inIpBlock(v, r.ip),
};

const OPERATION_FIELDS: Record<string, FieldMatch> = {
    methods: (v, r) => matchesValue(v, r.method),
    paths: (v, r) => pathMatches(v, r.path),
};

function policyId(policy: PolicyManifest): string {
    return `${policy.metadata.namespace ?? "?"}/${policy.metadata.name}`;
}

function fail(policy: PolicyManifest, what: string): never {
    throw new Error(`access matrix: policy ${policyId(policy)}: ${what} is not modelled`);
}

/** The field without its `not` (`notPaths` -> `paths`), and whether it was negated. */
function baseField(field: string): { base: string; negated: boolean } {
    const negated = /^not[A-Z]/.test(field);
    return { base: negated ? field[3].toLowerCase() + field.slice(4) : field, negated };
}

/** Every field present must match (a `not*` field: none of its values); a field: any of its values. */
function fieldsMatch(
    policy: PolicyManifest,
    kind: string,
    fields: Record<string, FieldMatch>,
    values: Record<string, readonly string[]>,
    r: Request,
    trustDomain: string,
): boolean {
    // An empty list is absent for istiod, like an empty `from`.
    return Object.entries(values).every(([field, patterns]) => {
        if (patterns.length === 0) {
            return true;
        }
        const { base, negated } = baseField(field);
        const match = fields[base] ?? fail(policy, `${kind} field ${field}`);
        const values = base === "principals" ? patterns.flatMap((p) => withTrustDomain(p, trustDomain)) : patterns;
        const hit = values.some((p) => match(p, r));
        return negated ? !hit : hit;
    });
}

const HEADER_CONDITION = /^request\.headers\[(.+)\]$/;

function conditionMatches(policy: PolicyManifest, c: NonNullable<PolicyRule["when"]>[number], r: Request): boolean {
    const m = HEADER_CONDITION.exec(c.key);
    if (!m) {
        return fail(policy, `condition key ${c.key}`);
    }
    const value = r.headers?.[m[1].toLowerCase()];
    if (c.values?.length && !c.values.some((p) => matchesValue(p, value))) {
        return false;
    }
    if (c.notValues?.length && c.notValues.some((p) => matchesValue(p, value))) {
        return false;
    }
    return true;
}

/** Fails, naming the policy, on a field or condition the evaluator does not model, whether or not a request reaches it. */
function checkModelled(policy: PolicyManifest): void {
    for (const rule of policy.spec?.rules ?? []) {
        const fields = [
            ...(rule.from ?? []).flatMap((f) =>
                Object.keys(f.source ?? {}).map((k) => ({ k, kind: "source", known: SOURCE_FIELDS })),
            ),
            ...(rule.to ?? []).flatMap((t) =>
                Object.keys(t.operation ?? {}).map((k) => ({ k, kind: "operation", known: OPERATION_FIELDS })),
            ),
        ];
        fields
            .filter(({ k, known }) => !known[baseField(k).base])
            .forEach(({ k, kind }) => fail(policy, `${kind} field ${k}`));
        (rule.when ?? [])
            .filter((c) => !HEADER_CONDITION.test(c.key))
            .forEach((c) => fail(policy, `condition key ${c.key}`));
    }
}

/** What only an HTTP proxy sees: the fields a policy ztunnel enforces cannot use. */
const L7_FIELDS = new Set(["requestPrincipals", "remoteIpBlocks", "methods", "paths", "hosts"]);

/**
 * ztunnel enforces a policy at L4: one with HTTP attributes there is not Istio's to judge by the
 * rules the matrix models (the service layer puts them on a waypoint), so it is refused, not guessed.
 */
function checkLayer4(policy: PolicyManifest): void {
    for (const rule of policy.spec?.rules ?? []) {
        const fields = [
            ...(rule.from ?? []).flatMap((f) => Object.keys(f.source ?? {})),
            ...(rule.to ?? []).flatMap((t) => Object.keys(t.operation ?? {})),
        ].map((k) => baseField(k).base);
        const l7 = fields.find((k) => L7_FIELDS.has(k));
        if (l7 !== undefined || (rule.when ?? []).length > 0) {
            fail(policy, `${l7 ?? "a when condition"} in a policy ztunnel enforces (L4 only)`);
        }
    }
}

/** Whether a rule matches: every present part (`from` any, `to` any, `when` all). */
function ruleMatches(policy: PolicyManifest, rule: PolicyRule, r: Request, trustDomain: string): boolean {
    // An empty `from` or `to` list reaches istiod as an absent one (protobuf has no empty list): any.
    const from =
        rule.from === undefined ||
        rule.from.length === 0 ||
        rule.from.some((f) => fieldsMatch(policy, "source", SOURCE_FIELDS, f.source ?? {}, r, trustDomain));
    const to =
        rule.to === undefined ||
        rule.to.length === 0 ||
        rule.to.some((t) => fieldsMatch(policy, "operation", OPERATION_FIELDS, t.operation ?? {}, r, trustDomain));
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

/**
 * How a data plane binds an AuthorizationPolicy to a workload (components/mesh/dataplane.ts): by
 * `selector`, each selected pod's proxy enforcing it; or `ambient`, where the pod's ztunnel
 * enforces the policies that select it (or its namespace) and a policy with `targetRefs` binds to
 * a waypoint instead, never to the pod. `waypoint` is the other half of ambient: the policies a
 * namespace's waypoint enforces, attached by `targetRefs` to its `Gateway` (WAYPOINT_NAME).
 */
export type PolicyBinding = DataPlane["policyBinding"] | "waypoint";

/** Whether a policy is attached by `targetRefs` to the waypoint `Gateway` of the workload's namespace. */
function attachedToWaypoint(policy: PolicyManifest, workload: Workload): boolean {
    if (policy.spec?.targetRef !== undefined) {
        fail(policy, "targetRef");
    }
    const refs = (policy.spec?.targetRefs ?? []) as { group?: string; kind?: string; name?: string }[];
    if (refs.length === 0 || policy.metadata.namespace !== workload.namespace) {
        return false;
    }
    const other = refs.find((r) => r.kind !== "Gateway" || r.group !== GATEWAY_API_GROUP);
    if (other !== undefined) {
        fail(policy, `targetRefs to a ${other.kind ?? "resource"} (only a waypoint Gateway is modelled)`);
    }
    return refs.some((r) => r.name === WAYPOINT_NAME);
}

/** Whether `policy` applies to `workload` under `binding`. */
export function applies(
    binding: PolicyBinding,
    policy: PolicyManifest,
    workload: Workload,
    rootNamespace = ROOT_NAMESPACE,
): boolean {
    switch (binding) {
        case "selector":
            return selects(policy, workload, rootNamespace);
        case "ambient":
            return policy.spec?.targetRefs === undefined && policy.spec?.targetRef === undefined
                ? selects(policy, workload, rootNamespace)
                : false;
        case "waypoint":
            return attachedToWaypoint(policy, workload);
    }
}

/** What Istio's validation (the admission webhook) refuses in a policy: none means valid. */
export function policyProblems(policy: PolicyManifest): string[] {
    const spec = policy.spec ?? {};
    const problems: string[] = [];
    const action = spec.action ?? "ALLOW";
    if (!["ALLOW", "DENY", "AUDIT", "CUSTOM"].includes(action)) {
        problems.push(`action ${JSON.stringify(action)}: allowed: ALLOW, DENY, AUDIT or CUSTOM`);
    }
    if (spec.provider !== undefined && action !== "CUSTOM") {
        problems.push(`provider: \`provider\` must not be with non CUSTOM action, found ${action}`);
    }
    if (spec.selector !== undefined && (spec.targetRef !== undefined || spec.targetRefs !== undefined)) {
        problems.push("selector: only one of targetRefs or workloadSelector can be set");
    }
    if ((action === "DENY" || action === "CUSTOM") && (spec.rules === undefined || spec.rules.length === 0)) {
        problems.push(
            `rules: ${action} action without \`rules\` is meaningless as it will never be triggered; add an empty rule {} to match every request`,
        );
    }
    const values = (at: string, field: string, list: unknown) => {
        if (!Array.isArray(list)) {
            problems.push(`${at}.${field}: must be a list of strings`);
            return;
        }
        list.forEach((v, k) => {
            if (typeof v !== "string" || v === "") {
                problems.push(`${at}.${field}[${k}]: empty value not allowed`);
            } else if (/ipBlocks|IpBlocks/.test(field) && !validCidr(v)) {
                problems.push(`${at}.${field}[${k}]: bad IP address or CIDR range (${v})`);
            } else if (field.endsWith("aths")) {
                const bad = pathProblem(v);
                if (bad) {
                    problems.push(`${at}.${field}[${k}]: invalid or unsupported path ${v}: ${bad}`);
                }
            }
        });
    };
    const part = (at: string, list: unknown, key: "source" | "operation") => {
        if (list === undefined) {
            return;
        }
        if (!Array.isArray(list)) {
            problems.push(`${at}: must be a list`);
            return;
        }
        list.forEach((item: Record<string, unknown> | undefined, j) => {
            const inner = item?.[key] as Record<string, unknown> | undefined;
            const where = `${at}[${j}].${key}`;
            if (inner === undefined || inner === null) {
                problems.push(`${where}: must not be nil`);
                return;
            }
            const fields = Object.entries(inner).filter(([, v]) => !Array.isArray(v) || v.length > 0);
            if (fields.length === 0) {
                problems.push(`${where}: \`${key === "source" ? "from.source" : "to.operation"}\` must not be empty`);
            }
            fields.forEach(([field, list]) => values(where, field, list));
        });
    };
    (spec.rules ?? []).forEach((rule, i) => {
        const at = `rules[${i}]`;
        if (rule === null || typeof rule !== "object") {
            problems.push(`${at}: \`rule\` must not be nil`);
            return;
        }
        part(`${at}.from`, rule.from, "source");
        part(`${at}.to`, rule.to, "operation");
        (rule.when ?? []).forEach((c, j) => {
            const where = `${at}.when[${j}]`;
            if (!c?.key) {
                problems.push(`${where}: \`key\` must not be empty`);
            } else if (!(c.values?.length || c.notValues?.length)) {
                problems.push(`${where}: at least one of \`values\` or \`notValues\` must be set for key ${c.key}`);
            } else if (!KNOWN_CONDITION.test(c.key)) {
                problems.push(
                    `${where}: unknown attribute ${c.key} (or one Istio refuses: destination.namespace, destination.labels[...], destination.name, destination.user)`,
                );
            } else {
                values(where, "values", c.values ?? []);
                values(where, "notValues", c.notValues ?? []);
            }
        });
    });
    return problems;
}

/** The condition keys Istio's validation accepts (`request.headers[name]` is the one evaluated here). */
const KNOWN_CONDITION =
    /^(request\.(experimental\.inline\.)?headers\[.+\]|request\.auth\.claims\[.+\]|experimental\.envoy\.filters\..+\[.+\]|source\.(ip|namespace|serviceAccount|principal)|remote\.ip|request\.auth\.(principal|audiences|presenter)|destination\.(ip|port)|connection\.sni)$/;

/** Whether `v` is an IP address or CIDR range Istio accepts. */
function validCidr(v: string): boolean {
    const [addr, bits, ...rest] = v.split("/");
    const family = isIP(addr);
    return (
        family !== 0 &&
        rest.length === 0 &&
        (bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)))
    );
}

/**
 * Why Istio refuses a `paths` value, or undefined: `{*}` and `{**}` only as whole segments, `{**}`
 * the last operator, no other `{` or `}`, and in a template only RFC 3986 pchar literals.
 */
function pathProblem(path: string): string | undefined {
    const template = PATH_TEMPLATE.test(path);
    let anySeen = false;
    for (const glob of path.replace(/^\/+|\/+$/g, "").split("/")) {
        if (glob === "{*}" || glob === "{**}") {
            if (anySeen) {
                return "{**} is not the last operator";
            }
            anySeen = glob === "{**}";
            continue;
        }
        if (/[{}]/.test(glob)) {
            return "contains '{' or '}' beyond a supported path template";
        }
        if (template && !/^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/.test(glob)) {
            return `contains segment ${JSON.stringify(glob)} with invalid string literal`;
        }
    }
    return undefined;
}

/** Fails, naming each policy and what is wrong, when Istio's validation would refuse any of them. */
export function checkPolicies(policies: readonly PolicyManifest[]): void {
    const refused = policies.map((p) => ({ p, problems: policyProblems(p) })).filter((x) => x.problems.length > 0);
    if (refused.length > 0) {
        throw new Error(
            `access matrix: Istio's validation refuses ${refused.length === 1 ? "a policy" : `${refused.length} policies`}, so it is not evaluated:\n` +
                refused
                    .map(({ p, problems }) =>
                        problems.map((x) => `  - AuthorizationPolicy ${policyId(p)}: ${x}`).join("\n"),
                    )
                    .join("\n"),
        );
    }
}

/** Istio's verdict on `request` to `workload` under `policies` (each must pass Istio's validation). */
export function evaluateAccess(
    policies: readonly PolicyManifest[],
    workload: Workload,
    request: Request,
    rootNamespace = ROOT_NAMESPACE,
    trustDomain = DEFAULT_TRUST_DOMAIN,
    binding: PolicyBinding = "selector",
): Decision {
    return accessEvaluator(policies, workload, rootNamespace, trustDomain, binding)(request);
}

/**
 * Istio's verdict on any request to `workload` under `policies`: the policies that apply to the
 * workload (as its data plane binds them) are picked, validated and checked for what the
 * evaluator models once, here (failing as evaluateAccess does), so that a matrix of many requests
 * to one workload pays for it once.
 */
export function accessEvaluator(
    policies: readonly PolicyManifest[],
    workload: Workload,
    rootNamespace = ROOT_NAMESPACE,
    trustDomain = DEFAULT_TRUST_DOMAIN,
    binding: PolicyBinding = "selector",
): (request: Request) => Decision {
    const applicable = policies.filter((p) => applies(binding, p, workload, rootNamespace));
    checkPolicies(applicable);
    applicable.forEach(checkModelled);
    if (binding === "ambient") {
        applicable.forEach(checkLayer4);
    }
    const byAction = (action: string) => applicable.filter((p) => (p.spec?.action ?? "ALLOW") === action);
    if (byAction("CUSTOM").length > 0) {
        fail(byAction("CUSTOM")[0], "action CUSTOM");
    }
    const denies = byAction("DENY");
    const allows = byAction("ALLOW");
    const noMatch = `no ALLOW policy matched (${allows.map(policyId).join(", ")})`;
    const decide = (request: Request): Decision => {
        const firstMatch = (candidates: PolicyManifest[]) => {
            for (const policy of candidates) {
                const index = (policy.spec?.rules ?? []).findIndex((rule) =>
                    ruleMatches(policy, rule, request, trustDomain),
                );
                if (index >= 0) {
                    return { policy, index };
                }
            }
            return undefined;
        };
        const deny = firstMatch(denies);
        if (deny) {
            return { allowed: false, reason: `DENY ${policyId(deny.policy)}`, rule: deny };
        }
        if (allows.length === 0) {
            return { allowed: true, reason: "no ALLOW policy selects the workload" };
        }
        const allow = firstMatch(allows);
        if (allow) {
            return { allowed: true, reason: `ALLOW ${policyId(allow.policy)}`, rule: allow };
        }
        return { allowed: false, reason: noMatch };
    };
    // A request's principal counts only through the principals and namespaces values it matches:
    // requests alike in those, the token, method and path get one decision, so a matrix of every
    // service against every other evaluates each kind of caller once (requests with an IP address or
    // headers, which the matrix does not send, are always evaluated).
    const principalValues = applicable.flatMap((p) => principalValuesOf(p, trustDomain));
    const kinds = new Map<string | undefined, string>();
    const decided = new Map<string, Decision>();
    return (request) => {
        if (request.ip !== undefined || request.headers !== undefined) {
            return decide(request);
        }
        const principal = request.principal;
        let kind = kinds.get(principal);
        if (kind === undefined) {
            kind = principalValues.map((matches) => (matches(principal) ? "1" : "0")).join("");
            kinds.set(principal, kind);
        }
        // No NUL in an HTTP method or path: the key is unambiguous.
        const token = request.token === undefined ? "" : JSON.stringify([request.token.iss, request.token.sub]);
        const key = `${kind}\u0000${token}\u0000${request.method}\u0000${request.path}`;
        const known = decided.get(key);
        if (known !== undefined) {
            return known;
        }
        const decision = decide(request);
        decided.set(key, decision);
        return decision;
    };
}

/** A test per `principals` and `namespaces` value (and their `not` forms) of `policy`'s rules. */
function principalValuesOf(
    policy: PolicyManifest,
    trustDomain: string,
): ((principal: string | undefined) => boolean)[] {
    return (policy.spec?.rules ?? [])
        .flatMap((rule) => rule.from ?? [])
        .flatMap((f) => Object.entries(f.source ?? {}))
        .flatMap(([field, patterns]) => {
            const { base } = baseField(field);
            if (base === "principals") {
                return patterns
                    .flatMap((p) => withTrustDomain(p, trustDomain))
                    .map((p) => (principal: string | undefined) => principalMatches(p, principal));
            }
            return base === "namespaces"
                ? patterns.map((p) => (principal: string | undefined) => namespaceMatches(p, principal))
                : [];
        });
}
