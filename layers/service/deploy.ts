import {
    DATA_PLANE_MODES,
    DEFAULT_DATA_PLANE,
    DataPlaneMode,
    GraphService,
    OBSERVABILITY_NAMESPACE,
    Service,
    calleesOf,
    dataPlaneModeProblems,
    exposedHost,
    hostZoneProblem,
} from "@platform/components/service";
import { kubernetesProvider } from "../providers";
import { configError } from "../schema/problems";
import { ServiceConfig } from "./config";
import { CommonOutputs } from "../common/outputs";
import { GlobalOutputs, environmentOf } from "../global/outputs";
import { StackOutputs } from "../outputs";
import { HostClaim, duplicateHostProblem } from "./hosts";
import { ServiceOutputs } from "./outputs";

/**
 * What a service layer is given besides its config. It owns no AWS resource, so it has no aws
 * provider: a service stack runs with the kubernetes provider plugin alone.
 */
export interface ServiceInputs {
    readonly global: GlobalOutputs;
    readonly common: CommonOutputs;
    /**
     * The environment's access graph (its service stacks and their allowed callers), read when the
     * service is deployed, after its own checks: the program reads it from the environment's stack
     * files (infra/environment.ts).
     */
    readonly accessGraph: () => readonly GraphService[];
    /**
     * The hosts the environment's exposed services claim in zone `zoneName` (one host, one
     * service), read when the service is deployed: the program reads them from the environment's
     * stack files (infra/hosts.ts).
     */
    readonly hostClaims: (zoneName: string) => readonly HostClaim[];
}

/**
 * The value of the service namespace's `istio.io/rev` label: a revision tag of the mesh when the
 * service names one (`meshRevisionTag`: the tag's control plane injects it, wherever the tag
 * points), else the control-plane revision, the mesh's main one or its canary when the service
 * opts in. Fails, naming the key and the common stack, when the tag or the canary is not there,
 * both are set, or a tag is named for an ambient namespace (ambient's data plane is node-wide and
 * upgraded in place).
 */
export function meshRevisionOf(
    config: Pick<ServiceConfig, "stack" | "env" | "useCanaryMeshRevision" | "meshRevisionTag">,
    common: Pick<CommonOutputs, "meshRevision" | "meshCanaryRevision" | "meshRevisionTags">,
    dataPlane: DataPlaneMode = "sidecar",
): string {
    const refuse = (path: string, value: unknown, message: string) =>
        configError(config.stack, [{ path: `platform:${path}`, value, message }]);
    const tag = config.meshRevisionTag;
    if (tag !== "") {
        const tags = common.meshRevisionTags ?? {};
        if (config.useCanaryMeshRevision) {
            throw refuse(
                "meshRevisionTag",
                tag,
                "set together with useCanaryMeshRevision; allowed: one of them (a tag already names its control plane)",
            );
        }
        if (dataPlane === "ambient") {
            throw refuse(
                "meshRevisionTag",
                tag,
                "an ambient namespace has no sidecars to inject (ztunnel is node-wide and upgraded in place); allowed: empty, or serviceDataPlane sidecar",
            );
        }
        if (tags[tag] === undefined) {
            const known = Object.keys(tags);
            throw refuse(
                "meshRevisionTag",
                tag,
                `stack "${config.env}-common" has no such revision tag; allowed: empty${known.length === 0 ? " (it has none: set platform:meshRevisionTags there first)" : `, ${known.join(", ")}`}`,
            );
        }
        return tag;
    }
    if (!config.useCanaryMeshRevision) {
        return common.meshRevision;
    }
    if (common.meshCanaryRevision === "") {
        throw refuse(
            "useCanaryMeshRevision",
            true,
            `stack "${config.env}-common" runs no canary control plane; set platform:meshCanaryRevision there first, or set this to false`,
        );
    }
    return common.meshCanaryRevision;
}

/**
 * The data plane the service joins: its own choice (`serviceDataPlane`) or else the environment's
 * (the common stack's output `dataPlane`; a common stack deployed before that output existed runs
 * sidecars). An ambient environment keeps the sidecar injector, so a service may stay on sidecars
 * there; a sidecar environment has no ztunnel, so a service cannot join ambient before its common
 * stack does. A value no strategy of components/mesh/dataplane.ts serves is refused before anything
 * is created, naming the common stack's key.
 */
