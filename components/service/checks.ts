/**
 * Pure checks of single values of a service's description. Each returns a message saying what is
 * wrong and what is allowed, or undefined when the value is fine.
 */
import { RESERVED_SERVICE_NAMES, SERVICE_NAME_RULE, isServiceName } from "../conventions/environment";
import { imagePinFault } from "../conventions/images";
import { EXTERNAL_PROTOCOLS, HTTP_METHODS, PROTOCOLS } from "./types";

export const DURATION = /^[0-9]+(ms|s|m|h)$/;
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;
export const HEADER = /^[a-z0-9][-a-z0-9_]*$/;
export const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
/** A Kubernetes namespace or service name (DNS-1123 label). */
export const DNS_LABEL_RULE = "lower-case letters, digits and '-', at most 63 characters (DNS-1123)";

/** Why `image` is not pinned, or undefined when it is: the rule of components/conventions/images.ts, with the fix. */
export function checkImage(image: string): string | undefined {
    const example = "e.g. registry.example.com/backend:1.4.2 or registry.example.com/backend@sha256:<64 hex digits>";
    switch (imagePinFault(image)) {
        case undefined:
            return undefined;
        case "malformed digest":
            return `not a valid digest; allowed: a tag other than latest or @sha256:<64 hex digits>, ${example}`;
        case "no image":
            return `the image is empty; allowed: an image pinned by a tag other than latest or by a digest, ${example}`;
        case "no tag":
            return `the image has no tag, so it is not pinned; allowed: a tag other than latest or a digest, ${example}`;
        case "latest":
            return `the tag latest is not pinned; allowed: a tag other than latest or a digest, ${example}`;
    }
}

/** In-cluster suffixes: such a host is a service of the mesh, reached through its own allowedCallers. */
const IN_CLUSTER_SUFFIXES = [".svc.cluster.local", ".cluster.local", ".svc"];

/**
 * Why `host` cannot be an external host, or undefined: a lower-case fully qualified DNS name (at
 * least two labels, each at most 63 characters, at most 253 in all), not a wildcard (DNS
 * resolution cannot follow it, and it would open every subdomain), not an IP address (a
 * ServiceEntry with DNS resolution needs a name) and not an in-cluster name.
 */
export function checkExternalHost(host: string): string | undefined {
    const allowed = "allowed: a fully qualified host name in lower case, e.g. api.stripe.com";
    if (host.includes("*")) {
        return `a wildcard would open every subdomain and cannot be resolved by DNS; list each host, ${allowed}`;
    }
    if (/^[0-9.]+$/.test(host) || host.includes(":")) {
        return `an IP address, not a host name; ${allowed}`;
    }
    if (IN_CLUSTER_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
        return `an in-cluster host: a service of the mesh is reached through its own allowedCallers, not as an external host; ${allowed}`;
    }
    if (!HOST.test(host) || host.length > 253 || host.split(".").some((label) => label.length > 63)) {
        return `not a host name; ${allowed}`;
    }
    return undefined;
}

/** Why `path` is not an AuthorizationPolicy path, or undefined. */
export function checkPath(path: string): string | undefined {
    if (!path.startsWith("/")) {
        return "a path must start with '/'; allowed: an absolute path, exact or ending in '*' for a prefix, e.g. /api/*";
    }
    if (path.slice(0, -1).includes("*")) {
        return "'*' is only allowed at the end (a prefix match), e.g. /api/*";
    }
    return undefined;
}

/**
 * Why `service` cannot be a caller, or undefined: it must be a service's name (the service part of
 * a stack `<env>-<service>`); `common` and `global` are layers, whose principal no workload has.
 * Whether the environment has that service's stack is checked by the plan, which knows them all.
 */
export function checkCallerService(service: string): string | undefined {
    const allowed = `allowed: the name of a service of the environment (its stack is <env>-<service>): ${SERVICE_NAME_RULE}, not ${RESERVED_SERVICE_NAMES.join(" or ")}`;
    if (RESERVED_SERVICE_NAMES.includes(service)) {
        return `"${service}" is a layer of the environment, not a service: no workload has its principal; ${allowed}`;
    }
    return isServiceName(service) ? undefined : `not a service name; ${allowed}`;
}

/** Why `method` is not an HTTP method, or undefined. */
/** Why `protocol` is not an application protocol of the Service port, or undefined. */
export function checkProtocol(protocol: string): string | undefined {
    return (PROTOCOLS as readonly string[]).includes(protocol) ? undefined : `allowed: ${PROTOCOLS.join(", ")}`;
}

/** Why `protocol` is not a protocol of an external host's ServiceEntry, or undefined. */
export function checkExternalProtocol(protocol: string): string | undefined {
    return (EXTERNAL_PROTOCOLS as readonly string[]).includes(protocol)
        ? undefined
        : `allowed: ${EXTERNAL_PROTOCOLS.join(", ")} (upper case; TCP is not offered: without addresses a TCP ServiceEntry matches every host on its port)`;
}

export function checkMethod(method: string): string | undefined {
    return (HTTP_METHODS as readonly string[]).includes(method)
        ? undefined
        : `unknown HTTP method; allowed: ${HTTP_METHODS.join(", ")} (upper case)`;
}

/** Why `cidr` is not an IPv4 CIDR block, or undefined. */
export function checkIpBlock(cidr: string): string | undefined {
    const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(\/([0-9]{1,2}))?$/.exec(cidr);
    if (!m || m.slice(1, 5).some((p) => Number(p) > 255) || (m[6] !== undefined && Number(m[6]) > 32)) {
        return "not an IPv4 address or CIDR block; allowed: e.g. 203.0.113.0/24 or 198.51.100.7";
    }
    return undefined;
}
