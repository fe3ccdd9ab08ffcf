import * as assert from "assert";
import { describeProblem } from "../../../components/problems";
import {
    ExternalHostSpec,
    externalEgressHosts,
    serviceEntrySpecs,
    serviceProblems,
    sidecarSpec,
} from "../../../components/service";
import { MESH, settings } from "./settings";

const HOSTS: ExternalHostSpec[] = [
    { host: "api.stripe.com", port: 443, protocol: "HTTPS" },
    { host: "hooks.example.com", port: 80, protocol: "HTTP" },
    { host: "api.example.com", port: 443, protocol: "HTTPS" },
    { host: "api.example.com", port: 80, protocol: "HTTP" },
];

describe("closed egress: ServiceEntries and Sidecar egress (components/service/egress.ts)", () => {
    it("writes one ServiceEntry per protocol and port, visible in the service's namespace only, hosts sorted", () => {
        assert.deepStrictEqual(serviceEntrySpecs(HOSTS), [
            {
                name: "external-http-80",
                spec: {
                    hosts: ["api.example.com", "hooks.example.com"],
                    exportTo: ["."],
                    location: "MESH_EXTERNAL",
                    resolution: "DNS",
                    ports: [{ number: 80, name: "http-80", protocol: "HTTP" }],
                },
            },
            {
                name: "external-https-443",
                spec: {
                    hosts: ["api.example.com", "api.stripe.com"],
                    exportTo: ["."],
                    location: "MESH_EXTERNAL",
                    resolution: "DNS",
                    ports: [{ number: 443, name: "https-443", protocol: "HTTPS" }],
                },
            },
        ]);
        assert.deepStrictEqual(serviceEntrySpecs([]), []);
    });

    it("adds each declared host once to the Sidecar's egress, after the shared hosts and the callees", () => {
        assert.deepStrictEqual(externalEgressHosts(HOSTS), [
            "./api.example.com",
            "./api.stripe.com",
            "./hooks.example.com",
        ]);
        assert.deepStrictEqual(sidecarSpec(["backend"], MESH, HOSTS.slice(0, 1)).egress[0].hosts, [
            "istio-system/*",
            "kube-system/kube-dns.kube-system.svc.cluster.local",
            "observability/jaeger.observability.svc.cluster.local",
            "backend/backend.backend.svc.cluster.local",
            "./api.stripe.com",
        ]);
    });

    it("refuses bad external hosts, ports and protocols with the exact message", () => {
        const bad = settings({
            externalHosts: [
                { host: "*.stripe.com", port: 443, protocol: "HTTPS" },
                { host: "203.0.113.7", port: 443, protocol: "HTTPS" },
                { host: "payment.payment.svc.cluster.local", port: 80, protocol: "HTTP" },
                { host: "API.example.com", port: 0, protocol: "TCP" as never },
                { host: "localhost", port: 70000, protocol: "https" as never },
                { host: "api.stripe.com", port: 443, protocol: "HTTPS" },
                { host: "api.stripe.com", port: 443, protocol: "TLS" },
            ],
        });
        const allowed = "allowed: a fully qualified host name in lower case, e.g. api.stripe.com";
        const protocols =
            "allowed: HTTPS, TLS, HTTP (upper case; TCP is not offered: without addresses a TCP ServiceEntry matches every host on its port)";
        assert.deepStrictEqual(serviceProblems(bad).map(describeProblem), [
            `externalHosts[0].host = "*.stripe.com": a wildcard would open every subdomain and cannot be resolved by DNS; list each host, ${allowed}`,
            `externalHosts[1].host = "203.0.113.7": an IP address, not a host name; ${allowed}`,
            `externalHosts[2].host = "payment.payment.svc.cluster.local": an in-cluster host: a service of the mesh is reached through its own allowedCallers, not as an external host; ${allowed}`,
            `externalHosts[3].host = "API.example.com": not a host name; ${allowed}`,
            "externalHosts[3].port = 0: out of range; allowed: a whole number from 1 to 65535",
            `externalHosts[3].protocol = "TCP": ${protocols}`,
            `externalHosts[4].host = "localhost": not a host name; ${allowed}`,
            "externalHosts[4].port = 70000: out of range; allowed: a whole number from 1 to 65535",
            `externalHosts[4].protocol = "https": ${protocols}`,
            'externalHosts[6] = "api.stripe.com:443": listed twice; each host and port once',
        ]);
        assert.deepStrictEqual(serviceProblems(settings({ externalHosts: HOSTS })), []);
    });
});
