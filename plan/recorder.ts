import * as pulumi from "@pulumi/pulumi";
import { ResourceRequest, WIRE, interceptResourceRequests } from "../infra/sdk";

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
    /** The resource options the engine receives (a read resource has none but its provider and parent). */
    readonly options: RecordedOptions;
    /**
     * For each input, the URNs of the resources its value comes from (the request's property
     * dependencies): what becomes unknown in that input when one of them is replaced.
     */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The resource options of a registration, as the engine receives them: what decides how an update
 * treats the resource (ignored properties, replacement order, protection) and so what a test must
 * be able to pin. Unset options are their defaults (false, empty lists).
 */
export interface RecordedOptions {
    readonly protect: boolean;
    /** Input paths whose changes the engine ignores (`ignoreChanges`). */
    readonly ignoreChanges: string[];
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    readonly replaceOnChanges: string[];
    readonly additionalSecretOutputs: string[];
    /** The explicit `dependsOn` (names): dependencies that no input carries. */
    readonly dependsOn: string[];
    /** `deletedWith`: the resource's name, or null. */
    readonly deletedWith: string | null;
    /** `customTimeouts` as the engine receives them (Go durations such as "30m"), or null when unset. */
    readonly customTimeouts: { create: string; update: string; delete: string } | null;
}

/** The options of a resource registered without any. */
export const DEFAULT_OPTIONS: RecordedOptions = {
    protect: false,
    ignoreChanges: [],
    deleteBeforeReplace: false,
    retainOnDelete: false,
    replaceOnChanges: [],
    additionalSecretOutputs: [],
    dependsOn: [],
    deletedWith: null,
    customTimeouts: null,
};

/**
 * The options of `o` that differ from the defaults, without `dependsOn` (the plan lists every
 * dependency beside them): what the plan files show of how an update treats the resource.
 */
export function setOptions(o: RecordedOptions): Partial<RecordedOptions> {
    const { dependsOn: _dependsOn, ...rest } = o;
    return Object.fromEntries(
        Object.entries(rest).filter(
            ([key, value]) => JSON.stringify(value) !== JSON.stringify(DEFAULT_OPTIONS[key as keyof RecordedOptions]),
        ),
    );
}

/** The string that stands for a secret value in recorded inputs and plan files. */
export const SECRET = "[secret]";

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
    if (value === WIRE.unknown) {
        return "[unknown]";
    }
    if (Array.isArray(value)) {
        return value.map(plainValue);
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        switch (obj[WIRE.sigKey]) {
            case WIRE.secret:
                return masked(plainValue(obj.value));
            case WIRE.resource:
                return `[resource ${nameOfUrn(String(obj.urn))}]`;
            case WIRE.output:
                return obj.secret ? masked(plainValue(obj.value)) : plainValue(obj.value);
            case WIRE.asset:
            case WIRE.archive:
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

/**
 * Records every resource the program registers by wrapping the mock monitor's
 * `registerResource` and `readResource`: the request carries the parent, the dependencies and the
 * remote flag, which `Mocks.newResource` does not receive.
 */
export class ResourceRecorder {
    readonly resources: RecordedResource[] = [];

    /** Records the requests of the current mock monitor; call right after `setMocks`. */
    attach(): void {
        interceptResourceRequests((req, kind) => this.record(req, kind === "register"));
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
        const deps = [...new Set(req.getDependenciesList().map(nameOfUrn))].sort();
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
            custom: registered ? (req.getCustom?.() ?? true) : true,
            remote: req.getRemote?.() ?? false,
            inputs,
            options: optionsOf(req, deps),
            propertyDependencies: propertyDependenciesOf(req),
        });
    }
}

/** The URNs each input of a request comes from, inputs without any left out. */
function propertyDependenciesOf(req: ResourceRequest): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((d, input) => {
        const urns = [...new Set(d.getUrnsList())].sort();
        if (urns.length > 0) {
            out[input] = urns;
        }
    });
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The resource options of a request; `deps` are the names of all its dependencies. */
function optionsOf(req: ResourceRequest, deps: readonly string[]): RecordedOptions {
    const fromInputs = new Set<string>();
    req.getPropertydependenciesMap?.().forEach((d) => d.getUrnsList().forEach((urn) => fromInputs.add(nameOfUrn(urn))));
    const timeouts = req.getCustomtimeouts?.();
    const deletedWith = req.getDeletedwith?.() ?? "";
    return {
        protect: req.getProtect?.() ?? false,
        ignoreChanges: [...(req.getIgnorechangesList?.() ?? [])],
        deleteBeforeReplace:
            (req.getDeletebeforereplacedefined?.() ?? false) && (req.getDeletebeforereplace?.() ?? false),
        retainOnDelete: req.getRetainondelete?.() ?? false,
        replaceOnChanges: [...(req.getReplaceonchangesList?.() ?? [])],
        additionalSecretOutputs: [...(req.getAdditionalsecretoutputsList?.() ?? [])],
        dependsOn: deps.filter((d) => !fromInputs.has(d)),
        deletedWith: deletedWith ? nameOfUrn(deletedWith) : null,
        // The SDK always sends the timeouts, empty when unset.
        customTimeouts:
            timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
                : null,
    };
}
