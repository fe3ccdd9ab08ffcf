// One host, one service: the hosts the exposed services of an environment claim on its ingress
// gateway, read from their stack files, so that a service stack refuses a host a sibling already
// claims. Two Gateways binding one host would each hold half of the routes (and only one of them
// the JWT rule), so the second service's config is refused before anything is created, naming both
// files.
import { NAMESPACE } from "../config";
import { Problem } from "../schema/problems";

/** A host an exposed service claims, and where it is written. */
export interface HostClaim {
    readonly service: string;
    /** The stack file, e.g. `Pulumi.dev-web.yaml`. */
    readonly file: string;
    /** The host, lower case and without a final dot. */
    readonly host: string;
    /** Whether `platform:publicHost` names it (else it is the default `<service>.<zone>`). */
    readonly explicit: boolean;
}

/** A host as DNS compares it: lower case, without a final dot. */
export function normalHost(host: string): string {
    return host.toLowerCase().replace(/\.$/, "");
}

/**
 * The problem of service `service` claiming `host` when another service of the environment claims
 * it too (naming that service's file and key), or undefined. `explicit`: whether the service's own
 * `publicHost` names the host (the problem is then that key's, else `exposed`'s).
 */
export function duplicateHostProblem(
    env: string,
    service: string,
    host: string,
    explicit: boolean,
    claims: readonly HostClaim[],
): Problem | undefined {
    const others = claims.filter((c) => c.service !== service && c.host === normalHost(host));
    if (others.length === 0) {
        return undefined;
    }
    const by = others
        .map((c) => `${c.file} (${c.explicit ? `${NAMESPACE}:publicHost` : `${NAMESPACE}:exposed, its default host`})`)
        .join(" and ");
    return {
        path: `${NAMESPACE}:${explicit ? "publicHost" : "exposed"}`,
        value: explicit ? host : true,
        message: `the host ${normalHost(host)}${explicit ? "" : " (this service's default host)"} is also claimed by ${by}: two services cannot serve one host on the gateway (their Gateways would split its routes, and a JWT rule would hold on one of them only); allowed: a host no other service of environment "${env}" claims, e.g. set ${NAMESPACE}:publicHost to another name`,
    };
}
