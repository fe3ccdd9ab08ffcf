/** IPv4 address and CIDR arithmetic: pure functions on 32-bit unsigned numbers. */

/** An IPv4 address as a 32-bit unsigned number, or undefined. */
export function parseIpv4(value: string): number | undefined {
    const parts = value.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** A parsed IPv4 CIDR block. */
export interface Cidr {
    /** First address, as a 32-bit unsigned number. */
    readonly base: number;
    /** Prefix length, 0..32. */
    readonly prefix: number;
}

/** Parses `a.b.c.d/n`; undefined when it is not a CIDR whose address is the block's first. */
export function parseCidr(value: string): Cidr | undefined {
    const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(value);
    if (!m) {
        return undefined;
    }
    const base = parseIpv4(m[1]);
    const prefix = Number(m[2]);
    if (base === undefined || prefix > 32) {
        return undefined;
    }
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) {
        return undefined;
    }
    return { base, prefix };
}

/** Formats a CIDR block back to `a.b.c.d/n`. */
export function formatCidr(cidr: Cidr): string {
    const b = cidr.base;
    return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 2 ** 8) % 256}.${b % 256}/${cidr.prefix}`;
}

/**
 * Whether an address block covers every address: any `/0` (`0.0.0.0/0`, `::/0`). One rule for the
 * cluster's public endpoint check and the policy pack (endpoint CIDRs, AuthorizationPolicy ipBlocks).
 */
export function isEveryAddress(block: string): boolean {
    return block.trim().endsWith("/0");
}

/**
 * Whether address blocks together cover every IPv4 address: one of them is every address
 * (`isEveryAddress`), or their union is the whole space (`0.0.0.0/1` with `128.0.0.0/1`). Blocks
 * that do not parse are left to their own check. The cluster's public endpoint check and the
 * policy pack use it, so that splitting 0.0.0.0/0 into parts does not pass either.
 */
export function coverEveryAddress(blocks: readonly string[]): boolean {
    if (blocks.some(isEveryAddress)) {
        return true;
    }
    const ranges = blocks
        .map((b) => parseCidr(b.trim()))
        .filter((c): c is Cidr => c !== undefined)
        .map((c) => ({ start: c.base, end: c.base + 2 ** (32 - c.prefix) }))
        .sort((a, b) => a.start - b.start);
    let reached = 0;
    for (const { start, end } of ranges) {
        if (start > reached) {
            return false;
        }
        reached = Math.max(reached, end);
    }
    return reached >= 2 ** 32;
}

/** An IPv4 CIDR with a prefix length in [min, max]. */
export function checkCidr(value: string, min = 0, max = 32): string | undefined {
    const cidr = parseCidr(value);
    if (!cidr) {
        return `not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16`;
    }
    if (cidr.prefix < min || cidr.prefix > max) {
        return `prefix /${cidr.prefix} is out of range; allowed: /${min} to /${max}`;
    }
    return undefined;
}
