// What must hold for any environment, whatever its stack files say: the checks the example files
// (and a fork of them) are held to, instead of their exact contents.
import { OTLP_GRPC_EXPORT_PATH } from "../../components/observability/specs";
import {
    GATEWAY,
    OUTSIDER,
    accessPlan,
    accessMeshOf,
    checkAllowedCallers,
    namespaceCaller,
} from "../../plan/access-plan";
import { PROJECT } from "../../plan/evaluate";
import { StackPlan, hasViolations } from "../../plan/plan";
import { formatPolicyViolation } from "../../plan/policy-run";
import { stacksOfEnvironment } from "../../plan/stack-config";
import { layerOfStackName, layerRank, serviceOfStackName } from "../../layers/layering";

interface CallerEntry {
    readonly service?: string;
    readonly namespace?: string;
}

const AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const PEER_AUTHN = "kubernetes:security.istio.io/v1:PeerAuthentication";

function configValue(plan: StackPlan, key: string): unknown {
    const text = plan.config.config[`${PROJECT}:${key}`];
    if (text === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * Every invariant an environment's plan breaks, one line each (empty: all hold):
 * - every stack with a file in `dir` is planned, in layer order;
 * - no name or tag breaks the conventions and no mandatory policy is violated;
 * - every allowed caller has a stack in the environment;
 * - default deny in every service namespace (allow-nothing, STRICT mTLS);
 * - in the access matrix the outsider reaches nothing, the gateway only exposed services, and a
 *   service only the services whose allowedCallers name it or its namespace.
 */
/**
 * What the observability namespace's fence is meant to admit (docs/common.md): Grafana on Prometheus'
 * and Jaeger's query APIs, and any caller exporting traces (POST of the OTLP/gRPC method) to Jaeger.
 */
function fenceAdmits(row: { from: string; to: string; method: string; path: string }): boolean {
    const grafanaQuery =
        row.from === "observability.grafana" &&
        ((row.to === "observability.prometheus" && row.path.startsWith("/api/v1/")) ||
            (row.to === "observability.jaeger" && row.method === "GET" && row.path.startsWith("/api/")));
    const traceExport =
        row.to === "observability.jaeger" && row.method === "POST" && row.path === OTLP_GRPC_EXPORT_PATH;
    return grafanaQuery || traceExport;
}

export function invariantProblems(env: string, dir: string, plans: readonly StackPlan[]): string[] {
    const problems: string[] = [];
    const planned = plans.map((p) => p.config.stack);
    const expected = stacksOfEnvironment(env, dir);
    if ([...planned].sort().join() !== expected.join()) {
        problems.push(`planned ${planned.join(", ")}; the stack files are ${expected.join(", ")}`);
    }
    const ranks = planned.map((s) => layerRank(layerOfStackName(s)));
    if (ranks.some((r, i) => i > 0 && r < ranks[i - 1])) {
        problems.push(`not planned in layer order: ${planned.join(", ")}`);
    }
    for (const plan of plans.filter(hasViolations)) {
        const lines = [
            ...plan.violations.map((v) => `${v.type} ${v.resource}: ${v.message}`),
            ...plan.policyViolations.filter((v) => v.enforcementLevel === "mandatory").map(formatPolicyViolation),
        ];
        problems.push(`${plan.config.stack}: ${lines.join("; ")}`);
    }
    try {
        checkAllowedCallers(env, dir);
    } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
    }
    const services = plans.filter((p) => p.layer === "service");
    for (const plan of services) {
        const service = serviceOfStackName(plan.config.stack);
        const ofType = (type: string) =>
            plan.evaluation.resources
                .filter((r) => r.type === type)
                .map((r) => r.inputs as { metadata: { name: string; namespace: string }; spec: unknown });
        const denyAll = ofType(AUTHZ).some(
            (p) =>
                p.metadata.name === "allow-nothing" &&
                p.metadata.namespace === service &&
                JSON.stringify(p.spec) === "{}",
        );
        if (!denyAll) {
            problems.push(
                `${plan.config.stack}: no allow-nothing AuthorizationPolicy (empty spec) in namespace ${service}`,
            );
        }
        const strict = ofType(PEER_AUTHN).some(
            (p) => p.metadata.namespace === service && (p.spec as { mtls?: { mode?: string } }).mtls?.mode === "STRICT",
        );
        if (!strict) {
            problems.push(`${plan.config.stack}: no STRICT PeerAuthentication in namespace ${service}`);
        }
    }
    const admits = new Map(
        services.map((p) => {
            const callers = (configValue(p, "allowedCallers") ?? []) as CallerEntry[];
            return [
                serviceOfStackName(p.config.stack),
                { callers, exposed: configValue(p, "exposed") === true },
            ] as const;
        }),
    );
    for (const row of accessPlan(plans, accessMeshOf(plans)).rows.filter((r) => r.allowed)) {
        const target = admits.get(row.to);
        const byConfig = row.to.startsWith("observability.")
            ? fenceAdmits(row)
            : row.from === GATEWAY
              ? target?.exposed === true
              : row.from !== OUTSIDER &&
                (target?.callers ?? []).some(
                    (c) =>
                        c.service === row.from ||
                        c.namespace === row.from ||
                        (c.namespace !== undefined && namespaceCaller(c.namespace) === row.from),
                );
        if (!byConfig) {
            problems.push(
                `access: ${row.from} -> ${row.to} ${row.method} ${row.path}${row.token ? " (token)" : ""} is allowed (${row.reason}) but no allowedCallers or exposed setting of ${row.to} admits it`,
            );
        }
    }
    return problems;
}
