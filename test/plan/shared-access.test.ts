// The shared workloads of the observability namespace in the access matrix of the dev plan, and the
// NetworkPolicy evaluation that says what holds in that sidecar-less namespace.
import * as assert from "assert";
import { AccessRow, GATEWAY, OUTSIDER, accessMeshOf, accessPlan } from "../../plan/access-plan";
import { networkPolicyVerdict, sharedPod, sharedPort } from "../../plan/shared-access";
import { OTLP_GRPC_EXPORT_PATH, SharedWorkload } from "../../components/observability/specs";
import { StackPlan } from "../../plan/plan";
import { devPlan } from "../helpers/dev-plan";

const PROMETHEUS = "observability.prometheus";
const GRAFANA = "observability.grafana";
const JAEGER = "observability.jaeger";
const SERVICES = ["backend", "frontend", "payment"];

describe("the shared workloads in the access matrix (plan/shared-access.ts)", () => {
    let plans: StackPlan[];
    let rows: AccessRow[];
    before(async () => {
        plans = await devPlan();
        rows = accessPlan(plans, accessMeshOf(plans)).rows;
    });
    const row = (from: string, to: string, method: string, path: string) => {
        const found = rows.filter((r) => r.from === from && r.to === to && r.method === method && r.path === path);
        assert.strictEqual(found.length, 1, `${from} -> ${to} ${method} ${path}: ${found.length} rows`);
        return found[0];
    };

    it("denies a service calling Prometheus' query API, by the policies and by the NetworkPolicies", () => {
        for (const service of SERVICES) {
            assert.deepStrictEqual(row(service, PROMETHEUS, "GET", "/api/v1/query"), {
                from: service,
                to: PROMETHEUS,
                method: "GET",
                path: "/api/v1/query",
                token: false,
                allowed: false,
                reason: "no ALLOW policy matched (observability/allow-nothing, observability/prometheus-from-grafana); no NetworkPolicy of observability admits it on 9090",
            });
        }
    });

    it("allows exactly: Grafana on Prometheus' API and Jaeger's query API, and trace export from every caller", () => {
        const allowed = [
            ...new Set(
                rows
                    .filter((r) => r.allowed && r.to.startsWith("observability."))
                    .map((r) => `${r.from} -> ${r.to} ${r.method} ${r.path}`),
            ),
        ].sort();
        const exporters = [...SERVICES, GATEWAY, OUTSIDER, GRAFANA, PROMETHEUS].sort();
        assert.deepStrictEqual(
            allowed,
            [
                ...exporters.map((c) => `${c} -> ${JAEGER} POST ${OTLP_GRPC_EXPORT_PATH}`),
                `${GRAFANA} -> ${JAEGER} GET /api/example`,
                `${GRAFANA} -> ${JAEGER} GET /api/traces`,
                `${GRAFANA} -> ${PROMETHEUS} GET /api/v1/example`,
                `${GRAFANA} -> ${PROMETHEUS} GET /api/v1/query`,
                `${GRAFANA} -> ${PROMETHEUS} POST /api/v1/example`,
                `${GRAFANA} -> ${PROMETHEUS} POST /api/v1/query`,
            ].sort(),
        );
        // Nobody reaches Grafana: its admin path is a port-forward, which no policy sees.
        assert.deepStrictEqual(
            rows.filter((r) => r.to === GRAFANA && r.allowed),
            [],
        );
        assert.strictEqual(
            row(GATEWAY, GRAFANA, "GET", "/").reason.startsWith(
                "no ALLOW policy matched (observability/allow-nothing)",
            ),
            true,
        );
        assert.deepStrictEqual(row("frontend", JAEGER, "GET", "/api/traces").allowed, false);
        assert.deepStrictEqual(row("frontend", JAEGER, "GET", OTLP_GRPC_EXPORT_PATH).allowed, false);
    });

    it("the NetworkPolicies admit a caller to a port exactly when the policies allow it some request there (Prometheus' scrapes aside)", () => {
        const shared = rows.filter((r) => r.to.startsWith("observability."));
        assert.ok(shared.length > 300, `${shared.length} rows`);
        // A NetworkPolicy sees a port, not a method or path: compare per caller, target and port.
        const byPort = new Map<string, { allowed: boolean; admitted: Set<boolean> }>();
        for (const r of shared) {
            const key = `${r.from} -> ${r.to}:${sharedPort(r.to.slice("observability.".length) as SharedWorkload, r.path)}`;
            const entry = byPort.get(key) ?? { allowed: false, admitted: new Set<boolean>() };
            entry.allowed ||= r.allowed;
            entry.admitted.add(!r.reason.includes("no NetworkPolicy of observability admits it"));
            byPort.set(key, entry);
        }
        const differ = [...byPort.entries()]
            .filter(([, e]) => e.admitted.size !== 1 || [...e.admitted][0] !== e.allowed)
            .map(
                ([key, e]) =>
                    `${key}: policies ${e.allowed ? "allow" : "deny"}, NetworkPolicies ${[...e.admitted].join("/")}`,
            );
        // Prometheus scrapes every pod of the namespace on any port (allow-from-prometheus); no policy names it.
        assert.deepStrictEqual(differ, [
            `${PROMETHEUS} -> ${GRAFANA}:3000: policies deny, NetworkPolicies true`,
            `${PROMETHEUS} -> ${JAEGER}:16686: policies deny, NetworkPolicies true`,
        ]);
        assert.deepStrictEqual(
            [...byPort.entries()]
                .filter(([, e]) => e.allowed)
                .map(([key]) => key)
                .sort(),
            [
                ...[...SERVICES, GATEWAY, OUTSIDER, GRAFANA, PROMETHEUS].map((c) => `${c} -> ${JAEGER}:4317`),
                `${GRAFANA} -> ${JAEGER}:16686`,
                `${GRAFANA} -> ${PROMETHEUS}:9090`,
            ].sort(),
        );
    });

    it("evaluates NetworkPolicies as Kubernetes does: selected pods, peers by namespace and pod, ports", () => {
        const frontend = { namespace: "frontend", labels: { app: "frontend" } };
        const jaeger = sharedPod("jaeger");
        assert.deepStrictEqual(networkPolicyVerdict(plans, frontend, jaeger, 4317), {
            admitted: true,
            reason: "NetworkPolicy observability/jaeger-trace-export admits it on 4317",
        });
        assert.deepStrictEqual(networkPolicyVerdict(plans, frontend, jaeger, 16686), {
            admitted: false,
            reason: "no NetworkPolicy of observability admits it on 16686",
        });
        assert.strictEqual(networkPolicyVerdict(plans, sharedPod("grafana"), jaeger, 16686).admitted, true);
        // A pod labelled like Grafana in another namespace is not Grafana: a bare podSelector is the policy's namespace.
        assert.strictEqual(
            networkPolicyVerdict(plans, { namespace: "frontend", labels: sharedPod("grafana").labels }, jaeger, 16686)
                .admitted,
            false,
        );
        // A service's port: its own NetworkPolicies (the dev plan's payment admits backend's namespace).
        assert.strictEqual(
            networkPolicyVerdict(
                plans,
                { namespace: "backend", labels: {} },
                { namespace: "payment", labels: { app: "payment" } },
                8080,
            ).admitted,
            true,
        );
        assert.strictEqual(sharedPort("jaeger", OTLP_GRPC_EXPORT_PATH), 4317);
        assert.strictEqual(sharedPort("jaeger", "/api/traces"), 16686);
        assert.strictEqual(sharedPort("prometheus", "/api/v1/query"), 9090);
    });
});
