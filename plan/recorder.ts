import * as pulumi from "@pulumi/pulumi";

/** One registered resource, as the offline plan and the tests see it. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The parent's name, or null for a top-level resource. */
    readonly parent: string | null;
    /** Names of the resources it depends on: explicit `dependsOn` and the resources its inputs come from. */
    readonly dependsOn: string[];
    /** The provider's name (its logical name), or null for the default provider. */
    readonly provider: string | null;
    /** A custom resource (false: a component). */
    readonly custom: boolean;
    /** A remote (multi-language) component such as eks.Cluster. */
    readonly remote: boolean;
    /** Inputs as the engine receives them; each secret leaf value is the string "[secret]". */
    readonly inputs: Record<string, unknown>;
}

/** The string that stands for a secret value in recorded inputs and plan files. */
export const SECRET = "[secret]";

// Signatures of the special values of Pulumi's wire format (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270";
const SIG_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const SIG_ASSET = "c44067f5952c0a294b673a41bacd8c17";
const SIG_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The logical name in a URN (its last `::` part). */
export function nameOfUrn(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/**
 * A secret's plain form: each leaf masked, its lists and maps kept, so that a masked manifest
 * keeps its shape (a Secret's `stringData` stays a map of "[secret]" values, which an API server or
 * an analyzer still accepts).
 */
function masked(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(masked);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
    }
    return SECRET;
}

/** Plain JSON from a serialized property value: secrets masked leaf by leaf, references as names. */
export function plainValue(value: unknown): unknown {
    if (value === UNKNOWN) {
        return "[unknown]";
    }
    if (Array.isArray(value)) {
        return value.map(plainValue);
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        switch (obj[SIG_KEY]) {
            case SIG_SECRET:
                return masked(plainValue(obj.value));
            case SIG_RESOURCE:
                return `[resource ${nameOfUrn(String(obj.urn))}]`;
            case SIG_OUTPUT:
                return obj.secret ? masked(plainValue(obj.value)) : plainValue(obj.value);
            case SIG_ASSET:
            case SIG_ARCHIVE:
                return "[asset]";
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(obj)) {
            out[key] = plainValue(obj[key]);
        }
        return out;
    }
    return value;
}

/** Providers JSON-encode their nested inputs (e.g. aws `defaultTags`); decode them for reading. */
function decodeProviderInputs(inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (typeof value === "string" && /^[[{]/.test(value)) {
            try {
                out[key] = JSON.parse(value);
                continue;
            } catch {
                // not JSON: keep the string
            }
        }
        out[key] = value;
    }
    return out;
}

/** A register or read request of the mock monitor (the parts we record). */
interface ResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom?(): boolean;
    getRemote?(): boolean;
    getProvider(): string;
    getDependenciesList?(): string[];
    getObject?(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProperties?(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/**
 * Records every resource the program registers by wrapping the mock monitor's
 * `registerResource` and `readResource`: the request carries the parent, the dependencies and the
 * remote flag, which `Mocks.newResource` does not receive.
 */
export class ResourceRecorder {
    readonly resources: RecordedResource[] = [];

    /** Wraps the current mock monitor; call right after `setMocks`. */
    attach(): void {
        const monitor = pulumi.runtime.getMonitor() as any;
        if (!monitor || monitor.__platformRecorder === this) {
            return;
        }
        for (const method of ["registerResource", "readResource"] as const) {
            const original = monitor[method].bind(monitor);
            monitor[method] = (req: ResourceRequest, callback: unknown) => {
                this.record(req, method === "registerResource");
                return original(req, callback);
            };
        }
        monitor.__platformRecorder = this;
    }

    private record(req: ResourceRequest, registered: boolean): void {
        const type = req.getType();
        const name = req.getName();
        const parentUrn = req.getParent();
        const struct = registered ? req.getObject?.() : req.getProperties?.();
        let inputs = plainValue(struct ? struct.toJavaScript() : {}) as Record<string, unknown>;
        if (type.startsWith("pulumi:providers:")) {
            inputs = decodeProviderInputs(inputs);
        }
        const deps = [...new Set((req.getDependenciesList?.() ?? []).map(nameOfUrn))].sort();
        const provider = req.getProvider();
        const parentType = parentUrn ? parentUrn.split("::")[2].split("$").pop() : undefined;
        const qualified = parentType ? `${parentType}$${type}` : type;
        this.resources.push({
            urn: `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`,
            type,
            name,
            parent: parentUrn ? nameOfUrn(parentUrn) : null,
            dependsOn: deps,
            provider: provider ? nameOfUrn(provider.split("::").slice(0, -1).join("::")) : null,
            custom: registered ? req.getCustom?.() ?? true : true,
            remote: req.getRemote?.() ?? false,
            inputs,
        });
    }
}
