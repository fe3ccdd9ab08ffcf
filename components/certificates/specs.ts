/**
 * Certificates for the hosts the ingress gateway serves, issued by cert-manager (docs/common.md,
 * "Ingress"): the values of its chart, the environment's own certificate authority, and the
 * `Certificate` of each exposed service's host. Pure: names, specs and checks only.
 */
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import type { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import { zoneSpread } from "../mesh/specs";

// Typed with cert-manager's own models (@kubernetes-models/cert-manager, generated from its CRDs;
// type-only imports): a misspelled field fails tsc.
export type CertificateSpec = NonNullable<ICertificate["spec"]>;
export type ClusterIssuerSpec = NonNullable<IClusterIssuer["spec"]>;

/** cert-manager's API group and version, for objects of its kinds. */
export const CERT_MANAGER_API_VERSION = "cert-manager.io/v1";

/** Where cert-manager runs: its release and namespace (outside the mesh: the API server calls its webhook). */
export const CERT_MANAGER = { release: "cert-manager", namespace: "cert-manager" } as const;

/** Whether the common layer installs cert-manager, or the cluster already runs it (config `certManager`). */
export const CERT_MANAGER_MODES = ["install", "existing"] as const;
export type CertManagerMode = (typeof CERT_MANAGER_MODES)[number];

/** The `certificateIssuer` value that asks for the environment's own certificate authority. */
export const PLATFORM_CA = "platform-ca";

/**
 * Where the gateway's certificates come from: the environment's own CA (a self-signed root kept
 * in cert-manager's namespace), or a ClusterIssuer the team runs (ACME with DNS-01 for a public
 * zone, AWS Private CA, Vault, ...), by name.
 */
export type CertificateIssuer =
    { readonly kind: "platform-ca" } | { readonly kind: "cluster-issuer"; readonly name: string };

/** Kubernetes' rule for most object names, a ClusterIssuer's among them (DNS-1123 subdomain). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const CERTIFICATE_ISSUER_ALLOWED = `allowed: ${PLATFORM_CA} (the environment's own CA, made by this layer) or the name of a ClusterIssuer the cluster runs (lower-case letters, digits, '-' and '.', at most 253 characters)`;

/** What is wrong with a `certificateIssuer` value (with what is allowed), or undefined. */
export function certificateIssuerProblem(value: string): string | undefined {
    if (value === "") {
        return `empty; ${CERTIFICATE_ISSUER_ALLOWED}`;
    }
    if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
        return `not a Kubernetes object name; ${CERTIFICATE_ISSUER_ALLOWED}`;
    }
    return undefined;
}

/** A `certificateIssuer` value (checked by certificateIssuerProblem) as an issuer. */
export function parseCertificateIssuer(value: string): CertificateIssuer {
    return value === PLATFORM_CA ? { kind: "platform-ca" } : { kind: "cluster-issuer", name: value };
}

export const WEBHOOK_HOST_ALLOWED =
    "allowed: empty (the webhook at its Service), or <host>[:<port>] the API server reaches over HTTPS, with no scheme or path, e.g. cert-manager-webhook.example.com:10250";

const HOST_PORT = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:([0-9]{1,5}))?$/;

/** What is wrong with a `certManagerWebhookHost` value (with what is allowed), or undefined. */
export function webhookHostProblem(value: string): string | undefined {
    if (value === "") {
        return undefined;
    }
    const m = HOST_PORT.exec(value);
    if (m === null) {
        return `not a host with an optional port; ${WEBHOOK_HOST_ALLOWED}`;
    }
    const port = m[6] === undefined ? 443 : Number(m[6]);
    if (port < 1 || port > 65535) {
        return `port ${port} is out of range 1-65535; ${WEBHOOK_HOST_ALLOWED}`;
    }
    return undefined;
}

/**
 * How a caller names cert-manager's settings in messages: the component's arguments
 * (`CERT_MANAGER_ARG_NAMES`), or the common layer's config keys (`CERT_MANAGER_KEY_NAMES`). The
 * rules below are each one pure check, used by both (the config slice, ./config.ts, and the
 * component's validation, ./cert-manager.ts), worded with the caller's names.
 */
