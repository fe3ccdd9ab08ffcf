/**
 * CertManager's config slice: the common stack's keys that say whether cert-manager is installed
 * here, where the gateway's certificates come from and where the API server reaches its webhook.
 * The rules across them are the component's own (./specs.ts), worded with the keys' names.
 */
import { configKey, configSlice, oneOf, optionalString, requiredString } from "../config";
import type { CertManagerArgs } from "./cert-manager";
import { CERT_MANAGER_DEFAULTS } from "./cert-manager";
import {
    CERT_MANAGER_KEY_NAMES,
    CERT_MANAGER_MODES,
    PLATFORM_CA,
    certificateIssuerProblem,
    existingPlatformCaProblem,
    existingWebhookHostProblem,
    parseCertificateIssuer,
    webhookHostProblem,
} from "./specs";

/** What the common layer passes CertManager from config. */
export type CertManagerConfig = Required<Pick<CertManagerArgs, "mode" | "issuer" | "webhookHost">>;

export const CERT_MANAGER_CONFIG = configSlice(
    {
        certManager: configKey(oneOf(CERT_MANAGER_MODES), CERT_MANAGER_DEFAULTS.mode, {
            description:
                "install: install cert-manager (chart pinned in components/charts/sources.ts) to issue the gateway's certificates; existing: the cluster already runs cert-manager and its CRDs.",
        }),
        certificateIssuer: configKey(requiredString(certificateIssuerProblem), PLATFORM_CA, {
            description: `Where the certificates of exposed hosts come from: ${PLATFORM_CA} (the environment's own CA, made by this layer: for a private zone, whose hosts no public CA certifies) or the name of a ClusterIssuer (group cert-manager.io) the cluster runs (e.g. ACME with DNS-01 for a public zone, Vault). platform-ca needs certManager install.`,
        }),
        certManagerWebhookHost: configKey(optionalString(webhookHostProblem), CERT_MANAGER_DEFAULTS.webhookHost, {
            description:
                "<host>[:<port>] of a cert-manager webhook run outside the cluster, whose serving certificate the API server trusts by its own roots (the integration suite's); empty: the webhook at its Service. Not for the chart's in-cluster webhook. certManager install only.",
        }),
    },
    (v, { problems }): CertManagerConfig => {
        const issuer = parseCertificateIssuer(v.certificateIssuer);
        const names = CERT_MANAGER_KEY_NAMES;
        problems.add("certificateIssuer", v.certificateIssuer, existingPlatformCaProblem(v.certManager, issuer, names));
        problems.add(
            "certManagerWebhookHost",
            v.certManagerWebhookHost,
            existingWebhookHostProblem(v.certManager, v.certManagerWebhookHost, names),
        );
        return { mode: v.certManager, issuer, webhookHost: v.certManagerWebhookHost };
    },
);
