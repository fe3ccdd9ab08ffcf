/** Checks of the environment's DNS zone names, as plain functions. */

/** One DNS label: letters, digits and '-', not at either end, at most 63 characters. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** The longest domain name (without the trailing dot). */
const MAX_DOMAIN_LENGTH = 253;

/** Why `name` cannot be a hosted zone name, or undefined when it can. */
export function checkZoneName(name: string): string | undefined {
    const allowed =
        "allowed: lower-case DNS labels (a-z, 0-9, '-') joined by '.', at least two, no trailing dot, e.g. dev.internal.example.com";
    if (name.length > MAX_DOMAIN_LENGTH) {
        return `it is ${name.length} characters long; at most ${MAX_DOMAIN_LENGTH} are allowed`;
    }
    const labels = name.split(".");
    if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
        return `not a domain name; ${allowed}`;
    }
    return undefined;
}

/** The private zone of an environment when config names none: `<env>.internal` (`.internal` is reserved for private use by ICANN). */
export function defaultPrivateZoneName(env: string): string {
    return `${env}.internal`;
}
