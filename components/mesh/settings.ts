/**
 * The Istio component's arguments made whole, as plain functions: every default applied once
 * (`withIstioDefaults`, `ISTIO_DEFAULTS`), every argument checked (`validateIstioArgs`), and the
 * settings the component builds from (`istioSettings`). Nothing here creates a resource.
 */
import { Defaults, WithDefaults, providerProblems, settingsOrThrow, withDefaults } from "../args";
import { parseCidr } from "../network/ipv4";
import { Problem, Problems } from "../problems";
import {
    DEFAULT_MESH_DATA_PLANE,
    MESH_DATA_PLANES,
    MeshDataPlane,
    ambientCanaryProblem,
    dataPlaneProblem,
} from "./ambient";
import type { IstioArgs } from "./istio";
import { canaryReleaseProblem, istioReleaseProblem, revisionTagProblem } from "./revisions";
import { ISTIO_VERSION } from "./versions";
import {
    LOAD_BALANCER_SCHEMES,
    LoadBalancerScheme,
    MIN_MESH_REPLICAS,
    OUTBOUND_TRAFFIC_POLICIES,
    OutboundTrafficPolicy,
    canaryRevisionProblem,
    meshReplicasProblem,
    revisionProblem,
    samplingProblem,
} from "./specs";

/** The arguments of the mesh that are not its owner or providers (what config sets, and what it waits for). */
export type IstioOptions = Omit<IstioArgs, "owner" | "providers">;

/**
 * The defaults of the optional IstioArgs, each written here only (the TSDoc `@default` of each
 * field in IstioArgs says the same; the common layer's config keys take theirs from here).
 * `chartMirror` and `istiodWebhooks` have none: unset means upstream (the charts module's
 * default) and istiod's Service.
 */
export const ISTIO_DEFAULTS = {
    dependsOn: [],
    revision: "",
    canaryRevision: "",
    version: "",
    canaryVersion: "",
    revisionTags: {},
    // Closed egress, the platform's intended default (REGISTRY_ONLY is not a security boundary).
    outboundTrafficPolicy: "REGISTRY_ONLY",
    tracingSamplingPercentage: 1,
    gatewayScheme: "internal",
    gatewayReplicas: MIN_MESH_REPLICAS,
    istiodReplicas: MIN_MESH_REPLICAS,
    dataPlane: DEFAULT_MESH_DATA_PLANE,
} as const satisfies Defaults<IstioOptions>;

/** IstioOptions with every default applied, before any check. */
export type ResolvedIstioOptions = WithDefaults<IstioOptions, typeof ISTIO_DEFAULTS>;

/** `args` with every default applied (`undefined` means the default; any other value is kept as given, to be checked). Pure. */
export function withIstioDefaults(args: IstioOptions): ResolvedIstioOptions {
    // Required; an untyped caller that leaves it out gets the "at least one" problem, not a crash.
    const gatewaySourceRanges = args.gatewaySourceRanges ?? [];
    return withDefaults({ ...args, gatewaySourceRanges }, ISTIO_DEFAULTS);
}

/** IstioArgs with every default applied and checked: what the component builds. */
export type IstioSettings = ResolvedIstioOptions & {
    readonly outboundTrafficPolicy: OutboundTrafficPolicy;
    readonly gatewayScheme: LoadBalancerScheme;
    readonly dataPlane: MeshDataPlane;
};

/** One of `allowed`, or undefined: for a value an untyped caller may have given as any text. */
function oneOf<T extends string>(allowed: readonly T[], value: string): T | undefined {
    return allowed.find((a) => a === value);
}

/**
 * Applies the defaults and checks every argument; pure. Returns the settings, or every problem:
 * the property, its value, what is wrong and what is allowed.
 */
