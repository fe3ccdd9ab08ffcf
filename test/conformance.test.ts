import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Manifest, formatProblem, validateManifests } from "./helpers/conformance";
import { devPlan } from "./helpers/dev-plan";
import { manifestsOf, writeStackPlan } from "../plan/plan";
import { tempDir } from "./helpers/temp";
import { commonStack, serviceStack } from "./policy/fixtures";

describe("schema conformance (test/helpers/conformance.ts)", function () {
    it("every object of every manifests.yaml of the dev plan validates against the upstream schemas", async function () {
        const plans = await devPlan();
        const out = tempDir("conformance");
        const problems: string[] = [];
        let objects = 0;
        for (const plan of plans) {
            const dir = path.join(out, plan.config.stack);
            writeStackPlan(plan, dir);
            const manifests = yaml.loadAll(fs.readFileSync(path.join(dir, "manifests.yaml"), "utf8")) as Manifest[];
            objects += manifests.length;
            problems.push(
                ...(await validateManifests(manifests)).map((p) => `${plan.config.stack}: ${formatProblem(p)}`),
            );
        }
        fs.rmSync(out, { recursive: true, force: true });
        assert.ok(objects > 0, "the dev plan has Kubernetes objects");
        assert.deepStrictEqual(problems, []);
    });

    it("the objects the layers produce (synthetic common and service stacks) validate", async () => {
        assert.deepStrictEqual(
            (await validateManifests(manifestsOf([...commonStack(), ...serviceStack()]))).map(formatProblem),
            [],
        );
    });

    it('leaves masked values out: a secret shown as "[secret]" is neither a wrong type nor a missing field', async () => {
        const secret: Manifest = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "grafana-admin", namespace: "observability" },
            stringData: "[secret]",
        };
        const masked: Manifest = {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "x" },
            roleRef: "[secret]",
            subjects: [],
        };
        assert.deepStrictEqual((await validateManifests([secret, masked])).map(formatProblem), []);
        const unmasked: Manifest = { ...secret, stringData: "admin" };
        assert.deepStrictEqual((await validateManifests([unmasked])).map(formatProblem), [
            "Secret observability/grafana-admin: /stringData must be object",
        ]);
    });

    // An unknown field inside a spec or in a built-in kind is a compile error (test/types/manifests.test.ts).
    it("fails a wrong enum, a missing required field, a wrong type, a custom resource's unknown top-level field and an unknown kind, each with a clear message", async () => {
        const bad: Manifest[] = [
            {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: { name: "default", namespace: "istio-system" },
                spec: { mtls: { mode: "STRICTER" } },
            },
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "backend", namespace: "backend" },
                spec: { endpoints: [{ port: "http" }] },
            },
            {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "backend", namespace: "backend" },
                spec: {
                    replicas: "two",
                    selector: { matchLabels: { app: "backend" } },
                    template: { spec: { containers: [{ name: "backend", image: "acme/backend:1" }] } },
                },
            },
            {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                metadata: { name: "backend", namespace: "backend" },
                spec: { host: "backend", trafficPolicy: { loadBalancer: { simple: "FASTEST" } } },
            },
            {
                apiVersion: "networking.istio.io/v1",
                kind: "Sidecar",
                metadata: { name: "default", namespace: "backend" },
                specs: { egress: [] },
            },
            {
                apiVersion: "security.istio.io/v1alpha9",
                kind: "AuthorizationPolicy",
                metadata: { name: "x", namespace: "backend" },
                spec: {},
            },
        ];
        assert.deepStrictEqual((await validateManifests(bad)).map(formatProblem), [
            "PeerAuthentication istio-system/default: /spec/mtls/mode must be one of UNSET, DISABLE, PERMISSIVE, STRICT",
            "ServiceMonitor backend/backend: /spec/selector is required",
            "Deployment backend/backend: /spec/replicas must be integer",
            "DestinationRule backend/backend: /spec/trafficPolicy/loadBalancer/simple must be one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST",
            "Sidecar backend/default: unknown field specs (a Sidecar has apiVersion, kind, metadata, spec)",
            'AuthorizationPolicy backend/x: no upstream schema for apiVersion "security.istio.io/v1alpha9" kind "AuthorizationPolicy" (@kubernetes-models/istio, @kubernetes-models/prometheus-operator, @kubernetes-models/cert-manager, kubernetes-models)',
        ]);
    });
});
