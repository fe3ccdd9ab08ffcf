// The environment's access matrix: who can call whom, computed by the pure evaluator of
// components/service/access.ts from the AuthorizationPolicy manifests recorded in the plan (not
// from the config), so it checks what would really be deployed. Written by `npm run plan -- --env`.
import * as fs from "fs";
import * as path from "path";
import { PolicyManifest, Request, Workload, evaluateAccess, principalOf } from "../../components/service";
import { PROJECT } from "./evaluate";
import { StackPlan } from "./plan";
import { RecordedResource } from "./recorder";
import { ROOT, readStackConfig, stacksOfEnvironment } from "./stack-config";

/** The mesh facts the matrix needs: the trust domain, the root namespace and the ingress gateway. */
export interface AccessMesh {
    readonly trustDomain: string;
    readonly rootNamespace: string;
    readonly gatewayNamespace: string;
    /** The gateway's name, also its service account (the gateway Helm chart names both after the release). */
    readonly gatewayName: string;
}

/** One row of the matrix. */
export interface AccessRow {
    readonly from: string;
    readonly to: string;
    readonly method: string;
    readonly path: string;
    /** Whether the caller presented a valid end-user JWT (of an issuer the target accepts). */
    readonly token: boolean;
    readonly allowed: boolean;
    /** The policy that decided, e.g. `ALLOW backend/allow-callers`. */
    readonly reason: string;
}

/** The name of the outsider caller: any pod of the `default` namespace with the `default` account. */
export const OUTSIDER = "outsider";
/** The name of the ingress gateway caller. */
export const GATEWAY = "ingress-gateway";
/** The methods tried on every path. */
export const PROBE_METHODS = ["GET", "POST", "PUT", "DELETE"] as const;

/** A planned service, as the matrix sees it. */
interface PlannedService {
    readonly name: string;
    readonly namespace: string;
    readonly principal: string;
    /** One workload per version (its Deployment's pod labels). */
    readonly workloads: Workload[];
    /** Issuers its RequestAuthentications accept. */
    readonly issuers: string[];
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
                const inputs = d.inputs as { metadata: { namespace: string }; spec: { template: { metadata: { labels: Record<string, string> } } } };
                return { namespace: inputs.metadata.namespace, labels: inputs.spec.template.metadata.labels };
            });
            const issuers = ofType(resources, "kubernetes:security.istio.io/v1:RequestAuthentication").flatMap((r) =>
                ((r.inputs.spec as { jwtRules?: { issuer: string }[] }).jwtRules ?? []).map((j) => j.issuer),
            );
            return { name: p.config.stack.slice(p.config.stack.indexOf("-") + 1), namespace: outputs.namespace, principal: outputs.principal, workloads, issuers };
        });
}

/** Every AuthorizationPolicy manifest of the planned stacks. */
export function authorizationPolicies(plans: readonly StackPlan[]): PolicyManifest[] {
    return plans.flatMap((p) =>
        ofType(p.evaluation.resources, "kubernetes:security.istio.io/v1:AuthorizationPolicy").map((r) => r.inputs as unknown as PolicyManifest),
    );
}

/** The paths to try on a service: `/` and each path its policies name (`/api/*` as `/api/example`). */
function probePaths(policies: readonly PolicyManifest[], service: PlannedService): string[] {
    const paths = new Set<string>(["/"]);
    for (const p of policies) {
        if (!service.workloads.some((w) => p.metadata.namespace === w.namespace)) {
            continue;
        }
        for (const rule of p.spec?.rules ?? []) {
            for (const t of rule.to ?? []) {
                for (const pattern of [...(t.operation?.paths ?? []), ...(t.operation?.notPaths ?? [])]) {
                    paths.add(pattern.endsWith("*") ? `${pattern.slice(0, -1).replace(/\/?$/, "/")}example` : pattern);
                }
            }
        }
    }
    return [...paths].sort();
}

/**
 * The access matrix of planned service stacks: every service, the ingress gateway (with and
 * without a valid token) and the outsider, against every service, with each probe method and path.
 */
export function accessMatrix(plans: readonly StackPlan[], mesh: AccessMesh): AccessRow[] {
    const services = plannedServices(plans);
    const policies = authorizationPolicies(plans);
    type Caller = { name: string; principal: string; namespace: string; token: boolean };
    const callers: Caller[] = [
        ...services.map((s) => ({ name: s.name, principal: s.principal, namespace: s.namespace, token: false })),
        { name: GATEWAY, principal: principalOf(mesh.trustDomain, mesh.gatewayNamespace, mesh.gatewayName), namespace: mesh.gatewayNamespace, token: true },
        { name: GATEWAY, principal: principalOf(mesh.trustDomain, mesh.gatewayNamespace, mesh.gatewayName), namespace: mesh.gatewayNamespace, token: false },
        { name: OUTSIDER, principal: principalOf(mesh.trustDomain, "default", "default"), namespace: "default", token: false },
    ];
    const rows: AccessRow[] = [];
    for (const target of services) {
        for (const caller of callers.filter((c) => c.name !== target.name)) {
            for (const p of probePaths(policies, target)) {
                for (const method of PROBE_METHODS) {
                    // A token is only a request principal where a RequestAuthentication accepts its issuer.
                    const requestPrincipal = caller.token && target.issuers.length > 0 ? `${target.issuers[0]}/end-user` : undefined;
                    const request: Request = { principal: caller.principal, namespace: caller.namespace, requestPrincipal, method, path: p };
                    const decisions = target.workloads.map((w) => evaluateAccess(policies, w, request, mesh.rootNamespace));
                    const allowed = decisions.length > 0 && decisions.every((d) => d.allowed);
                    const reasons = [...new Set(decisions.map((d) => d.reason))];
                    rows.push({ from: caller.name, to: target.name, method, path: p, token: caller.token, allowed, reason: reasons.join("; ") });
                }
            }
        }
    }
    return rows;
}

