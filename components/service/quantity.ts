/** Kubernetes quantities: read (`500m`, `256Mi`) and written back as Kubernetes writes them. */
const QUANTITY_UNITS: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** A Kubernetes quantity (`500m`, `2`, `256Mi`) in base units (cores, bytes); undefined when it is not one. */
export function parseQuantity(quantity: string): number | undefined {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(quantity);
    return m ? Number(m[1]) * QUANTITY_UNITS[m[2] ?? ""] : undefined;
}

/** CPU cores as Kubernetes writes them: whole cores (`20`) or millicores (`2500m`). */
export function formatCpu(cores: number): string {
    const milli = Math.round(cores * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as Kubernetes writes them: `10Gi` when whole, else `Mi` rounded up. */
export function formatMemory(bytes: number): string {
    return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`;
}