export function validateIstioArgs(args: IstioOptions): { settings?: IstioSettings; problems: Problem[] } {
    const problems = new Problems();
    const add = problems.add.bind(problems);
    const resolved = withIstioDefaults(args);
    const { revision, canaryRevision, tracingSamplingPercentage, gatewaySourceRanges } = resolved;
    add("revision", revision, revisionProblem(revision));
    add(
        "canaryRevision",
        canaryRevision,
        canaryRevisionProblem(canaryRevision, revision) ?? ambientCanaryProblem(resolved.dataPlane, canaryRevision),
    );
    add("version", resolved.version, istioReleaseProblem(resolved.version));
    add(
        "canaryVersion",
        resolved.canaryVersion,
        canaryReleaseProblem(resolved.canaryVersion, canaryRevision, "canaryRevision"),
    );
    for (const [tag, target] of Object.entries(resolved.revisionTags)) {
        add(`revisionTags.${tag}`, target, revisionTagProblem(tag, target, [revision, canaryRevision]));
    }
    add("tracingSamplingPercentage", tracingSamplingPercentage, samplingProblem(tracingSamplingPercentage));
    const outboundTrafficPolicy = oneOf(OUTBOUND_TRAFFIC_POLICIES, resolved.outboundTrafficPolicy);
    const outboundAllowed = `allowed: ${OUTBOUND_TRAFFIC_POLICIES.join(", ")}`;
    add("outboundTrafficPolicy", resolved.outboundTrafficPolicy, outboundTrafficPolicy ? undefined : outboundAllowed);
    const gatewayScheme = oneOf(LOAD_BALANCER_SCHEMES, resolved.gatewayScheme);
    const schemeAllowed = `allowed: ${LOAD_BALANCER_SCHEMES.join(", ")}`;
    add("gatewayScheme", resolved.gatewayScheme, gatewayScheme ? undefined : schemeAllowed);
    const dataPlane = oneOf(MESH_DATA_PLANES, resolved.dataPlane);
    add("dataPlane", resolved.dataPlane, dataPlaneProblem(resolved.dataPlane));
    add("gatewayReplicas", resolved.gatewayReplicas, meshReplicasProblem(resolved.gatewayReplicas));
    add("istiodReplicas", resolved.istiodReplicas, meshReplicasProblem(resolved.istiodReplicas));
    const open = "at least one CIDR is needed, or the load balancer is open to every address";
    add("gatewaySourceRanges", [], gatewaySourceRanges.length === 0 ? open : undefined);
    gatewaySourceRanges.forEach((cidr, i) => {
        const notCidr = "not an IPv4 CIDR block; allowed: a.b.c.d/n, e.g. 10.20.0.0/16";
        add(`gatewaySourceRanges[${i}]`, cidr, parseCidr(cidr) === undefined ? notCidr : undefined);
    });
    if (
        !problems.empty ||
        outboundTrafficPolicy === undefined ||
        gatewayScheme === undefined ||
        dataPlane === undefined
    ) {
        return { problems: [...problems.all] };
    }
    return { problems: [], settings: { ...resolved, outboundTrafficPolicy, gatewayScheme, dataPlane } };
}

/**
 * The settings the Istio component `name` builds from: its providers checked, then its arguments
 * (defaults applied once, every argument checked). Pure; throws one ProblemError
 * (ComponentArgsError) listing every problem, the providers' first.
 */
export function istioSettings(name: string, args: IstioArgs): IstioSettings {
    const { owner: _owner, providers, ...options } = args;
    return settingsOrThrow("Istio", name, providerProblems(providers, ["kubernetes"]), validateIstioArgs(options));
}

/** One control plane of the mesh: its revision ('' for none) and its Istio release (chart version). */
export interface ControlPlaneRelease {
    readonly revision: string;
    readonly version: string;
}

/**
 * The mesh's control planes, the main one first, then the canary's when there is one, each with
 * its Istio release (the pinned ISTIO_VERSION where none is given).
 */
export function controlPlaneReleases(
    settings: Pick<IstioSettings, "revision" | "version" | "canaryRevision" | "canaryVersion">,
): ControlPlaneRelease[] {
    const release = (v: string) => (v === "" ? ISTIO_VERSION : v);
    return [
        { revision: settings.revision, version: release(settings.version) },
        ...(settings.canaryRevision === ""
            ? []
            : [{ revision: settings.canaryRevision, version: release(settings.canaryVersion) }]),
    ];
}
