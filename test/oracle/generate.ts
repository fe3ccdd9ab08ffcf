// Generated AuthorizationPolicies for the differential test against the oracle: the space our
// config and Istio allow (principals, namespaces, request principals as exact / prefix / suffix /
// `*` values and their not* forms, methods, paths with prefixes, suffixes and templates, ALLOW /
// DENY / AUDIT, namespace, selector and root-namespace scopes, several rules and sources), with
// values drawn from the case's own names so they sit at the edges of the requests the matrix tries.
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { PolicyManifest } from "../../plan/authorization";
import { AccessMesh, AccessRow, accessPlan } from "../../plan/access-plan";
import { StackPlan } from "../../plan/plan";
import { Manifest, addNamespaceCallers, deployment, writeManifests } from "../../plan/oracle";

/** The mesh of a generated plan; cases sharing a plan have a trust domain of their own, not Istio's default. */
export const MESH: AccessMesh = {
    trustDomain: "cluster.local",
    rootNamespace: "istio-system",
    gatewayNamespace: "istio-ingress",
    gatewayName: "istio-ingressgateway",
};
const SHARED_MESH: AccessMesh = { ...MESH, trustDomain: "mesh.example.org" };

/** Issuers the generated services accept: with and without a trailing '/', without any, with a path. */
export const ISSUERS = [
    "https://auth.example.com/",
    "https://auth.example.com",
    "issuer-a",
    "https://idp.example.org/realms/shop",
] as const;

/** A value of a source field before the case's names are known: which name, and which form of it. */
export interface Pattern {
    readonly form: "exact" | "prefix" | "suffix" | "middle" | "any" | "miss" | "literal";
    /** The service (principals), namespace (namespaces) or issuer (requestPrincipals) it is cut from. */
    readonly ref: number;
    /** Where prefix/suffix cut the name (modulo its length). */
    readonly cut: number;
    /** For requestPrincipals: the subject part (`end-user`, `end-*`, `*`, none, or another user). */
    readonly sub: "end-user" | "end-*" | "*" | "none" | "other";
    /** A literal value (the gateway's or the outsider's principal, a namespace). */
    readonly literal: string;
    /** For principals: written with the mesh's trust domain or with Istio's default `cluster.local`. */
    readonly defaultTd: boolean;
}

export interface GenSource {
    readonly field: "principals" | "namespaces" | "requestPrincipals";
    readonly negated: boolean;
    readonly values: Pattern[];
}

export interface GenRule {
    readonly from?: GenSource[][];
    readonly to?: { field: "methods" | "paths"; negated: boolean; values: string[] }[][];
    readonly when?: { values?: readonly string[]; notValues?: readonly string[] };
}

export interface GenPolicy {
    /** Namespace index, or "root" (the mesh's root namespace). */
    readonly scope: number | "root";
    /** Selector: none, the app label of a service, or the version label. */
    readonly selector: { kind: "none" } | { kind: "app"; service: number } | { kind: "version"; version: "v1" | "v2" };
    readonly action: "ALLOW" | "DENY" | "AUDIT";
    readonly rules: GenRule[];
}

export interface GenService {
    readonly namespace: number;
    readonly versions: 1 | 2;
    /** Index into ISSUERS of the issuer its RequestAuthentication accepts, or none. */
    readonly issuer: number | null;
}

/** One generated environment: 1-3 services in 1-2 namespaces and 1-4 policies. */
export interface GenCase {
    readonly namespaces: 1 | 2;
    readonly services: GenService[];
    readonly policies: GenPolicy[];
}

const pattern = (forms: Pattern["form"][]): fc.Arbitrary<Pattern> =>
    fc.record({
        form: fc.constantFrom(...forms),
        ref: fc.nat(3),
        cut: fc.nat(40),
        sub: fc.constantFrom("end-user", "end-*", "*", "none", "other"),
        literal: fc.constantFrom(
            "cluster.local/ns/istio-ingress/sa/istio-ingressgateway",
            "cluster.local/ns/default/sa/default",
            "istio-ingress",
            "default",
        ),
        defaultTd: fc.boolean(),
    });

const source: fc.Arbitrary<GenSource[]> = fc
    .uniqueArray(
        fc.record({
            field: fc.constantFrom("principals", "namespaces", "requestPrincipals"),
            negated: fc.boolean(),
            values: fc.array(pattern(["exact", "exact", "prefix", "suffix", "middle", "any", "miss", "literal"]), {
                minLength: 0,
                maxLength: 2,
            }),
        }),
        { minLength: 1, maxLength: 2, selector: (s) => `${s.negated}${s.field}` },
    )
    .map((fields) => nonEmpty(fields, () => ANY));