export interface CertManagerNames {
    /** The setting that says whether cert-manager is installed here or runs already. */
    readonly mode: string;
}

export const CERT_MANAGER_ARG_NAMES: CertManagerNames = { mode: "mode" };
export const CERT_MANAGER_KEY_NAMES: CertManagerNames = { mode: "certManager" };

/** Why a webhook host cannot be given with a cert-manager the cluster runs already, or undefined. */
export function existingWebhookHostProblem(
    mode: CertManagerMode,
    webhookHost: string,
    names: CertManagerNames,
): string | undefined {
    return mode === "existing" && webhookHost !== ""
        ? `not used with ${names.mode} existing (the chart that would route the webhook is not installed by this stack); allowed: empty`
        : undefined;
}

/** Why the environment's own CA cannot be used with a cert-manager the cluster runs already, or undefined. */
export function existingPlatformCaProblem(
    mode: CertManagerMode,
    issuer: CertificateIssuer,
    names: CertManagerNames,
): string | undefined {
    // The CA keeps its root in the namespace made when cert-manager is installed here, and relies on
    // the Secret going with its Certificate: both are settings of that installation.
    return mode === "existing" && issuer.kind === "platform-ca"
        ? `not with ${names.mode} existing (the environment's CA keeps its root in the cert-manager namespace made when cert-manager is installed here, with the settings it installs); allowed: the name of a ClusterIssuer the cluster's cert-manager runs, or set ${names.mode} to install`
        : undefined;
}

/** Why the environment's own CA cannot be made without the environment's zone, or undefined. */
export function platformCaZoneProblem(issuer: CertificateIssuer, zoneName: string): string | undefined {
    return issuer.kind === "platform-ca" && zoneName === ""
        ? "required for the environment's own CA (its root may certify names of the zone only); allowed: the environment's DNS zone, e.g. dev.internal.example.com"
        : undefined;
}

/** The replicas of each of cert-manager's three Deployments (controller, webhook, CA injector). */
export const CERT_MANAGER_REPLICAS = 2;

/** Pod labels of one of cert-manager's Deployments, as its chart sets them. */
function podLabels(component: "cert-manager" | "webhook" | "cainjector"): Record<string, string> {
    return { "app.kubernetes.io/name": component, "app.kubernetes.io/instance": CERT_MANAGER.release };
}

/**
 * High availability of one Deployment: replicas, a PodDisruptionBudget (at least one left), spread
 * over zones then nodes (the mesh's spread: a zone's loss leaves the others serving).
 */
function available(component: "cert-manager" | "webhook" | "cainjector") {
    return {
        replicaCount: CERT_MANAGER_REPLICAS,
        podDisruptionBudget: { enabled: true },
        topologySpreadConstraints: zoneSpread(podLabels(component)),
    };
}

/** The subset of the `cert-manager` chart's values.yaml we set (field names and nesting as the chart's). */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- a type alias is assignable to the Release's Record<string, unknown> values, an interface is not
export type CertManagerValues = {
    readonly crds: { readonly enabled: boolean; readonly keep: boolean };
    readonly global: { readonly leaderElection: { readonly namespace: string } };
    readonly enableCertificateOwnerRef: boolean;
    readonly replicaCount: number;
    readonly podDisruptionBudget: { readonly enabled: boolean };
    readonly topologySpreadConstraints: ITopologySpreadConstraint[];
    readonly webhook: ReturnType<typeof available> & { readonly url: { readonly host?: string } };
    readonly cainjector: ReturnType<typeof available>;
    readonly prometheus: { readonly enabled: boolean; readonly servicemonitor: { readonly enabled: boolean } };
};

/**
 * Values of the `cert-manager` chart: its CRDs installed with it and kept when the release goes
 * (removing them would delete every Certificate); a certificate's Secret (its private key) goes with
 * its Certificate, so a removed service leaves no key behind; two replicas of each
 * Deployment with a PodDisruptionBudget and a zone spread; leader election in its own namespace;
 * a ServiceMonitor for the Prometheus of the observability layer (certificate expiry metrics).
 * `webhookHost`: where the API server reaches its webhook when not at its Service.
 */
