// Every use the project makes of Pulumi SDK internals, in one place: what @pulumi/pulumi does at
// run time but does not promise in its typings (runtime.isConfigSecret, runtime.waitForRPCs, the
// wire format of serialized values, the mock monitor's register and read requests) and the type
// token of a resource class (`__pulumiType`, which @pulumi/policy's typed helpers also use). The
// program needs only isConfigSecret; the offline plan (plan/) needs the rest. An SDK upgrade that
// drops or renames any of them fails `sdkProblems()` (test/infra/sdk.test.ts) with a message that
// names the piece, instead of the plan or the secrets check quietly doing less.
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
   this file is the one adapter over undeclared SDK internals: it reads them as untyped values and
   checks each one's shape (sdkProblems) before anything relies on it. */

/** The @pulumi/pulumi version installed, for messages. */
function sdkVersion(): string {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return String(require("@pulumi/pulumi/package.json").version);
    } catch {
        return "(unknown version)";
    }
}

/** An SDK internal the project relies on is gone or changed shape. */
export class SdkChangedError extends Error {
    constructor(what: string, neededFor: string) {
        super(
            `@pulumi/pulumi ${sdkVersion()} no longer provides ${what}, which ${neededFor} needs; pin @pulumi/pulumi to a version that has it (infra/sdk.ts lists every SDK internal the project uses)`,
        );
        this.name = "SdkChangedError";
    }
}

/** The SDK's runtime module, with the members it has but does not declare. */
const runtime = pulumi.runtime as unknown as Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the undeclared function's type
function runtimeFunction<T>(name: string, neededFor: string): T {
    const fn = runtime[name];
    if (typeof fn !== "function") {
        throw new SdkChangedError(`runtime.${name}`, neededFor);
    }
    return fn as T;
}

/**
 * Whether the engine passed a config value as a secret (`pulumi config set --secret`). If an SDK
 * upgrade drops the check, this fails loudly instead of turning the plain-text-secret check off.
 */
export function isConfigSecret(fullKey: string): boolean {
    try {
        return runtimeFunction<(k: string) => boolean>(
            "isConfigSecret",
            "the program (to refuse secrets set in plain text)",
        )(fullKey);
    } catch (err) {
        // A RunError prints without a stack trace under the engine.
        throw err instanceof SdkChangedError ? new pulumi.RunError(err.message) : err;
    }
}

/** Waits until every resource registration and invoke of the program has been answered. */
export function waitForRPCs(): Promise<void> {
    return runtimeFunction<() => Promise<void>>("waitForRPCs", "the offline plan (to wait for every registration)")();
}

/** The signatures of the special values of Pulumi's wire format (sdk/nodejs/runtime/rpc.ts). */
export const WIRE = {
    sigKey: rpc.specialSigKey,
    secret: rpc.specialSecretSig,
    resource: rpc.specialResourceSig,
    output: rpc.specialOutputValueSig,
    asset: rpc.specialAssetSig,
    archive: rpc.specialArchiveSig,
    unknown: rpc.unknownValue,
} as const;

/** A protobuf Struct of the request, convertible to plain JavaScript. */
interface Struct {
    toJavaScript(): Record<string, unknown>;
}

/**
 * A register or read request the mock monitor receives (pulumirpc RegisterResourceRequest and
 * ReadResourceRequest), the getters the plan reads. Option getters exist on register requests only.
 */