const ANY: Pattern = { form: "any", ref: 0, cut: 0, sub: "end-user", literal: "", defaultTd: false };

/** Empty lists are absent for istiod, but a source or operation with nothing at all is refused: keep one value. */
function nonEmpty<V, T extends { values: V[] }>(fields: T[], fallback: (f: T) => V): T[] {
    return fields.some((f) => f.values.length > 0)
        ? fields
        : fields.map((f, i) => (i === 0 ? { ...f, values: [fallback(f)] } : f));
}

export const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "*", "P*", "*T"];
export const PATHS = [
    "/",
    "/api",
    "/api/",
    "/api/items",
    "/charge",
    "/files/a.json",
    "/api/*",
    "/api*",
    "/*",
    "/files/*",
    "*.json",
    "*/items",
    "*s",
    "*",
    "/api/{*}",
    "/api/{**}",
    "/{*}/items",
    "/api/{*}/{**}",
    "/files/{**}",
    "/{**}",
    "/api/{*}/items",
    "/{*}",
];

const operation = fc
    .uniqueArray(
        fc.oneof(
            fc.record({
                field: fc.constant("methods" as const),
                negated: fc.boolean(),
                values: fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 0, maxLength: 2 }),
            }),
            fc.record({
                field: fc.constant("paths" as const),
                negated: fc.boolean(),
                values: fc.uniqueArray(fc.constantFrom(...PATHS), { minLength: 0, maxLength: 3 }),
            }),
        ),
        { minLength: 1, maxLength: 2, selector: (o) => `${o.negated}${o.field}` },
    )
    .map((ops) => nonEmpty(ops, (o) => (o.field === "methods" ? "GET" : "/api/*")));

const rule: fc.Arbitrary<GenRule> = fc.record(
    {
        // An empty `from: []` or `to: []` is accepted by Istio and means any.
        from: fc.array(source, { minLength: 0, maxLength: 2 }),
        to: fc.array(operation, { minLength: 0, maxLength: 2 }),
        when: fc.oneof(
            fc.constant({ notValues: ["*"] }),
            fc.constant({ values: ["t1"] }),
            fc.constant({ values: ["*"], notValues: ["t2"] }),
        ),
    },
    { requiredKeys: [] },
);

const policy: fc.Arbitrary<GenPolicy> = fc
    .record({
        scope: fc.oneof({ weight: 4, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant("root" as const) }),
        selector: fc.oneof(
            fc.constant({ kind: "none" as const }),
            fc.record({ kind: fc.constant("app" as const), service: fc.nat(2) }),
            fc.record({
                kind: fc.constant("version" as const),
                version: fc.constantFrom("v1" as const, "v2" as const),
            }),
        ),
        action: fc.constantFrom("ALLOW" as const, "ALLOW" as const, "DENY" as const, "AUDIT" as const),
        rules: fc.array(rule, { minLength: 0, maxLength: 3 }),
    })
    // Istio refuses a DENY policy without rules.
    .map((p) => (p.action === "DENY" && p.rules.length === 0 ? { ...p, rules: [{}] } : p));

export const genCase: fc.Arbitrary<GenCase> = fc.record({
    namespaces: fc.constantFrom(1 as const, 2 as const),
    services: fc.array(
        fc.record({
            namespace: fc.nat(1),
            versions: fc.constantFrom(1 as const, 2 as const),
            issuer: fc.option(fc.nat(ISSUERS.length - 1), { freq: 2 }),
        }),
        { minLength: 1, maxLength: 3 },
    ),
    policies: fc.array(policy, { minLength: 1, maxLength: 4 }),
});

/** The names of case `id`: its namespaces, its services' accounts and principals. */
function namesOf(c: GenCase, id: string, mesh: AccessMesh) {
    const namespaces = Array.from({ length: c.namespaces }, (_, i) => `${id}-${["front", "back"][i]}`);
    const services = c.services.map((s, i) => {
        const namespace = namespaces[s.namespace % c.namespaces];
        const name = `${id}-s${i}`;
        return { name, namespace, account: `sa-${i}`, principal: `${mesh.trustDomain}/ns/${namespace}/sa/sa-${i}` };
    });
    return { namespaces, services };
}

