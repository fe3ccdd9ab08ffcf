import { StackValidationPolicy } from "@pulumi/policy";
import { isKind, list, obj, objectRef } from "./util";

const CERT_MANAGER = "cert-manager.io";
const NETWORKING = "networking.istio.io";

/** Whether `host` is one of `dnsNames`, or matches a wildcard there (`*.zone` covers one label). */
function covers(dnsNames: readonly unknown[], host: string): boolean {
    const h = host.toLowerCase();
    return dnsNames.some((n) => {
        if (typeof n !== "string") {
            return false;
        }
        const name = n.toLowerCase();
        if (!name.startsWith("*.")) {
            return name === h;
        }
        const suffix = name.slice(1);
        const label = h.slice(0, h.length - suffix.length);
        return h.endsWith(suffix) && label !== "" && !label.includes(".");
    });
}

export const gatewayCertificates: StackValidationPolicy = {
    name: "mesh-gateway-certificate",
    description:
        "Every TLS server of an Istio Gateway is served a certificate the stack has cert-manager issue: a Certificate whose secretName is the server's credentialName and whose dnsNames cover each of its hosts (otherwise the gateway has no certificate for the host and refuses its TLS handshakes).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const certificates = args.resources
            .filter((r) => isKind(r.type, CERT_MANAGER, "Certificate"))
            .map((r) => ({ namespace: obj(r.props.metadata)?.namespace, spec: obj(r.props.spec) ?? {} }));
        for (const gateway of args.resources.filter((r) => isKind(r.type, NETWORKING, "Gateway"))) {
            const own = obj(gateway.props.metadata)?.namespace;
            list(obj(gateway.props.spec)?.servers).forEach((server, i) => {
                const credential = obj(obj(server)?.tls)?.credentialName;
                if (typeof credential !== "string" || credential === "") {
                    return; // mesh-gateway-https-only reports a TLS server without one
                }
                // The gateway's Envoy reads the credential in its own namespace, never the Gateway object's.
                const issued = certificates
                    .filter((c) => c.spec.secretName === credential && c.namespace !== own)
                    .map((c) => c.spec);
                const hosts = list(obj(server)?.hosts).filter((h): h is string => typeof h === "string");
                const uncovered = hosts.filter(
                    (h) => !issued.some((c) => covers(list(c.dnsNames), h.replace(/^[^/]*\//, ""))),
                );
                if (issued.length === 0 || uncovered.length > 0) {
                    report(
                        `Gateway ${objectRef(gateway.props)} servers[${i}] serves credentialName ${credential}, but ${
                            issued.length === 0
                                ? `no Certificate of this stack outside the Gateway's namespace ${String(own)} has that secretName`
                                : `no Certificate with that secretName covers ${uncovered.join(", ")}`
                        }: add a cert-manager Certificate (secretName ${credential}, in the gateway's namespace, dnsNames the server's hosts)`,
                        gateway.urn,
                    );
                }
            });
        }
    },
};

export const hostCertificatesOnly: StackValidationPolicy = {
    name: "certificate-not-a-ca",
    description:
        "A Certificate of a stack that serves hosts is a leaf: not a CA (isCA would make its holder an issuer of any name the issuer allows), from a named issuer.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const hosts = args.resources.some((r) => isKind(r.type, NETWORKING, "Gateway"));
        if (!hosts) {
            return; // the common layer's own CA root is a CA by design
        }
        for (const c of args.resources.filter((r) => isKind(r.type, CERT_MANAGER, "Certificate"))) {
            const spec = obj(c.props.spec) ?? {};
            const issuer = obj(spec.issuerRef)?.name;
            if (spec.isCA === true || typeof issuer !== "string" || issuer === "") {
                report(
                    `Certificate ${objectRef(c.props)} ${spec.isCA === true ? "is a CA (isCA: true)" : "names no issuer (issuerRef.name)"}: a host's certificate is a leaf from the common layer's issuer (its output certificateIssuer)`,
                    c.urn,
                );
            }
        }
    },
};

export const CERTIFICATE_POLICIES = [gatewayCertificates, hostCertificatesOnly];
