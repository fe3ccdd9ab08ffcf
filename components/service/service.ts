import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders } from "../args";
import { CERT_MANAGER_API_VERSION, hostCertificateSpec } from "../certificates";
import { Owner, kubernetesMetadata, kubernetesName } from "../conventions";
import { DataPlane, DataPlaneObject, dataPlaneOf } from "../mesh/dataplane";
import { MeshFacts, NamedSpec, SECURITY_API_VERSION, allowNothingPolicy, strictPeerAuthentication } from "./policies";
import { versionServiceSpec } from "./ambient";
import { serviceEntrySpecs } from "./egress";
import { ServiceComponentSettings, serviceComponentSettings } from "./settings";
import { ServiceSettings } from "./types";
import { Exposure, NETWORKING_API_VERSION, gatewayCredentialName, gatewaySpec } from "./traffic";
import {
    autoscalerSpec,
    deploymentSpec,
    limitRangeSpec,
    podDisruptionBudgetSpec,
    resourceQuotaSpec,
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
    /** The stack's providers: kubernetes (the environment's cluster's); every object is created with it. */
    readonly providers: ComponentProviders<"kubernetes">;
}

/** Metadata of an object of the service, in its namespace. */
type Metadata = ReturnType<typeof kubernetesMetadata>;

/** What every builder of the service uses: its arguments and settings, and how its children are created. */
interface Build {
    readonly args: ServiceArgs;
    /** What the service stack's config says about the service (`args.settings`). */
    readonly spec: ServiceSettings;
    readonly settings: ServiceComponentSettings;
    /** How the service joins the mesh and which objects enforce and route its traffic. */
    readonly plane: DataPlane;
    /** The options of every child: parented to the service, with the stack's kubernetes provider. */
    readonly child: pulumi.CustomResourceOptions;
    /** The service's namespace, and the options of a child that waits for it. */
    readonly ns: k8s.core.v1.Namespace;
    readonly inNs: pulumi.CustomResourceOptions;
    /** Metadata of an object of the service (a version's objects carry its `version` label). */
    readonly meta: (objectName: string, version?: string) => Metadata;
    /** An Istio object of the service (after its namespace, or `deps`), with `labels` beside the service's. */
    readonly custom: (
        kind: string,
        apiVersion: string,
        logical: string,
        named: NamedSpec<unknown>,
        deps?: pulumi.Resource[],
        labels?: Readonly<Record<string, string>>,
    ) => k8s.apiextensions.CustomResource;
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
        // Every argument checked, and what is built from them worked out, before anything is registered.
        const settings = serviceComponentSettings(args);
        super("platform:service:Service", name, {}, opts);
        this.namespace = settings.namespace;
        this.serviceAccount = settings.serviceAccount;
        this.principal = settings.principal;
        this.host = settings.host;
        this.url = settings.publicHost === undefined ? undefined : `https://${settings.publicHost}`;

        const build = this.buildOf(args, settings);
        const account = this.namespaceObjects(build);
        // Network isolation first too: default deny ingress and the Sidecar's egress exist before any pod.
        const isolation = this.networkPolicies(build);
        // Policies first: the default deny exists before any pod of the service can serve.
        const policies = [...isolation, ...this.egress(build), ...this.authorization(build), ...this.rateLimit(build)];
        this.workloads(build, [account, ...policies]);
        this.traffic(build);