const cutAt = (s: string, n: number) => 1 + (n % Math.max(1, s.length - 1));

/** The concrete value of a pattern for one source field of case `id`. */
function valueOf(p: Pattern, field: GenSource["field"], c: GenCase, id: string, mesh: AccessMesh): string {
    const names = namesOf(c, id, mesh);
    if (p.form === "any") {
        return "*";
    }
    if (field === "requestPrincipals") {
        const iss = ISSUERS[p.ref % ISSUERS.length];
        const sub = { "end-user": "/end-user", "end-*": "/end-*", "*": "/*", none: "", other: "/someone-else" }[p.sub];
        switch (p.form) {
            case "prefix":
                return p.sub === "none" ? `${iss.slice(0, cutAt(iss, p.cut))}*` : `${iss}${sub}`.replace(/\*?$/, "*");
            case "suffix":
                return p.sub === "none"
                    ? `*${"end-user".slice(cutAt("end-user", p.cut))}`
                    : `*${iss.slice(cutAt(iss, p.cut))}${sub || "/end-user"}`;
            case "miss":
                return `${iss}x${sub || "/end-user"}`;
            case "middle":
                return `${iss.slice(0, cutAt(iss, p.cut))}*${iss.slice(cutAt(iss, p.cut))}${sub || "/end-user"}`;
            case "literal":
                return `${iss}*`; // https://auth.example.com/* with issuer https://auth.example.com/: the case the oracle found
            default:
                return `${iss}${sub || "/end-user"}`;
        }
    }
    const name =
        field === "principals"
            ? p.form === "literal"
                ? p.literal.includes("/")
                    ? p.literal
                    : `${mesh.trustDomain}/ns/${p.literal}/sa/default`
                : names.services[p.ref % names.services.length].principal.replace(
                      /^[^/]+/,
                      p.defaultTd ? "cluster.local" : mesh.trustDomain,
                  )
            : p.form === "literal"
              ? p.literal.includes("/")
                  ? p.literal.split("/")[2]
                  : p.literal
              : names.namespaces[p.ref % names.namespaces.length];
    switch (p.form) {
        case "prefix":
            return `${name.slice(0, cutAt(name, p.cut))}*`;
        case "suffix":
            return `*${name.slice(cutAt(name, p.cut))}`;
        case "middle":
            return `${name.slice(0, cutAt(name, p.cut))}*${name.slice(cutAt(name, p.cut) + 1)}`;
        case "miss":
            return `${name}x`;
        default:
            return name;
    }
}

/** The AuthorizationPolicy manifests of case `id`; root-namespace ones also select `case: <id>` unless `alone`. */
export function policiesOf(c: GenCase, id: string, alone: boolean): PolicyManifest[] {
    const mesh = meshOf(alone);
    const names = namesOf(c, id, mesh);
    return c.policies.map((p, i) => {
        const labels: Record<string, string> = {};
        if (p.selector.kind === "app") {
            labels.app = names.services[p.selector.service % names.services.length].name;
        } else if (p.selector.kind === "version") {
            labels.version = p.selector.version;
        }
        if (p.scope === "root" && !alone) {
            labels.case = id;
        }
        const spec: Record<string, unknown> = { action: p.action };
        if (Object.keys(labels).length > 0) {
            spec.selector = { matchLabels: labels };
        }
        spec.rules = p.rules.map((r) => {
            const out: Record<string, unknown> = {};
            if (r.from) {
                out.from = r.from.map((fields) => ({
                    source: Object.fromEntries(
                        fields.map((f) => [
                            f.negated ? `not${f.field[0].toUpperCase()}${f.field.slice(1)}` : f.field,
                            [...new Set(f.values.map((v) => valueOf(v, f.field, c, id, mesh)))],
                        ]),
                    ),
                }));
            }
            if (r.to) {
                out.to = r.to.map((ops) => ({
                    operation: Object.fromEntries(
                        ops.map((o) => [
                            o.negated ? `not${o.field[0].toUpperCase()}${o.field.slice(1)}` : o.field,
                            o.values,
                        ]),
                    ),
                }));
            }
            if (r.when) {
                out.when = [{ key: "request.headers[x-tenant]", ...r.when }];
            }
            return out;
        });
        const namespace = p.scope === "root" ? mesh.rootNamespace : names.namespaces[p.scope % c.namespaces];
        return {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: `${id}-p${i}`, namespace },
            spec,
        } as unknown as PolicyManifest;
    });
}

