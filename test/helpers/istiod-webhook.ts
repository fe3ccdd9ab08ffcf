// Certificates for the istiodWebhookUrl / istiodWebhookCaBundle tests (test/fixtures/istiod-webhook).
import * as fs from "fs";
import * as path from "path";

const DIR = path.join(__dirname, "..", "fixtures", "istiod-webhook");

/** A CA certificate (PEM): what istiodWebhookCaBundle takes. */
export const ISTIOD_WEBHOOK_CA = fs.readFileSync(path.join(DIR, "ca.pem"), "utf8");
/** A server certificate that is no CA (PEM): what istiodWebhookCaBundle refuses. */
export const ISTIOD_WEBHOOK_LEAF = fs.readFileSync(path.join(DIR, "leaf.pem"), "utf8");
