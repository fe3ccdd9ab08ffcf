import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_API_VERSION, certificateIssuerProblem, hostCertificateSpec } from "../certificates";
import { Owner, kubernetesMetadata, kubernetesName } from "../conventions";
import { parseCidr } from "../network/ipv4";
import { describeProblem, throwIfProblems } from "../problems";
import {
    MeshFacts,
    NamedSpec,
    SECURITY_API_VERSION,
    allowCallersPolicy,
    allowNothingPolicy,
    denySourcesPolicy,
    principalOf,
    requestAuthenticationPolicy,
    requireHeadersPolicy,
    strictPeerAuthentication,
} from "./policies";
import { serviceEntrySpecs } from "./egress";
import { networkPolicySpecs, sidecarSpec } from "./isolation";
import { ServiceSettings, serviceProblems } from "./spec";
import {
    ENVOY_FILTER_API_VERSION,
    NETWORKING_API_VERSION,
    destinationRuleSpec,
    gatewayCredentialName,
    gatewaySpec,
    localRateLimitSpec,
    virtualServiceSpec,
} from "./traffic";
import {
    autoscalerSpec,
    deploymentSpec,
    injectionLabels,
    limitRangeSpec,
    podDisruptionBudgetSpec,
    resourceQuotaSpec,
    serviceHost,
    serviceSpec,
} from "./workload";

export interface ServiceArgs {
    /** The owner: the environment's settings and the service's name (its namespace and account). */
    readonly owner: Owner;
    /** What the service stack's config says about the service. */
    readonly settings: ServiceSettings;
    /** The environment's mesh, from the common layer's outputs. */
    readonly mesh: MeshFacts;
    /**
     * The environment's DNS zone: an exposed service without `publicHost` is `<service>.<zoneName>`
     * on the gateway.
     */
    readonly zoneName: string;
    /**
     * The services this one may call: those of the environment whose `allowedCallers` name it (the
     * reverse of the access graph, see `calleesOf`). Its Sidecar's egress lists exactly these.
     */
    readonly callees: readonly string[];
    /** The environment's VPC CIDR: the pods' egress inside it is limited to their callees and the shared namespaces. */
    readonly vpcCidr: string;
    /**
     * The ClusterIssuer of an exposed service's certificate (the common layer's output
     * `certificateIssuer`): cert-manager issues the host's TLS Secret, which the gateway serves.
     */
    readonly certificateIssuer: string;
    /** The kubernetes provider of the environment's cluster; every object is created with it. */
    readonly provider: k8s.Provider;
}