        this.registerOutputs({
            namespace: this.namespace,
            serviceAccount: this.serviceAccount,
            principal: this.principal,
            host: this.host,
            url: this.url,
        });
    }

    /** The service's namespace (sidecar injection by the mesh's revision), and what every builder uses. */
    private buildOf(args: ServiceArgs, settings: ServiceComponentSettings): Build {
        const { owner } = args;
        const { service, namespace } = settings;
        const child: pulumi.CustomResourceOptions = { parent: this, provider: args.providers.kubernetes };
        const meta = (objectName: string, version?: string) =>
            kubernetesMetadata(owner, kubernetesName(objectName), {
                namespace,
                workload: { name: service, component: "service", version },
            });
        const plane = dataPlaneOf(args.mesh.dataPlane);
        const ns = new k8s.core.v1.Namespace(
            service,
            {
                metadata: kubernetesMetadata(owner, kubernetesName(namespace, "namespace"), {
                    workload: { name: service, component: "service" },
                    labels: plane.namespaceLabels(args.mesh.revision, args.settings),
                }),
            },
            child,
        );
        const custom: Build["custom"] = (kind, apiVersion, logical, named, deps = [ns], labels) => {
            const metadata = meta(named.name);
            return new k8s.apiextensions.CustomResource(
                logical,
                {
                    apiVersion,
                    kind,
                    metadata: labels ? { ...metadata, labels: { ...metadata.labels, ...labels } } : metadata,
                    spec: named.spec,
                },
                { ...child, dependsOn: deps },
            );
        };
        return {
            args,
            spec: args.settings,
            settings,
            plane,
            child,
            ns,
            inNs: { ...child, dependsOn: [ns] },
            meta,
            custom,
        };
    }

    /** The namespace's ResourceQuota and LimitRange, and the service account (no token mounted). Returns the account. */
    private namespaceObjects(build: Build): k8s.core.v1.ServiceAccount {
        const { service } = build.settings;
        const metadata = build.meta(service);
        new k8s.core.v1.ResourceQuota(service, { metadata, spec: resourceQuotaSpec(build.spec.quota) }, build.inNs);
        new k8s.core.v1.LimitRange(service, { metadata, spec: limitRangeSpec(build.spec.resources) }, build.inNs);
        return new k8s.core.v1.ServiceAccount(service, { metadata, automountServiceAccountToken: false }, build.inNs);
    }

    /** The NetworkPolicies of the environment's access graph (L3/L4 default deny and the allowed peers). */
    private networkPolicies(build: Build): pulumi.Resource[] {
        const { args, settings } = build;
        const specs = build.plane.networkPolicies(settings.service, build.spec, args.mesh, {
            callees: args.callees,
            vpcCidr: args.vpcCidr,
        });
        return specs.map(
            (np) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${settings.service}-${np.name}`,
                    { metadata: build.meta(np.name), spec: np.spec },
                    build.inNs,
                ),
        );
    }

    /** Closed egress: the declared external hosts, seen by this namespace only, and the data plane's egress scope (the Sidecar). */
    private egress(build: Build): pulumi.Resource[] {
        const { service, externalHosts } = build.settings;
        const entries = serviceEntrySpecs(externalHosts).map((entry) =>
            build.custom("ServiceEntry", NETWORKING_API_VERSION, `${service}-${entry.name}`, entry),
        );
        const scope = build.plane.egressObjects(build.args.callees, build.args.mesh, externalHosts);
        return [...entries, ...scope.map((o) => this.planeObject(build, o))];
    }

    /** An object the data plane makes for the service, as `<service>-<id>` (`<service>` without an id). */
    private planeObject(build: Build, o: DataPlaneObject, deps?: pulumi.Resource[]): k8s.apiextensions.CustomResource {
        const logical = o.id === "" ? build.settings.service : `${build.settings.service}-${o.id}`;
        return build.custom(o.kind, o.apiVersion, logical, { name: o.name, spec: o.spec }, deps, o.labels);
    }

    /**
     * Default deny and STRICT mTLS in the namespace, then the data plane's authorization: the
     * allow, deny and required-header policies and JWT validation when configured (ambient: on
     * ztunnel, or on the service's waypoint when it needs L7).
     */
    private authorization(build: Build): pulumi.Resource[] {
        const { service } = build.settings;
        const allowNothing = allowNothingPolicy();
        const mtls = strictPeerAuthentication();
        return [
            build.custom("AuthorizationPolicy", SECURITY_API_VERSION, `${service}-${allowNothing.name}`, allowNothing),
            build.custom("PeerAuthentication", SECURITY_API_VERSION, `${service}-mtls`, mtls),
            ...build.plane
                .authorizationObjects(service, build.spec, build.args.mesh)
                .map((o) => this.planeObject(build, o)),
        ];
    }

    /** The data plane's per-pod rate limit (Envoy's local rate limit in each sidecar), when configured. */
    private rateLimit(build: Build): pulumi.Resource[] {
        const { rateLimit } = build.spec;
        if (!rateLimit) {
            return [];
        }
        return build.plane.rateLimitObjects(build.settings.service, rateLimit).map((o) => this.planeObject(build, o));
    }

    /**
     * A Deployment per version (after `deploymentDependsOn`: the account and every policy) with
     * its autoscaler when configured, the Service and the PodDisruptionBudget.
     */
    private workloads(build: Build, deploymentDependsOn: pulumi.Resource[]): void {
        const { service } = build.settings;
        const { spec } = build;
        for (const version of spec.versions) {
            const deploymentName = kubernetesName(`${service}-${version.name}`, "deployment name");
            const metadata = build.meta(deploymentName, version.name);
            new k8s.apps.v1.Deployment(
                deploymentName,
                {
                    metadata,
                    spec: deploymentSpec(service, version, spec, {
                        labels: { ...metadata.labels, ...build.plane.podLabels },
                        annotations: metadata.annotations,
                    }),
                },
                { ...build.child, dependsOn: deploymentDependsOn },
            );
            if (spec.autoscaling) {
                new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                    deploymentName,
                    { metadata, spec: autoscalerSpec(deploymentName, spec.autoscaling) },
                    build.inNs,
                );
            }
        }
        const metadata = build.meta(service);
        new k8s.core.v1.Service(service, { metadata, spec: serviceSpec(service, spec) }, build.inNs);
        // The data plane's Service per version (ambient: the backends of the HTTPRoute's weights).
        for (const v of build.plane.versionServices(service, spec)) {
            new k8s.core.v1.Service(
                v.name,
                { metadata: build.meta(v.name, v.version), spec: versionServiceSpec(service, v.version, spec) },
                build.inNs,
            );
        }
        new k8s.policy.v1.PodDisruptionBudget(
            service,
            { metadata, spec: podDisruptionBudgetSpec(service) },
            build.inNs,
        );
    }

    /** The Gateway binding and its host's Certificate when exposed, and the data plane's routing objects. */
    private traffic(build: Build): void {
        const { service, namespace, host, publicHost } = build.settings;
        let exposure: Exposure | undefined;
        if (publicHost !== undefined) {
            build.custom(
                "Gateway",
                NETWORKING_API_VERSION,
                service,
                { name: service, spec: gatewaySpec(publicHost, service, build.args.mesh) },
                [build.ns, this.certificate(build, publicHost)],
            );
            exposure = { gateway: `${namespace}/${service}`, host: publicHost };
        }
        for (const o of build.plane.routingObjects(service, host, build.spec, exposure)) {
            this.planeObject(build, o);
        }
    }

    /** The host's certificate: a TLS Secret in the gateway's namespace, where its Envoy reads it (SDS). */
    private certificate(build: Build, publicHost: string): k8s.apiextensions.CustomResource {
        const { service } = build.settings;
        const credential = gatewayCredentialName(service);
        return new k8s.apiextensions.CustomResource(
            `${service}-certificate`,
            {
                apiVersion: CERT_MANAGER_API_VERSION,
                kind: "Certificate",
                metadata: kubernetesMetadata(build.args.owner, credential, {
                    namespace: build.args.mesh.gatewayNamespace,
                    workload: { name: service, component: "service" },
                }),
                spec: hostCertificateSpec(publicHost, credential, build.args.certificateIssuer),
            },
            build.child,
        );
    }
}
