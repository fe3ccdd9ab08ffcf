import { ResourceValidationPolicy } from "@pulumi/policy";
import { isKind, obj } from "./util";

/** How the offline plan shows a Pulumi secret (test/helpers/recorder.ts), and an unknown value. */
const MASKED = new Set(["[secret]", "[unknown]", ""]);

/** Key endings that name a secret value (compared lower-case, without `-`, `_` and `.`). */
const SECRET_KEY_ENDINGS = ["password", "passwd", "secret", "token", "apikey", "privatekey", "secretkey", "accesskey", "credential", "credentials"];

/**
 * Key beginnings that name a reference to a secret kept elsewhere, not the secret: Helm's
 * `existingSecret` (the name of a Kubernetes Secret), `secretRef`, `secretName`.
 */
const REFERENCE_KEY_BEGINNINGS = ["existing"];

/** Whether a key (`adminPassword`, `DB_PASSWORD`, `api-key`) names a secret value. */
export function isSecretKey(key: string): boolean {
    const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    return SECRET_KEY_ENDINGS.some((e) => k.endsWith(e)) && !REFERENCE_KEY_BEGINNINGS.some((b) => k.startsWith(b));
}

/** Values that are credentials whatever their key: PEM private keys, passwords in URLs, well-known token formats. */
const SECRET_VALUES: { what: string; re: RegExp }[] = [
    { what: "a private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { what: "a password in a URL", re: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
    { what: "a GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
    { what: "an AWS secret access key", re: /aws_secret_access_key\s*=\s*\S+/i },
];

/**
 * Every plain-text secret-looking value in `props`, as `path: why`. A value counts when its key
 * names a secret (or, for `{name, value}` pairs such as container env vars, its name does) and it
 * is a non-empty string, or when the value itself looks like a credential. Values the program made
 * Pulumi secrets are masked as "[secret]" in the offline plan and pass.
 */
export function plainSecrets(props: unknown, path = ""): string[] {
    const found: string[] = [];
    const walk = (value: unknown, at: string, secretKey: boolean) => {
        if (typeof value === "string") {
            if (MASKED.has(value)) {
                return;
            }
            if (secretKey) {
                found.push(`${at} (a secret-named field)`);
                return;
            }
            const hit = SECRET_VALUES.find((s) => s.re.test(value));
            if (hit) {
                found.push(`${at} (${hit.what})`);
            }
            return;
        }
        if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${at}[${i}]`, secretKey));
            return;
        }
        const o = obj(value);
        if (!o) {
            return;
        }
        const pairSecret = typeof o.name === "string" && isSecretKey(o.name);
        for (const [key, v] of Object.entries(o)) {
            const childSecret = isSecretKey(key) || (key === "value" && pairSecret);
            walk(v, at ? `${at}.${key}` : key, childSecret);
        }
    };
    walk(props, path, false);
    return found;
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: "No password, token or key is given as a plain-text input: pass it as a Pulumi secret (config --secret, pulumi.secret) or reference a Kubernetes Secret / Secrets Manager.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const found = plainSecrets(args.props);
        // A Kubernetes Secret's data is secret by definition, whatever its keys.
        if (isKind(args.type, "", "Secret")) {
            for (const field of ["data", "stringData"]) {
                for (const [key, v] of Object.entries(obj(args.props[field]) ?? {})) {
                    if (typeof v === "string" && !MASKED.has(v) && !found.some((f) => f.startsWith(`${field}.${key} `))) {
                        found.push(`${field}.${key} (data of a Secret)`);
                    }
                }
            }
        }
        for (const f of found) {
            report(`plain-text secret in ${f}: make it a Pulumi secret or reference a secret store`);
        }
    },
};

export const SECRET_POLICIES = [noPlaintextSecrets];
