import { ResourceValidationPolicy, Secret } from "@pulumi/policy";
import { isKind, obj } from "./util";

/** How the offline plan shows a Pulumi secret (plan/recorder.ts), and an unknown value. */
const MASKED = new Set(["[secret]", "[unknown]", ""]);

/** Key endings that name a secret value (compared lower-case, without `-`, `_` and `.`). */
const SECRET_KEY_ENDINGS = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "secretkey",
    "accesskey",
    "credential",
    "credentials",
];

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
 * A property of a policy's props, or UNKNOWN when the engine does not know it yet (a preview): the
 * props of @pulumi/policy throw on reading an unknown value, and an unknown value is no plain-text
 * secret now (the engine checks it again once it is known).
 */
const UNKNOWN = Symbol("unknown");
function read(o: Record<string, unknown>, key: string): unknown {
    try {
        return o[key];
    } catch (err) {
        // @pulumi/policy's UnknownValueError (not exported): "<type> value at .<path> can't be known during preview".
        if (err instanceof Error && err.message.includes("can't be known during preview")) {
            return UNKNOWN;
        }
        throw err;
    }
}

/**
 * Every plain-text secret-looking value in `props`, as `path: why`. A value counts when its key
 * names a secret (or, for `{name, value}` pairs such as container env vars, its name does) and it
 * is a non-empty string, or when the value itself looks like a credential. Values the program made
 * Pulumi secrets pass: masked as "[secret]" in the offline plan; under the engine, their paths are
 * in `secretPaths` (see secretValuesSeen). Unknown values (a preview) pass.
 */
export function plainSecrets(props: unknown, path = "", secretPaths: ReadonlySet<string> = new Set()): string[] {
    const found: string[] = [];
    const walk = (value: unknown, at: string, secretKey: boolean) => {
        if (value === UNKNOWN || secretPaths.has(at)) {
            return;
        }
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
            for (let i = 0; i < value.length; i++) {
                walk(read(value as unknown as Record<string, unknown>, String(i)), `${at}[${i}]`, secretKey);
            }
            return;
        }
        const o = obj(value);
        if (!o) {
            return;
        }
        const name = read(o, "name");
        const pairSecret = typeof name === "string" && isSecretKey(name);
        for (const key of Object.keys(o)) {
            const childSecret = isSecretKey(key) || (key === "value" && pairSecret);
            walk(read(o, key), at ? `${at}.${key}` : key, childSecret);
        }
    };
    walk(props, path, false);
    return found;
}

/**
 * The paths (`stringData.password`, `env[0].value`) of the values that are Pulumi secrets, in the
 * props a remediation receives: there @pulumi/policy keeps each secret as a `Secret` object under
 * its property (its props proxy unwraps them on reading, so they are read as stored, through
 * their property descriptors). Validations never see `Secret`s: the engine hands them every
 * secret unwrapped, indistinguishable from plain text.
 */
export function secretPathsOf(value: unknown, at = "", out = new Set<string>()): Set<string> {
    if (value instanceof Secret) {
        out.add(at);
        return out;
    }
    if (value !== null && typeof value === "object") {
        const array = Array.isArray(value);
        for (const key of Object.keys(value)) {
            const stored = Object.getOwnPropertyDescriptor(value, key)?.value;
            secretPathsOf(stored, array ? `${at}[${key}]` : at ? `${at}.${key}` : key, out);
        }
    }
    return out;
}

/** The secret paths of each resource (by URN) that secretValuesSeen recorded in this pack's process. */
const secretPathsByUrn = new Map<string, Set<string>>();

/**
 * Not a rule: it lets no-plaintext-secrets tell a Pulumi secret from plain text under the real
 * engine, which runs a resource's remediations before its validations in the same pack process.
 * It records the paths of the resource's secret values and changes nothing (no remediation).
 */
export const secretValuesSeen: ResourceValidationPolicy = {
    name: "secret-values-seen",
    description: "Records which inputs are Pulumi secrets, for no-plaintext-secrets; changes nothing.",
    enforcementLevel: "remediate",
    remediateResource: (args) => {
        secretPathsByUrn.set(args.urn, secretPathsOf(args.props));
        return undefined;
    },
};

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description:
        "No password, token or key is given as a plain-text input: pass it as a Pulumi secret (config --secret, pulumi.secret) or reference a Kubernetes Secret / Secrets Manager.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const secretPaths = secretPathsByUrn.get(args.urn) ?? new Set<string>();
        const found = plainSecrets(args.props, "", secretPaths);
        // A Kubernetes Secret's data is secret by definition, whatever its keys.
        if (isKind(args.type, "", "Secret")) {
            for (const field of ["data", "stringData"]) {
                const data = obj(read(args.props, field)) ?? {};
                for (const key of Object.keys(data)) {
                    const v = read(data, key);
                    const at = `${field}.${key}`;
                    if (
                        typeof v === "string" &&
                        !MASKED.has(v) &&
                        !secretPaths.has(field) &&
                        !secretPaths.has(at) &&
                        !found.some((f) => f.startsWith(`${at} `))
                    ) {
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

export const SECRET_POLICIES = [noPlaintextSecrets, secretValuesSeen];
