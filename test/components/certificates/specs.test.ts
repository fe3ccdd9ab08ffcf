import * as assert from "assert";
import {
    CertManager,
    validateCertManagerArgs,
    certManagerValues,
    certificateIssuerProblem,
    hostCertificateSpec,
    issuerName,
    parseCertificateIssuer,
    platformCaObjects,
    webhookHostProblem,
} from "../../../components/certificates";
import { ProblemError } from "../../../components/problems";
import { DEV_ENVIRONMENT } from "../../helpers/fixtures";

const OWNER = { environment: DEV_ENVIRONMENT, service: "common" };

const spread = (name: string) =>
    ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: {
            matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": "cert-manager" },
        },
    }));

describe("certificates (components/certificates)", () => {
    it("installs cert-manager with its CRDs kept, a certificate's Secret removed with it, two replicas of each part with a PDB and a zone spread, monitored", () => {
        assert.deepStrictEqual(certManagerValues(""), {
            crds: { enabled: true, keep: true },
            global: { leaderElection: { namespace: "cert-manager" } },
            enableCertificateOwnerRef: true,
            replicaCount: 2,
            podDisruptionBudget: { enabled: true },
            topologySpreadConstraints: spread("cert-manager"),
            webhook: {
                replicaCount: 2,
                podDisruptionBudget: { enabled: true },
                topologySpreadConstraints: spread("webhook"),
                url: {},
            },
            cainjector: {
                replicaCount: 2,
                podDisruptionBudget: { enabled: true },
                topologySpreadConstraints: spread("cainjector"),
            },
            prometheus: { enabled: true, servicemonitor: { enabled: true } },
        });
        assert.deepStrictEqual(certManagerValues("localhost:10250").webhook.url, { host: "localhost:10250" });
    });

    it("makes the environment's CA: a self-signed bootstrap issuer, a 10-year ECDSA root in cert-manager's namespace, its issuer", () => {
        assert.deepStrictEqual(platformCaObjects("prod", "prod.internal.example.com"), {
            bootstrap: { kind: "ClusterIssuer", name: "prod-common-selfsigned", spec: { selfSigned: {} } },
            root: {
                kind: "Certificate",
                name: "prod-common-ca",
                namespace: "cert-manager",
                spec: {
                    isCA: true,
                    commonName: "prod platform CA",
                    secretName: "prod-common-ca",
                    duration: "87600h",
                    renewBefore: "8760h",
                    // The root keeps its key (clients hold it) and certifies the zone's names only.
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
                    nameConstraints: { critical: true, permitted: { dnsDomains: ["prod.internal.example.com"] } },
                    issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "prod-common-selfsigned" },
                },
            },
            issuer: {
                kind: "ClusterIssuer",
                name: "prod-common-ca-issuer",
                spec: { ca: { secretName: "prod-common-ca" } },
            },
        });
        assert.strictEqual(issuerName(parseCertificateIssuer("platform-ca"), "prod"), "prod-common-ca-issuer");
        assert.strictEqual(issuerName(parseCertificateIssuer("letsencrypt-dns01"), "prod"), "letsencrypt-dns01");
    });

    it("certifies one host for 90 days, renewed 30 days before, server auth only, a fresh key each time", () => {
        assert.deepStrictEqual(
            hostCertificateSpec("shop.dev.internal.example.com", "frontend-tls", "dev-common-ca-issuer"),
            {
                secretName: "frontend-tls",
                dnsNames: ["shop.dev.internal.example.com"],
                duration: "2160h",
                renewBefore: "720h",
                privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                usages: ["digital signature", "server auth"],
                issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "dev-common-ca-issuer" },
            },
        );
    });

    it("checks an issuer name and a webhook host, saying what is allowed", () => {
        assert.strictEqual(certificateIssuerProblem("letsencrypt.prod"), undefined);
        assert.match(certificateIssuerProblem("") ?? "", /^empty; allowed: platform-ca /);
        assert.match(certificateIssuerProblem("a".repeat(254)) ?? "", /^not a Kubernetes object name; /);
        assert.match(certificateIssuerProblem("-ca") ?? "", /^not a Kubernetes object name; /);
        for (const ok of ["", "localhost:10250", "webhook.example.com", "10.0.0.7:443"]) {
            assert.strictEqual(webhookHostProblem(ok), undefined, ok);
        }
        assert.match(webhookHostProblem("localhost:0") ?? "", /^port 0 is out of range 1-65535; allowed: /);
        assert.match(webhookHostProblem("localhost:/validate") ?? "", /^not a host with an optional port; /);
    });

    it("refuses a missing provider, and a webhook host or its own CA with a cert-manager it does not install, before registering anything", () => {
        assert.deepStrictEqual(
            validateCertManagerArgs({
                mode: "existing",
                webhookHost: "localhost:10250",
                zoneName: "",
            }).problems.map((p) => `${p.path}: ${p.message}`),
            [
                "zoneName: required for the environment's own CA (its root may certify names of the zone only); allowed: the environment's DNS zone, e.g. dev.internal.example.com",
                "issuer: not with mode existing (the environment's CA keeps its root in the cert-manager namespace made when cert-manager is installed here, with the settings it installs); allowed: the name of a ClusterIssuer the cluster's cert-manager runs, or set mode to install",
                "webhookHost: not used with mode existing (the chart that would route the webhook is not installed by this stack); allowed: empty",
            ],
        );
        assert.throws(
            () =>
                new CertManager("cert-manager", {
                    owner: OWNER,
                    providers: {} as never,
                    zoneName: "dev.internal.example.com",
                }),
            (err: unknown) =>
                err instanceof ProblemError &&
                err.name === "ComponentArgsError" &&
                err.message.startsWith('invalid CertManager "cert-manager" arguments:\n  - providers.kubernetes'),
        );
    });
});