/** The mesh facts from the environment's common stack plan (its outputs). */
export function accessMeshOf(plans: readonly StackPlan[]): AccessMesh {
    const common = plans.find((p) => p.layer === "common");
    const out = (common?.evaluation.rawOutputs ?? {}) as Record<string, unknown>;
    const missing = ["trustDomain", "istioNamespace", "gatewayNamespace", "gatewayName"].filter((k) => typeof out[k] !== "string" || out[k] === "");
    if (!common || missing.length > 0) {
        throw new Error(`access matrix: the common stack's plan lacks ${missing.join(", ")}`);
    }
    return {
        trustDomain: out.trustDomain as string,
        rootNamespace: out.istioNamespace as string,
        gatewayNamespace: out.gatewayNamespace as string,
        gatewayName: out.gatewayName as string,
    };
}

/**
 * Fails, naming the file, when a service stack of the environment allows a caller `service` that
 * has no stack in the environment (a typo or a service not deployed there).
 */
export function checkAllowedCallers(env: string, dir = ROOT): void {
    const stacks = stacksOfEnvironment(env, dir);
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
            if (typeof c?.service === "string" && !stacks.includes(`${env}-${c.service}`)) {
                problems.push(
                    `${path.basename(config.file)}: ${PROJECT}:allowedCallers[${i}].service = ${JSON.stringify(c.service)}: ` +
                        `no stack "${env}-${c.service}" in environment "${env}" (Pulumi.${env}-${c.service}.yaml does not exist); ` +
                        `allowed: one of ${stacks.filter((s) => s.startsWith(`${env}-`) && s !== `${env}-common`).map((s) => s.slice(env.length + 1)).join(", ")}`,
                );
            }
        });
    }
    if (problems.length > 0) {
        throw new Error(`environment "${env}": an allow rule names a service without a stack:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

function mermaidId(name: string): string {
    return name.replace(/[^A-Za-z0-9]/g, "_");
}

/** The Markdown report: a Mermaid graph of the allowed edges and the full table. */
export function accessMarkdown(env: string, rows: readonly AccessRow[]): string {
    const edges = new Map<string, Set<string>>();
    for (const r of rows.filter((x) => x.allowed)) {
        const key = `${r.from}\u0000${r.to}`;
        const label = `${r.method} ${r.path}${r.token ? " (token)" : ""}`;
        edges.set(key, (edges.get(key) ?? new Set()).add(label));
    }
    const nodes = [...new Set(rows.flatMap((r) => [r.from, r.to]))].sort();
    const graph = [
        "```mermaid",
        "flowchart LR",
        ...nodes.map((n) => `    ${mermaidId(n)}["${n}"]`),
        ...[...edges.entries()].sort().map(([key, labels]) => {
            const [from, to] = key.split("\u0000");
            return `    ${mermaidId(from)} -->|"${[...labels].join("<br/>")}"| ${mermaidId(to)}`;
        }),
        "```",
    ];
    const table = [
        "| from | to | token | method | path | allowed | decided by |",
        "|---|---|---|---|---|---|---|",
        ...rows.map((r) => `| ${r.from} | ${r.to} | ${r.token ? "yes" : "no"} | ${r.method} | \`${r.path}\` | ${r.allowed ? "**allowed**" : "refused"} | ${r.reason} |`),
    ];
    return [
        `# Access matrix of environment \`${env}\``,
        "",
        "Computed from the AuthorizationPolicies of the plan with Istio's semantics (components/service/access.ts).",
        "The ingress gateway is tried with and without a valid end-user token; services and the outsider",
        "(`default` namespace, `default` service account) without one.",
        "",
        "## Allowed edges",
        "",
        ...graph,
        "",
        "## Every request tried",
        "",
        ...table,
        "",
    ].join("\n");
}

/** Writes access.json and access.md into `dir`. */
export function writeAccessPlan(env: string, rows: readonly AccessRow[], dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "access.json"), `${JSON.stringify(rows, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, "access.md"), accessMarkdown(env, rows));
}

/** The environment step of `npm run plan -- --env <env>`: the matrix of the planned stacks, written to `<out>/<env>/`. */
export function planAccess(env: string, plans: readonly StackPlan[], out: string): { rows: AccessRow[]; dir: string } {
    const rows = accessMatrix(plans, accessMeshOf(plans));
    const dir = path.join(out, env);
    writeAccessPlan(env, rows, dir);
    return { rows, dir };
}