export interface ResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
    getCustom?(): boolean;
    getRemote?(): boolean;
    getObject?(): Struct | undefined;
    getProperties?(): Struct | undefined;
    getProtect?(): boolean | undefined;
    getIgnorechangesList?(): string[];
    getDeletebeforereplace?(): boolean;
    getDeletebeforereplacedefined?(): boolean;
    getRetainondelete?(): boolean | undefined;
    getReplaceonchangesList?(): string[];
    getAdditionalsecretoutputsList?(): string[];
    getDeletedwith?(): string;
    getCustomtimeouts?(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getPropertydependenciesMap?(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

/** The getters `ResourceRequest` reads, per request kind, as the SDK's generated classes must have them. */
export const REQUEST_GETTERS = {
    register: [
        "getType",
        "getName",
        "getParent",
        "getProvider",
        "getDependenciesList",
        "getCustom",
        "getRemote",
        "getObject",
        "getProtect",
        "getIgnorechangesList",
        "getDeletebeforereplace",
        "getDeletebeforereplacedefined",
        "getRetainondelete",
        "getReplaceonchangesList",
        "getAdditionalsecretoutputsList",
        "getDeletedwith",
        "getCustomtimeouts",
        "getPropertydependenciesMap",
    ],
    read: ["getType", "getName", "getParent", "getProvider", "getDependenciesList", "getProperties"],
} as const;

/** The monitor calls the plan intercepts; `kind` is what they are in REQUEST_GETTERS. */
const MONITOR_CALLS = { registerResource: "register", readResource: "read" } as const;

/** The handler of an intercepted monitor: a second interception replaces it instead of wrapping twice. */
const HANDLER = Symbol("platform.requestHandler");

/**
 * Calls `onRequest` with every register and read request of the current mock monitor (set by
 * `pulumi.runtime.setMocks`) before the monitor handles it: the request carries the parent, the
 * dependencies, the remote flag and the resource options, which `Mocks.newResource` does not see.
 */
export function interceptResourceRequests(onRequest: (req: ResourceRequest, kind: "register" | "read") => void): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as Record<string | symbol, unknown> | undefined;
    if (!monitor) {
        throw new SdkChangedError("a monitor after runtime.setMocks", "the offline plan (to record resources)");
    }
    if (monitor[HANDLER]) {
        monitor[HANDLER] = onRequest;
        return;
    }
    for (const [method, kind] of Object.entries(MONITOR_CALLS)) {
        const original = monitor[method];
        if (typeof original !== "function") {
            throw new SdkChangedError(`the mock monitor's ${method}`, "the offline plan (to record resources)");
        }
        monitor[method] = (req: ResourceRequest, callback: unknown) => {
            (monitor[HANDLER] as typeof onRequest)(req, kind);
            return (original as (r: unknown, c: unknown) => unknown).call(monitor, req, callback);
        };
    }
    monitor[HANDLER] = onRequest;
}

/** The type token of a resource class (`aws.eks.Cluster` -> `aws:eks/cluster:Cluster`), as @pulumi/policy reads it. */
export function typeTokenOfClass(cls: unknown): string | undefined {
    const token = (cls as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof token === "string" ? token : undefined;
}

/** The parts of the SDK `sdkProblems` checks; a test passes a changed one to see the check fail. */
export interface SdkSurface {
    readonly runtime: Record<string, unknown>;
    readonly wire: Record<string, unknown>;
    readonly requestPrototypes: { readonly register: object; readonly read: object };
    readonly resourceClass: unknown;
    /** The base class of resources (the offline plan replaces its static `stackTrace`: plan/source-positions.ts). */
    readonly resourceBase: unknown;
    /** google-protobuf's Struct, the SDK's copy (the offline plan shortens its conversions: plan/fast-struct.ts). */
    readonly structClass: unknown;
}

/** The installed SDK's surface. */
export function installedSdk(): SdkSurface {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proto = require("@pulumi/pulumi/proto/resource_pb");
    return {
        runtime,
        wire: WIRE,
        requestPrototypes: {
            register: proto.RegisterResourceRequest?.prototype ?? {},
            read: proto.ReadResourceRequest?.prototype ?? {},
        },
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        resourceClass: require("@pulumi/kubernetes").core.v1.Namespace,
        resourceBase: pulumi.Resource,
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's own dependency, resolved from it
        structClass: require(
            require.resolve("google-protobuf/google/protobuf/struct_pb", {
                paths: [require.resolve("@pulumi/pulumi")],
            }),
        ).Struct,
    };
}

/** Every SDK internal of this file that is missing or changed in `sdk`, one line each; empty when all are there. */
export function sdkProblems(sdk: SdkSurface = installedSdk()): string[] {
    const problems: string[] = [];
    for (const name of ["isConfigSecret", "waitForRPCs", "setMocks", "getMonitor"]) {
        if (typeof sdk.runtime[name] !== "function") {
            problems.push(`runtime.${name} is not a function`);
        }
    }
    for (const [name, sig] of Object.entries(sdk.wire)) {
        if (typeof sig !== "string" || sig.length === 0) {
            problems.push(
                `the wire-format constant ${name} (runtime/rpc) is ${JSON.stringify(sig)}, not a signature string`,
            );
        }
    }
    for (const kind of ["register", "read"] as const) {
        const prototype = sdk.requestPrototypes[kind] as Record<string, unknown>;
        for (const getter of REQUEST_GETTERS[kind]) {
            if (typeof prototype[getter] !== "function") {
                problems.push(
                    `${kind === "register" ? "RegisterResourceRequest" : "ReadResourceRequest"}.${getter} is missing`,
                );
            }
        }
    }
    if (typeof (sdk.resourceBase as { stackTrace?: unknown } | undefined)?.stackTrace !== "function") {
        problems.push("Resource.stackTrace is not a function");
    }
    const struct = sdk.structClass as { fromJavaScript?: unknown; prototype?: Record<string, unknown> } | undefined;
    for (const [name, member] of [
        ["fromJavaScript", struct?.fromJavaScript],
        ["prototype.toJavaScript", struct?.prototype?.toJavaScript],
        ["prototype.getFieldsMap", struct?.prototype?.getFieldsMap],
    ] as const) {
        if (typeof member !== "function") {
            problems.push(`google-protobuf's Struct.${name} (the SDK's copy) is not a function`);
        }
    }
    if (typeTokenOfClass(sdk.resourceClass) !== "kubernetes:core/v1:Namespace") {
        problems.push(
            "a resource class's __pulumiType (kubernetes core.v1.Namespace) is not kubernetes:core/v1:Namespace",
        );
    }
    return problems;
}