export function serviceDataPlane(
    config: Pick<ServiceConfig, "stack" | "env" | "serviceDataPlane">,
    common: Partial<Pick<CommonOutputs, "dataPlane">>,
): DataPlaneMode {
    const environment = common.dataPlane ?? DEFAULT_DATA_PLANE;
    const mode = DATA_PLANE_MODES.find((m) => m === environment);
    if (mode === undefined) {
        throw configError(`${config.env}-common`, [
            {
                path: "platform:dataPlane",
                value: environment,
                message: `stack "${config.stack}" cannot join this data plane; allowed: ${DATA_PLANE_MODES.join(", ")}`,
            },
        ]);
    }
    const own = config.serviceDataPlane;
    if (own === "ambient" && mode !== "ambient") {
        throw configError(config.stack, [
            {
                path: "platform:serviceDataPlane",
                value: own,
                message: `stack "${config.env}-common" runs dataPlane ${mode} (no ztunnel, no istio-cni); set platform:dataPlane ambient there first, or leave this empty`,
            },
        ]);
    }
    return own ?? mode;
}

/**
 * What the service's data plane says of its config, known only once the common stack's outputs
 * are read: the keys it cannot honour (ambient: the sidecar-only ones) and the quota, each pod
 * counting what the data plane runs beside it. Refused by key, before anything is created.
 */
export function checkServiceDataPlane(config: Pick<ServiceConfig, "stack" | "settings">, mode: DataPlaneMode): void {
    const problems = dataPlaneModeProblems(config.settings, mode);
    if (problems.length > 0) {
        throw configError(
            config.stack,
            problems.map((p) => ({ ...p, path: `platform:${p.path}` })),
        );
    }
}

/**
 * Deploys one service into the environment's cluster and mesh: the kubernetes provider from the
 * common stack's kubeconfig, then the Service component (namespace, workload, zero-trust
 * policies, Sidecar and NetworkPolicies from the environment's access graph, traffic, gateway
 * binding, rate limit, metrics).
 */
export function deployService(config: ServiceConfig, inputs: ServiceInputs): StackOutputs<ServiceOutputs> {
    const { global, common } = inputs;
    const owner = { environment: environmentOf(global), service: config.service };
    const dataPlane = serviceDataPlane(config, common);
    const revision = meshRevisionOf(config, common, dataPlane);
    checkServiceDataPlane(config, dataPlane);
    // The host's DNS record is made in the environment's zone: a host outside it is refused by name.
    const host = config.settings.publicHost;
    const zoneMessage = host === undefined ? undefined : hostZoneProblem(host, global.privateZoneName);
    if (zoneMessage) {
        throw configError(config.stack, [{ path: "platform:publicHost", value: host, message: zoneMessage }]);
    }
    const claimed = exposedHost(config.service, config.settings, global.privateZoneName);
    const duplicate =
        claimed === undefined
            ? undefined
            : duplicateHostProblem(
                  config.env,
                  config.service,
                  claimed,
                  host !== undefined,
                  inputs.hostClaims(global.privateZoneName),
              );
    if (duplicate) {
        throw configError(config.stack, [duplicate]);
    }
    const provider = kubernetesProvider("kubernetes", common.kubeconfig);
    const service = new Service(config.service, {
        owner,
        settings: config.settings,
        mesh: {
            trustDomain: common.trustDomain,
            revision,
            gatewayNamespace: common.gatewayNamespace,
            gatewayName: common.gatewayName,
            istioNamespace: common.istioNamespace,
            observabilityNamespace: OBSERVABILITY_NAMESPACE,
            dataPlane,
            ...(dataPlane === "sidecar" && common.dataPlane === "ambient" ? { ambientCallers: true } : {}),
        },
        zoneName: global.privateZoneName,
        callees: calleesOf(config.service, inputs.accessGraph()),
        vpcCidr: global.vpcCidr,
        certificateIssuer: common.certificateIssuer,
        providers: { kubernetes: provider },
    });
    return {
        namespace: service.namespace,
        serviceAccount: service.serviceAccount,
        principal: service.principal,
        host: service.host,
        ...(service.url === undefined ? {} : { url: service.url }),
    };
}