/** The mesh of a case: its own plan keeps Istio's default trust domain, a shared plan has another. */
export function meshOf(alone: boolean): AccessMesh {
    return alone ? MESH : SHARED_MESH;
}

/** Whether the case needs a plan of its own: a root-namespace policy without a selector applies mesh-wide. */
export function meshWide(c: GenCase): boolean {
    return c.policies.some((p) => p.scope === "root" && p.selector.kind === "none");
}

/** The case as the matrix sees a plan: one service stack per service (the policies in the first). */
export function stackPlansOf(
    c: GenCase,
    id: string,
    env: string,
    alone: boolean,
): { plans: StackPlan[]; manifests: Map<string, Manifest[]> } {
    const names = namesOf(c, id, meshOf(alone));
    const policies = policiesOf(c, id, alone);
    const manifests = new Map<string, Manifest[]>();
    const plans = c.services.map((s, i) => {
        const n = names.services[i];
        const objects: Manifest[] = [];
        for (const v of ["v1", "v2"].slice(0, s.versions)) {
            objects.push(deployment(`${n.name}-${v}`, n.namespace, n.account, { app: n.name, version: v, case: id }));
        }
        if (s.issuer !== null) {
            objects.push({
                apiVersion: "security.istio.io/v1",
                kind: "RequestAuthentication",
                metadata: { name: `${n.name}-jwt`, namespace: n.namespace },
                spec: {
                    selector: { matchLabels: { app: n.name } },
                    jwtRules: [{ issuer: ISSUERS[s.issuer], jwksUri: "https://keys.example.com/jwks.json" }],
                },
            });
        }
        if (i === 0) {
            objects.push(...(policies as unknown as Manifest[]));
        }
        manifests.set(`${env}-${n.name}`, objects);
        const resources = objects.map((o) => ({
            type: `kubernetes:${o.apiVersion === "apps/v1" ? "apps/v1" : "security.istio.io/v1"}:${o.kind as string}`,
            name: (o.metadata as { name: string }).name,
            inputs: o,
        }));
        return {
            config: { stack: `${env}-${n.name}` },
            layer: "service",
            evaluation: { resources, rawOutputs: { namespace: n.namespace, principal: n.principal } },
        } as unknown as StackPlan;
    });
    return { plans, manifests };
}

/** A batch written as plan folders: which rows (and so which case) each oracle run checks. */
export interface WrittenBatch {
    readonly runs: { env: string; rows: AccessRow[]; caseOfRow: number[] }[];
}

/**
 * Writes cases into `planDir` as the oracle reads plans: cases share the environment `gen` (own
 * namespaces, root-namespace policies scoped by a `case` label), except mesh-wide ones, each alone
 * in `alone<i>`. The rows are our matrix (accessPlan) of each case.
 */
export function writeBatch(planDir: string, cases: readonly GenCase[]): WrittenBatch {
    const runs = new Map<string, { env: string; mesh: AccessMesh; rows: AccessRow[]; caseOfRow: number[] }>();
    cases.forEach((c, i) => {
        const alone = meshWide(c);
        const env = alone ? `alone${i}` : "gen";
        const { plans, manifests } = stackPlansOf(c, `c${i}`, env, alone);
        const rows = accessPlan(plans, meshOf(alone)).rows;
        for (const [stack, objects] of manifests) {
            writeManifests(path.join(planDir, stack), objects);
        }
        const run = runs.get(env) ?? { env, mesh: meshOf(alone), rows: [], caseOfRow: [] };
        runs.set(env, run);
        run.rows.push(...rows);
        run.caseOfRow.push(...rows.map(() => i));
    });
    for (const run of runs.values()) {
        const common = path.join(planDir, `${run.env}-common`);
        fs.mkdirSync(common, { recursive: true });
        fs.writeFileSync(
            path.join(common, "outputs.json"),
            JSON.stringify({
                trustDomain: run.mesh.trustDomain,
                istioNamespace: run.mesh.rootNamespace,
                gatewayNamespace: run.mesh.gatewayNamespace,
                gatewayName: run.mesh.gatewayName,
            }),
        );
        fs.mkdirSync(path.join(planDir, run.env), { recursive: true });
        fs.writeFileSync(path.join(planDir, run.env, "access.json"), JSON.stringify(run.rows));
        addNamespaceCallers(planDir, run.env, run.rows);
    }
    return { runs: [...runs.values()] };
}
