/**
 * The Service component's arguments made whole, as plain functions: every argument checked, the
 * service's own description by `serviceProblems` (`validateServiceArgs`), and what the component
 * builds from, each value worked out once (`deriveServiceSettings`, `serviceComponentSettings`):
 * the service's namespace, account, principal, hosts and external hosts. Nothing here creates a
 * resource. The service's own defaults (replicas, port, ...) are `SERVICE_DEFAULTS` (defaults.ts),
 * applied by the config parser.
 */
import { providerProblems } from "../args";
import { certificateIssuerProblem } from "../certificates";
import { isValidated } from "../config/slice";
import { dataPlaneOf } from "../mesh/dataplane";
import { kubernetesNameProblem } from "../conventions";
import { parseCidr } from "../network/ipv4";
import { Problem, Problems, throwIfProblems } from "../problems";
import { principalOf } from "./policies";
import type { ServiceArgs } from "./service";
import { ExternalHostSpec, ServiceSettings } from "./types";
import { dataPlaneProblems, serviceProblems } from "./validation";
import { serviceHost } from "./workload";

/** The arguments of the component that are not its providers. */
export type ServiceOptions = Omit<ServiceArgs, "providers">;

/**
 * Checks every argument; pure. Returns what the component builds from (`deriveServiceSettings`),
 * or every problem: the property, its value, what is wrong and what is allowed. The service's
 * description (`settings`) is checked by `serviceProblems`, under its own paths (`replicas`,
 * `versions[0].image`), unless its config slice checked it already (`isValidated`).
 */
export function validateServiceArgs(args: ServiceOptions): {
    settings?: ServiceComponentSettings;
    problems: Problem[];
} {
    const problems = new Problems();
    const plane = dataPlaneOf(args.mesh.dataPlane);
    if (!isValidated(args.settings)) {
        problems.addAll("", serviceProblems(args.settings, { dataPlane: plane, service: args.owner.service }));
        problems.addAll("", plane.settingsProblems(args.settings));
    } else {
        // Its config slice checked it without knowing the data plane (`quotaLater`).
        problems.addAll("", dataPlaneProblems(args.settings, plane));
    }
    problems.add("owner.service", args.owner.service, kubernetesNameProblem(args.owner.service));
    const noTrustDomain = "required to build principals, e.g. cluster.local";
    problems.add("mesh.trustDomain", args.mesh.trustDomain, args.mesh.trustDomain === "" ? noTrustDomain : undefined);
    if (args.settings.exposed && args.settings.publicHost === undefined && args.zoneName === "") {
        problems.add("zoneName", "", "an exposed service without publicHost needs the environment zone for its host");
    }
    if (args.settings.exposed && certificateIssuerProblem(args.certificateIssuer) !== undefined) {
        problems.add(
            "certificateIssuer",
            args.certificateIssuer,
            "an exposed service's certificate needs the ClusterIssuer's name (the common layer's output certificateIssuer)",
        );
    }
    const zoneMessage =
        args.settings.publicHost === undefined || args.zoneName === ""
            ? undefined
            : hostZoneProblem(args.settings.publicHost, args.zoneName);
    problems.add("publicHost", args.settings.publicHost, zoneMessage);
    args.callees.forEach((callee, i) => problems.add(`callees[${i}]`, callee, kubernetesNameProblem(callee)));
    const notCidr = "not an IPv4 CIDR block; the egress NetworkPolicy needs the environment's VPC, e.g. 10.0.0.0/16";
    problems.add("vpcCidr", args.vpcCidr, parseCidr(args.vpcCidr) === undefined ? notCidr : undefined);
    return problems.empty ? { settings: deriveServiceSettings(args), problems: [] } : { problems: [...problems.all] };
}

/**
 * Why `host` cannot be an exposed service's host in the environment's DNS zone `zoneName`, or
 * undefined: the host gets its record in that zone, so it must be the zone's name or below it.
 */
export function hostZoneProblem(host: string, zoneName: string): string | undefined {
    const h = host.toLowerCase().replace(/\.$/, "");
    const zone = zoneName.toLowerCase().replace(/\.$/, "");
    return h === zone || h.endsWith(`.${zone}`)
        ? undefined
        : `not in the environment's DNS zone ${zoneName}, where its record is made; allowed: ${zoneName} or a name ending in .${zoneName}, e.g. shop.${zoneName}`;
}

/** The public host of an exposed service: `publicHost`, or `<service>.<zoneName>`. */
export function exposedHost(
    service: string,
    settings: Pick<ServiceSettings, "exposed" | "publicHost">,
    zoneName: string,
): string | undefined {
    return settings.exposed ? (settings.publicHost ?? `${service}.${zoneName}`) : undefined;
}

/** ServiceArgs checked, with every value derived from them worked out once: what the component builds. */
export interface ServiceComponentSettings {
    /** The service's name: also its namespace's and its service account's. */
    readonly service: string;
    readonly namespace: string;
    readonly serviceAccount: string;
    /** `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
    readonly principal: string;
    /** In-cluster FQDN. */
    readonly host: string;
    /** The host on the gateway when exposed (`publicHost`, or `<service>.<zoneName>`). */
    readonly publicHost?: string;
    /** The external hosts the service may reach; none when the settings list none. */
    readonly externalHosts: readonly ExternalHostSpec[];
}

/** What the component builds from valid `args`. Pure. */
export function deriveServiceSettings(args: ServiceOptions): ServiceComponentSettings {
    const service = args.owner.service;
    const publicHost = exposedHost(service, args.settings, args.zoneName);
    return {
        service,
        namespace: service,
        serviceAccount: service,
        principal: principalOf(args.mesh.trustDomain, service, service),
        host: serviceHost(service, service),
        ...(publicHost === undefined ? {} : { publicHost }),
        externalHosts: args.settings.externalHosts ?? [],
    };
}

/**
 * The settings the Service component builds from: its providers checked, then its arguments.
 * Pure; throws one ProblemError (ComponentArgsError, `invalid Service "<service>":`) listing every
 * problem, the providers' first, before anything is registered.
 */
export function serviceComponentSettings(args: ServiceArgs): ServiceComponentSettings {
    const { providers, ...options } = args;
    const { settings, problems } = validateServiceArgs(options);
    throwIfProblems("ComponentArgsError", `invalid Service "${args.owner.service}":`, [
        ...providerProblems(providers, ["kubernetes"]),
        ...problems,
    ]);
    if (settings === undefined) {
        // A bug of the validation: it returns settings whenever it finds no problem.
        throw new Error("Service: its validation returned neither settings nor a problem");
    }
    return settings;
}
