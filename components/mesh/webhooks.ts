/**
 * Istio's admission webhooks served by an istiod the API server reaches at a URL (config
 * `istiodWebhookUrl` and `istiodWebhookCaBundle`) instead of through istiod's Service: an istiod
 * outside the cluster (an external control plane), or one the control plane can only reach at a
 * fixed address (a pod network the API server cannot route to). The charts' own settings for
 * that: `istiodRemote.injectionURL` (istiod chart, sidecar injection) and `base.validationURL`
 * (base chart, validation of Istio objects), each with the CA bundle that signs istiod's
 * webhook certificate.
 */
import { X509Certificate } from "crypto";
import type { BaseValues, IstiodValues } from "./specs";

/** Where the API server reaches istiod's webhooks, and the CA that signed its certificate. */
export interface IstiodWebhooks {
    /** Base URL: `https://<host>[:<port>]`; the webhooks are at `/inject` and `/validate` under it. */
    readonly url: string;
    /**
     * Base URLs of control-plane revisions whose istiod is elsewhere (config
     * `istiodRevisionWebhookUrls`), by revision; a revision not named here is at `url`.
     */
    readonly revisionUrls?: Readonly<Record<string, string>>;
    /** The CA certificate(s), PEM. */
    readonly caBundle: string;
}

/** What `istiodWebhookUrl` allows, for messages and docs. */
export const ISTIOD_WEBHOOK_URL_FORM = "https://<host>[:<port>] with no path, e.g. https://istiod.example.com:15017";
export const ISTIOD_WEBHOOK_URL_ALLOWED = `allowed: empty (the webhooks at istiod's Service), or ${ISTIOD_WEBHOOK_URL_FORM}`;

/** What is wrong with an `istiodWebhookUrl` value (with what is allowed), or undefined. */
export function istiodWebhookUrlProblem(value: string): string | undefined {
    if (value === "") {
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `not a URL; ${ISTIOD_WEBHOOK_URL_ALLOWED}`;
    }
    if (url.protocol !== "https:") {
        return `scheme ${url.protocol.replace(/:$/, "")} is not supported (the API server calls webhooks over TLS only); ${ISTIOD_WEBHOOK_URL_ALLOWED}`;
    }
    if (
        url.username !== "" ||
        url.password !== "" ||
        url.search !== "" ||
        url.hash !== "" ||
        !/^https:\/\/[^/]+\/?$/.test(value)
    ) {
        return `not a base URL (a path, query, fragment or user is not allowed: the webhook paths are added); ${ISTIOD_WEBHOOK_URL_ALLOWED}`;
    }
    return undefined;
}

/** What `istiodWebhookCaBundle` allows, for messages and docs. */
export const ISTIOD_WEBHOOK_CA_ALLOWED =
    "allowed: the PEM of the CA certificate that signed istiod's webhook certificate (-----BEGIN CERTIFICATE----- ...)";

/** What is wrong with an `istiodWebhookCaBundle` value (with what is allowed), or undefined. */
export function istiodWebhookCaBundleProblem(value: string): string | undefined {
    if (value === "") {
        return undefined;
    }
    const blocks = value.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
        return `not a PEM certificate; ${ISTIOD_WEBHOOK_CA_ALLOWED}`;
    }
    for (const block of blocks) {
        try {
            if (!new X509Certificate(block).ca) {
                return `a certificate that is not a CA (basicConstraints CA:FALSE); ${ISTIOD_WEBHOOK_CA_ALLOWED}`;
            }
        } catch {
            return `a PEM block that is not a readable X.509 certificate; ${ISTIOD_WEBHOOK_CA_ALLOWED}`;
        }
    }
    return undefined;
}

/** The base URL of revision `revision`'s istiod, without a trailing slash. */
function base(webhooks: IstiodWebhooks, revision: string): string {
    return (webhooks.revisionUrls?.[revision] ?? webhooks.url).replace(/\/$/, "");
}

function caBundle(webhooks: IstiodWebhooks): string {
    return Buffer.from(webhooks.caBundle.trim() + "\n").toString("base64");
}

/**
 * Values of the base chart: its default validator (every Istio object) at `<url>/validate` of the
 * main control plane (`revision`).
 */
export function webhookBaseValues(
    webhooks: IstiodWebhooks,
    revision: string,
): { base: NonNullable<BaseValues["base"]> } {
    // With a CA bundle the chart writes failurePolicy Fail: refused objects stay refused.
    return { base: { validationURL: `${base(webhooks, revision)}/validate`, validationCABundle: caBundle(webhooks) } };
}

/**
 * The client config of an injection webhook of revision `revision` at its URL (a revision tag's:
 * components/mesh/revisions.ts), or undefined when the webhooks are at istiod's Service.
 */
export function injectionClientConfig(
    revision: string,
    webhooks: IstiodWebhooks | undefined,
): { url: string; caBundle: string } | undefined {
    return webhooks === undefined
        ? undefined
        : { url: `${base(webhooks, revision)}/inject`, caBundle: caBundle(webhooks) };
}

/**
 * Values of the istiod chart of revision `revision`: sidecar injection at `<url>/inject` of its
 * istiod. Its per-revision validator would call istiod's Service, which the API server cannot
 * reach here, so it is left out (`global.configValidation`); the base chart's validator at the
 * URL checks every Istio object.
 */
export function webhookIstiodValues(
    webhooks: IstiodWebhooks,
    revision: string,
): {
    istiodRemote: NonNullable<IstiodValues["istiodRemote"]>;
    global: { configValidation: false };
} {
    return {
        istiodRemote: { injectionURL: `${base(webhooks, revision)}/inject`, injectionCABundle: caBundle(webhooks) },
        global: { configValidation: false },
    };
}
