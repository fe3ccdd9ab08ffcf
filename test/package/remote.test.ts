import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import { MESH_DEFAULTS, SERVICE_DEFAULTS } from "@platform/components";
import { Service, ServiceArgs, kubernetesProvider, platformServiceArgs } from "../../remote/index";
import { useMocks } from "../../plan/evaluate";

/** The least a remote caller gives: everything else takes the platform's defaults. */
const MINIMAL: ServiceArgs = {
    service: "inventory",
    environment: { env: "dev", region: "eu-central-1", team: "inventory-team", contact: "inventory-team@example.com" },
    zoneName: "dev.internal.example.com",
    vpcCidr: "10.20.0.0/16",
    versions: [{ name: "v1", image: "registry.example.com/inventory:1.0.0", weight: 100 }],
};

describe("@platform/remote (remote/): the platform's Service for other languages", () => {
    let kubernetes: k8s.Provider;
    before(() => {
        useMocks("dev");
        kubernetes = new k8s.Provider("cluster", {});
    });

    it("fills what a remote caller leaves out with the platform's defaults and the mesh as the common layer installs it", () => {
        assert.deepStrictEqual(platformServiceArgs(MINIMAL, kubernetes), {
            owner: {
                environment: {
                    env: "dev",
                    region: "eu-central-1",
                    team: "inventory-team",
                    contact: "inventory-team@example.com",
                    timeZone: "UTC",
                    startTime: "08:00",
                    stopTime: "20:00",
                },
                service: "inventory",
            },
            settings: {
                versions: [{ name: "v1", image: "registry.example.com/inventory:1.0.0", weight: 100 }],
                replicas: 3,
                port: 8080,
                protocol: "http",
                healthPath: "/healthz",
                resources: SERVICE_DEFAULTS.resources,
                quota: SERVICE_DEFAULTS.quota,
                allowedCallers: [],
                exposed: false,
                deniedSourceCidrs: [],
                requiredHeaders: [],
                timeout: "15s",
                retries: 2,
                externalHosts: [],
            },
            mesh: MESH_DEFAULTS,
            zoneName: "dev.internal.example.com",
            callees: [],
            vpcCidr: "10.20.0.0/16",
            certificateIssuer: "",
            providers: { kubernetes },
        });
    });

    it("passes what is given on, partial maps merged over the defaults, a host's port from its protocol", () => {
        const args = platformServiceArgs(
            {
                ...MINIMAL,
                mesh: { trustDomain: "corp.example", revision: "1-30", dataPlane: "sidecar" },
                resources: { memoryLimit: "512Mi", cpuRequest: undefined },
                allowedCallers: [{ service: "frontend", methods: ["GET"], paths: ["/items*"] }, { namespace: "ops" }],
                externalHosts: [{ host: "api.example.com" }, { host: "legacy.example.com", protocol: "HTTP" }],
                jwt: { issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/jwks.json" },
                callees: ["payment"],
                exposed: true,
            },
            kubernetes,
        );
        assert.deepStrictEqual(args.mesh, {
            ...MESH_DEFAULTS,
            trustDomain: "corp.example",
            revision: "1-30",
            dataPlane: "sidecar",
        });
        assert.deepStrictEqual(args.settings.resources, { ...SERVICE_DEFAULTS.resources, memoryLimit: "512Mi" });
        assert.deepStrictEqual(args.settings.allowedCallers, [
            { service: "frontend", methods: ["GET"], paths: ["/items*"] },
            { namespace: "ops" },
        ]);
        assert.deepStrictEqual(args.settings.externalHosts, [
            { host: "api.example.com", protocol: "HTTPS", port: 443 },
            { host: "legacy.example.com", protocol: "HTTP", port: 80 },
        ]);
        assert.deepStrictEqual(args.settings.jwt, {
            issuer: "https://auth.example.com/",
            jwksUri: "https://auth.example.com/jwks.json",
        });
        assert.deepStrictEqual(args.callees, ["payment"]);
        assert.strictEqual(args.settings.exposed, true);
    });

    it("takes the kubernetes provider from the resource options as a remote caller passes it, and names it when missing", () => {
        assert.strictEqual(kubernetesProvider("inventory", { providers: [kubernetes] }), kubernetes);
        assert.strictEqual(kubernetesProvider("inventory", { providers: { kubernetes } }), kubernetes);
        assert.strictEqual(kubernetesProvider("inventory", { provider: kubernetes }), kubernetes);
        for (const opts of [undefined, {}, { providers: [] }]) {
            assert.throws(() => kubernetesProvider("inventory", opts), {
                name: "ComponentArgsError",
                message:
                    'invalid Service "inventory" arguments:\n' +
                    "  - options.providers = (not set): no kubernetes provider; pass the cluster's in the resource options (YAML: options: { providers: [ ${provider} ] })",
            });
        }
    });

    it("a value outside a literal union is refused by the platform's Service, naming it, before anything is created", () => {
        assert.throws(() => new Service("inventory", { ...MINIMAL, protocol: "ftp" }, { providers: [kubernetes] }), {
            name: "ComponentArgsError",
            message: 'invalid Service "inventory":\n  - protocol = "ftp": allowed: http, http2, grpc',
        });
    });
});