export function certManagerValues(webhookHost: string): CertManagerValues {
    return {
        crds: { enabled: true, keep: true },
        global: { leaderElection: { namespace: CERT_MANAGER.namespace } },
        enableCertificateOwnerRef: true,
        ...available("cert-manager"),
        webhook: { ...available("webhook"), url: webhookHost === "" ? {} : { host: webhookHost } },
        cainjector: available("cainjector"),
        prometheus: { enabled: true, servicemonitor: { enabled: true } },
    };
}

/** One cert-manager object of the environment's CA: its name (and namespace) and spec. */
export interface NamedCertManagerObject<S> {
    readonly kind: "ClusterIssuer" | "Certificate";
    readonly name: string;
    readonly namespace?: string;
    readonly spec: S;
}

/** How long the environment's root lives (10 years), and when cert-manager renews it (a year before). */
export const PLATFORM_CA_DURATION = "87600h";
export const PLATFORM_CA_RENEW_BEFORE = "8760h";

/**
 * The environment's own certificate authority, for hosts of a private zone (no public CA issues for
 * them): a self-signed ClusterIssuer that signs only the root, the root itself (an ECDSA P-256 CA
 * certificate whose key stays in a Secret of cert-manager's namespace) and the ClusterIssuer that
 * signs with it. Names follow `<env>-common-<type>`; the last one is what services' certificates
 * name. The root may certify names of the environment's zone only (a critical name constraint, so
 * a client that trusts it trusts nothing outside the zone), and keeps its key when renewed (clients
 * hold the root: a new key would break every host renewed after it). Clients trust the root's
 * certificate (docs/common.md).
 */
export function platformCaObjects(
    env: string,
    zoneName: string,
): {
    readonly bootstrap: NamedCertManagerObject<ClusterIssuerSpec>;
    readonly root: NamedCertManagerObject<CertificateSpec>;
    readonly issuer: NamedCertManagerObject<ClusterIssuerSpec>;
} {
    const rootName = `${env}-common-ca`;
    const bootstrap = `${env}-common-selfsigned`;
    return {
        bootstrap: { kind: "ClusterIssuer", name: bootstrap, spec: { selfSigned: {} } },
        root: {
            kind: "Certificate",
            name: rootName,
            namespace: CERT_MANAGER.namespace,
            spec: {
                isCA: true,
                commonName: `${env} platform CA`,
                secretName: rootName,
                duration: PLATFORM_CA_DURATION,
                renewBefore: PLATFORM_CA_RENEW_BEFORE,
                privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
                nameConstraints: { critical: true, permitted: { dnsDomains: [zoneName] } },
                issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: bootstrap },
            },
        },
        issuer: { kind: "ClusterIssuer", name: platformCaIssuerName(env), spec: { ca: { secretName: rootName } } },
    };
}

/** The ClusterIssuer that signs with the environment's own CA: `<env>-common-ca-issuer`. */
export function platformCaIssuerName(env: string): string {
    return `${env}-common-ca-issuer`;
}

/** The name of the ClusterIssuer the gateway's certificates come from, for `issuer` in `env`. */
export function issuerName(issuer: CertificateIssuer, env: string): string {
    return issuer.kind === "platform-ca" ? platformCaIssuerName(env) : issuer.name;
}

/** How long a host's certificate lives (90 days, as public CAs issue), and when it is renewed (30 days before). */
export const HOST_CERTIFICATE_DURATION = "2160h";
export const HOST_CERTIFICATE_RENEW_BEFORE = "720h";

/**
 * The Certificate of an exposed service's host: cert-manager keeps the TLS Secret `secretName`
 * (the gateway's `credentialName`, in the gateway's namespace) issued by ClusterIssuer `issuer`
 * and renewed before it expires; an ECDSA P-256 key, replaced at each renewal, for server
 * authentication only.
 */
export function hostCertificateSpec(host: string, secretName: string, issuer: string): CertificateSpec {
    return {
        secretName,
        dnsNames: [host],
        duration: HOST_CERTIFICATE_DURATION,
        renewBefore: HOST_CERTIFICATE_RENEW_BEFORE,
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        usages: ["digital signature", "server auth"],
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: issuer },
    };
}
