// The hosts the exposed services of an environment claim, read from their stack files; the check
// that one host has one service is the service layer's (layers/service/hosts.ts).
import { exposedHost } from "@platform/components/service";
import { NAMESPACE } from "../layers/config";
import { HostClaim, normalHost } from "../layers/service/hosts";
import { readServiceStackFiles, stackConfigDir } from "./environment";

/**
 * The hosts the exposed services of `env` claim, from their stack files in `dir`: `publicHost`, or
 * `<service>.<zoneName>`. A service whose `exposed` is not `true` claims none; a malformed value
 * is its own stack's config error, so it is read as not exposed here.
 */
export function readHostClaims(env: string, zoneName: string, dir = stackConfigDir()): HostClaim[] {
    return readServiceStackFiles(env, dir).flatMap((s): HostClaim[] => {
        const exposed = s.config[`${NAMESPACE}:exposed`];
        const publicHost = s.config[`${NAMESPACE}:publicHost`];
        const explicit = typeof publicHost === "string" && publicHost !== "";
        const host = exposedHost(
            s.name,
            { exposed: exposed === true || exposed === "true", ...(explicit ? { publicHost } : {}) },
            zoneName,
        );
        return host === undefined ? [] : [{ service: s.name, file: s.file, host: normalHost(host), explicit }];
    });
}
