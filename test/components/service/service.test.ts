import * as assert from "assert";
import { ProblemError, describeProblem } from "../../../components/problems";
import * as k8s from "@pulumi/kubernetes";
import { Service, exposedHost, hostZoneProblem, validateServiceArgs } from "../../../components/service";
import { MESH, settings } from "./settings";

const OWNER = {
    environment: {
        env: "dev",
        region: "eu-central-1",
        team: "platform-team",
        contact: "platform-team@example.com",
        timeZone: "UTC",
        startTime: "08:00",
        stopTime: "20:00",
    },
    service: "backend",
};

describe("Service component (components/service/service.ts)", () => {
    it("validates before creating anything: one error naming the service and each bad property", () => {
        const provider = new k8s.Provider("validation-test", { kubeconfig: "{}" });
        const bad = settings({ replicas: 0, versions: [{ name: "v1", image: "backend:latest", weight: 100 }] });
        assert.throws(
            () =>
                new Service("backend", {
                    owner: OWNER,
                    settings: bad,
                    mesh: MESH,
                    zoneName: "dev.internal.example.com",
                    callees: [],
                    vpcCidr: "10.0.0.0/16",
                    certificateIssuer: "dev-common-ca-issuer",
                    providers: { kubernetes: provider },
                }),
            (err: unknown) => {
                assert.ok(err instanceof ProblemError && err.name === "ComponentArgsError");
                assert.strictEqual(
                    err.message,
                    'invalid Service "backend":\n' +
                        "  - replicas = 0: out of range; allowed: a whole number from 1 to 100\n" +
                        '  - versions[0].image = "backend:latest": the tag latest is not pinned; allowed: a tag other than latest or a digest, e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>',
                );
                return true;
            },
        );
    });

    it("checks what the mesh, the zone, the access graph and the network must give it", () => {
        assert.deepStrictEqual(
            validateServiceArgs({
                owner: { ...OWNER, service: "Back_end" },
                settings: settings({ exposed: true }),
                mesh: { ...MESH, trustDomain: "" },
                zoneName: "",
                callees: ["payment", "Pay_ment"],
                vpcCidr: "10.0.0.0",
                certificateIssuer: "",
            }).problems.map(describeProblem),
            [
                "owner.service = \"Back_end\": it must be lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123)",
                'mesh.trustDomain = "": required to build principals, e.g. cluster.local',
                'zoneName = "": an exposed service without publicHost needs the environment zone for its host',
                "certificateIssuer = \"\": an exposed service's certificate needs the ClusterIssuer's name (the common layer's output certificateIssuer)",
                "callees[1] = \"Pay_ment\": it must be lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123)",
                'vpcCidr = "10.0.0.0": not an IPv4 CIDR block; the egress NetworkPolicy needs the environment\'s VPC, e.g. 10.0.0.0/16',
            ],
        );
    });

    it("an exposed service's host is publicHost, else <service>.<zone>; none when not exposed", () => {
        assert.strictEqual(
            exposedHost("frontend", settings({ exposed: true }), "dev.internal.example.com"),
            "frontend.dev.internal.example.com",
        );
        assert.strictEqual(
            exposedHost(
                "frontend",
                settings({ exposed: true, publicHost: "shop.dev.internal.example.com" }),
                "dev.internal.example.com",
            ),
            "shop.dev.internal.example.com",
        );
        assert.strictEqual(exposedHost("frontend", settings(), "dev.internal.example.com"), undefined);
    });

    it("refuses a public host outside the environment's zone, by name", () => {
        assert.strictEqual(hostZoneProblem("shop.dev.internal.example.com", "dev.internal.example.com"), undefined);
        assert.strictEqual(hostZoneProblem("Shop.Dev.Internal.Example.com.", "dev.internal.example.com"), undefined);
        assert.strictEqual(hostZoneProblem("dev.internal.example.com", "dev.internal.example.com"), undefined);
        const outside =
            "not in the environment's DNS zone dev.internal.example.com, where its record is made; allowed: dev.internal.example.com or a name ending in .dev.internal.example.com, e.g. shop.dev.internal.example.com";
        assert.strictEqual(hostZoneProblem("shop.example.com", "dev.internal.example.com"), outside);
        // A suffix that is not a label boundary is outside too.
        assert.strictEqual(hostZoneProblem("shopdev.internal.example.com", "dev.internal.example.com"), outside);
        assert.deepStrictEqual(
            validateServiceArgs({
                owner: OWNER,
                settings: settings({ exposed: true, publicHost: "shop.example.com" }),
                mesh: MESH,
                zoneName: "dev.internal.example.com",
                callees: [],
                vpcCidr: "10.0.0.0/16",
                certificateIssuer: "dev-common-ca-issuer",
            }).problems.map(describeProblem),
            [`publicHost = "shop.example.com": ${outside}`],
        );
    });
});