/** Every problem of the args, as messages; empty when the service can be created. */
export function validateServiceArgs(
    args: Pick<ServiceArgs, "owner" | "settings" | "mesh" | "zoneName" | "callees" | "vpcCidr" | "certificateIssuer">,
): string[] {
    const problems = serviceProblems(args.settings).map(describeProblem);
    try {
        kubernetesName(args.owner.service, "service name");
    } catch (err) {
        problems.push((err as Error).message);
    }
    if (args.mesh.trustDomain === "") {
        problems.push('mesh.trustDomain = "": required to build principals, e.g. cluster.local');
    }
    if (args.settings.exposed && args.settings.publicHost === undefined && args.zoneName === "") {
        problems.push('zoneName = "": an exposed service without publicHost needs the environment zone for its host');
    }
    if (args.settings.exposed && certificateIssuerProblem(args.certificateIssuer) !== undefined) {
        problems.push(
            `certificateIssuer = ${JSON.stringify(args.certificateIssuer)}: an exposed service's certificate needs the ClusterIssuer's name (the common layer's output certificateIssuer)`,
        );
    }
    const zoneMessage =
        args.settings.publicHost === undefined || args.zoneName === ""
            ? undefined
            : hostZoneProblem(args.settings.publicHost, args.zoneName);
    if (zoneMessage) {
        problems.push(`publicHost = ${JSON.stringify(args.settings.publicHost)}: ${zoneMessage}`);
    }
    args.callees.forEach((callee, i) => {
        try {
            kubernetesName(callee, "callee");
        } catch (err) {
            problems.push(`callees[${i}]: ${(err as Error).message}`);
        }
    });
    if (parseCidr(args.vpcCidr) === undefined) {
        problems.push(
            `vpcCidr = ${JSON.stringify(args.vpcCidr)}: not an IPv4 CIDR block; the egress NetworkPolicy needs the environment's VPC, e.g. 10.0.0.0/16`,
        );
    }
    return problems;
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
export function exposedHost(service: string, settings: ServiceSettings, zoneName: string): string | undefined {
    return settings.exposed ? (settings.publicHost ?? `${service}.${zoneName}`) : undefined;
}

/**
 * One service in the environment's cluster and mesh: its namespace (sidecar injection, quota,
 * limits), identity, workload per version, default-deny and allow policies, JWT, traffic rules,
 * gateway binding, rate limit and metrics. A thin layer over the pure builders of this folder.
 */
export class Service extends pulumi.ComponentResource {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
    readonly principal: string;
    /** In-cluster FQDN. */
    readonly host: string;
    /** `https://<public host>` when exposed. */
    readonly url?: string;

    constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Some problems are not about one value (a name that cannot be built): all are lines of one error.
        throwIfProblems(
            "ComponentArgsError",
            `invalid Service "${args.owner.service}":`,
            [],
            validateServiceArgs(args),
        );
        super("platform:service:Service", name, {}, opts);
        const { owner, settings, mesh, provider } = args;
        const service = owner.service;
        const namespace = service;
        const child: pulumi.CustomResourceOptions = { parent: this, provider };
        const meta = (objectName: string, extra: { labels?: Record<string, string>; version?: string } = {}) =>
            kubernetesMetadata(owner, kubernetesName(objectName), {
                namespace,
                workload: { name: service, component: "service", version: extra.version },
                labels: extra.labels,
            });

        this.namespace = namespace;
        this.serviceAccount = service;
        this.principal = principalOf(mesh.trustDomain, namespace, service);
        this.host = serviceHost(service, namespace);
        const publicHost = exposedHost(service, settings, args.zoneName);
        this.url = publicHost === undefined ? undefined : `https://${publicHost}`;

        const ns = new k8s.core.v1.Namespace(
            service,
            {
                metadata: kubernetesMetadata(owner, kubernetesName(namespace, "namespace"), {
                    workload: { name: service, component: "service" },
                    labels: injectionLabels(mesh.revision),
                }),
            },
            child,
        );
        const inNs: pulumi.CustomResourceOptions = { ...child, dependsOn: [ns] };
        new k8s.core.v1.ResourceQuota(
            service,
            { metadata: meta(service), spec: resourceQuotaSpec(settings.quota) },
            inNs,
        );
        new k8s.core.v1.LimitRange(
            service,
            { metadata: meta(service), spec: limitRangeSpec(settings.resources) },
            inNs,
        );
        const account = new k8s.core.v1.ServiceAccount(
            service,
            { metadata: meta(service), automountServiceAccountToken: false },
            inNs,
        );
        // Network isolation first too: default deny ingress and the Sidecar's egress exist before any pod.
        const isolation: pulumi.Resource[] = networkPolicySpecs(service, settings, mesh, {
            callees: args.callees,
            vpcCidr: args.vpcCidr,
        }).map(
            (np) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${service}-${np.name}`,
                    { metadata: meta(np.name), spec: np.spec },
                    inNs,
                ),
        );

        // Policies first: the default deny exists before any pod of the service can serve.
        const custom = (
            kind: string,
            apiVersion: string,
            logical: string,
            named: NamedSpec<unknown>,
            deps: pulumi.Resource[] = [ns],
        ) =>
            new k8s.apiextensions.CustomResource(
                logical,
                { apiVersion, kind, metadata: meta(named.name), spec: named.spec },
                { ...child, dependsOn: deps },
            );
        const policies: pulumi.Resource[] = [];
        const authz = (named: NamedSpec<unknown> | undefined) => {
            if (named) {
                policies.push(custom("AuthorizationPolicy", SECURITY_API_VERSION, `${service}-${named.name}`, named));
            }
        };
        policies.push(...isolation);
        // Closed egress: the declared external hosts, seen by this namespace only, and its Sidecar's egress.
        const externalHosts = settings.externalHosts ?? [];
        for (const entry of serviceEntrySpecs(externalHosts)) {
            policies.push(custom("ServiceEntry", NETWORKING_API_VERSION, `${service}-${entry.name}`, entry));
        }
        policies.push(
            custom("Sidecar", NETWORKING_API_VERSION, `${service}-sidecar`, {
                name: "default",
                spec: sidecarSpec(args.callees, mesh, externalHosts),
            }),
        );
        authz(allowNothingPolicy());
        policies.push(
            custom("PeerAuthentication", SECURITY_API_VERSION, `${service}-mtls`, strictPeerAuthentication()),
        );
        authz(allowCallersPolicy(service, settings.allowedCallers, mesh, settings.exposed, settings.jwt !== undefined));
        authz(denySourcesPolicy(service, settings.deniedSourceCidrs));
        authz(requireHeadersPolicy(service, settings.requiredHeaders));
        if (settings.jwt) {
            const ra = requestAuthenticationPolicy(service, settings.jwt);
            policies.push(custom("RequestAuthentication", SECURITY_API_VERSION, `${service}-${ra.name}`, ra));
        }
        if (settings.rateLimit) {
            policies.push(
                custom("EnvoyFilter", ENVOY_FILTER_API_VERSION, `${service}-local-rate-limit`, {
                    name: "local-rate-limit",
                    spec: localRateLimitSpec(service, settings.rateLimit),
                }),
            );
        }

        for (const version of settings.versions) {
            const deploymentName = kubernetesName(`${service}-${version.name}`, "deployment name");
            const metadata = meta(deploymentName, { version: version.name });
            new k8s.apps.v1.Deployment(
                deploymentName,
                {
                    metadata,
                    spec: deploymentSpec(service, version, settings, {
                        labels: metadata.labels,
                        annotations: metadata.annotations,
                    }),
                },
                { ...child, dependsOn: [account, ...policies] },
            );
            if (settings.autoscaling) {
                new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                    deploymentName,
                    { metadata, spec: autoscalerSpec(deploymentName, settings.autoscaling) },
                    inNs,
                );
            }
        }
        new k8s.core.v1.Service(service, { metadata: meta(service), spec: serviceSpec(service, settings) }, inNs);
        new k8s.policy.v1.PodDisruptionBudget(
            service,
            { metadata: meta(service), spec: podDisruptionBudgetSpec(service) },
            inNs,
        );

        custom("DestinationRule", NETWORKING_API_VERSION, service, {
            name: service,
            spec: destinationRuleSpec(this.host, settings),
        });
        let exposure: { gateway: string; host: string } | undefined;
        if (publicHost !== undefined) {
            // The host's certificate: a TLS Secret in the gateway's namespace, where its Envoy reads it (SDS).
            const credential = gatewayCredentialName(service);
            const certificate = new k8s.apiextensions.CustomResource(
                `${service}-certificate`,
                {
                    apiVersion: CERT_MANAGER_API_VERSION,
                    kind: "Certificate",
                    metadata: kubernetesMetadata(owner, credential, {
                        namespace: mesh.gatewayNamespace,
                        workload: { name: service, component: "service" },
                    }),
                    spec: hostCertificateSpec(publicHost, credential, args.certificateIssuer),
                },
                child,
            );
            custom(
                "Gateway",
                NETWORKING_API_VERSION,
                service,
                { name: service, spec: gatewaySpec(publicHost, service, mesh) },
                [ns, certificate],
            );
            exposure = { gateway: `${namespace}/${service}`, host: publicHost };
        }
        custom("VirtualService", NETWORKING_API_VERSION, service, {
            name: service,
            spec: virtualServiceSpec(this.host, settings, exposure),
        });

        this.registerOutputs({
            namespace: this.namespace,
            serviceAccount: this.serviceAccount,
            principal: this.principal,
            host: this.host,
            url: this.url,
        });
    }
}
