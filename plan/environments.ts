// What environments must not share: their DNS zone names and their VPCs' addresses. Each global
// stack is valid on its own; only the plan, which sees every stack file of the folder, can tell
// that a copied Pulumi.staging.yaml still names dev's zone or reuses dev's VPC CIDR.
import * as path from "path";
import { layerOfStackName } from "../layers/layering";
import { overlaps } from "../components/network/cidr";
import { defaultPrivateZoneName } from "../components/network/dns";
import { parseCidr } from "../components/network/ipv4";
import { PROJECT } from "./evaluate";
import { ROOT, StackConfig, allStacks, readStackConfig } from "./stack-config";

/** What an environment's global stack claims for itself. */
interface Claims {
    readonly env: string;
    readonly file: string;
    /** Zone names by the key that gives them (privateZoneName, publicZoneName). */
    readonly zones: { readonly key: string; readonly name: string }[];
    readonly vpcCidr: string;
}

function claimsOf(config: StackConfig): Claims {
    const value = (key: string) => config.config[`${PROJECT}:${key}`] ?? "";
    const zones = [{ key: "privateZoneName", name: value("privateZoneName") || defaultPrivateZoneName(config.stack) }];
    if (value("publicZoneName") !== "") {
        zones.push({ key: "publicZoneName", name: value("publicZoneName") });
    }
    return { env: config.stack, file: path.basename(config.file), zones, vpcCidr: value("vpcCidr") };
}

/** A zone name for `env` in place of `other`'s: `dev.example.com` -> `staging.example.com`, else `staging.<name>`. */
function ownZoneName(name: string, other: string, env: string): string {
    const labels = name.split(".");
    return [env, ...(labels[0] === other ? labels.slice(1) : labels)].join(".");
}

/** The global stacks of `dir` (a stack file that cannot be read is left to its own plan). */
function globalStacks(dir: string): Claims[] {
    const claims: Claims[] = [];
    for (const stack of allStacks(dir).filter((s) => layerOfStackName(s) === "global")) {
        try {
            const config = readStackConfig(stack, dir);
            if (config.config[`${PROJECT}:layer`] === "global") {
                claims.push(claimsOf(config));
            }
        } catch {
            // its own plan reports it
        }
    }
    return claims;
}

/**
 * Warnings for environment `env`: a zone name another environment of `dir` also uses, and a VPC
 * CIDR that overlaps another environment's (peering, VPN and transit gateways need distinct
 * ranges). Each names both files, the key, the value and what to choose instead.
 */
export function environmentWarnings(env: string, dir = ROOT): string[] {
    const all = globalStacks(dir);
    const own = all.find((c) => c.env === env);
    if (!own) {
        return [];
    }
    const warnings: string[] = [];
    for (const other of all.filter((c) => c !== own)) {
        for (const zone of own.zones) {
            const clash = other.zones.find((z) => z.name.toLowerCase() === zone.name.toLowerCase());
            if (clash) {
                warnings.push(
                    `${own.file}: ${PROJECT}:${zone.key} = ${JSON.stringify(zone.name)} is also a zone of environment "${other.env}" ` +
                        `(${other.file}, ${PROJECT}:${clash.key}); each environment needs zone names of its own, e.g. ${JSON.stringify(ownZoneName(zone.name, other.env, env))}`,
                );
            }
        }
        const a = parseCidr(own.vpcCidr);
        const b = parseCidr(other.vpcCidr);
        if (a && b && overlaps(a, b)) {
            warnings.push(
                `${own.file}: ${PROJECT}:vpcCidr = ${JSON.stringify(own.vpcCidr)} overlaps environment "${other.env}"'s ${JSON.stringify(other.vpcCidr)} (${other.file}); ` +
                    `the VPCs could never be peered or joined by a VPN or transit gateway; allowed: a range that overlaps no other environment's vpcCidr`,
            );
        }
    }
    return warnings;
}
