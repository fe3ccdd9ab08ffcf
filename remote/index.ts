// @platform/remote: the platform's Service for Pulumi programs in other languages. `pulumi package
// add` infers a component's schema from its TypeScript argument types, and the component provider
// host that does it refuses what @platform/components' own arguments use (read-only arrays,
// string-literal unions, the typed `providers` argument; docs/package.md "Other languages"). This
// package declares the same arguments in the shapes it accepts (mutable arrays, plain strings,
// optional fields), takes the kubernetes provider from the resource options as a remote caller
// passes it, and constructs @platform/components' Service with them, whose own checks refuse a bad
// value (a protocol that is not http, http2 or grpc, a weight sum that is not 100, ...) by argument,
// value and what is allowed, before anything is created.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    CallerRule,
    ExternalHostSpec,
    HttpMethod,
    MESH_DEFAULTS,
    MeshFacts,
    Owner,
    ProblemError,
    Protocol,
    ExternalProtocol,
    SERVICE_DEFAULTS,
    Service as PlatformService,
    ServiceArgs as PlatformServiceArgs,
    ServiceSettings,
} from "@platform/components";

/** The environment's settings, as its global stack's outputs give them. */
export interface EnvironmentArgs {
    /** Environment name, e.g. dev. */
    env: string;
    /** AWS region of the environment, e.g. eu-central-1. */
    region: string;
    /** Owning team (label team-name). */
    team: string;
    /** The team's e-mail address (annotation contact). */
    contact: string;
    /** IANA time zone of the environment's working hours. Default UTC. */
    timeZone?: string;
    /** HH:MM when a scheduler may start the environment's resources. Default 08:00. */
    startTime?: string;
    /** HH:MM when a scheduler may stop the environment's resources. Default 20:00. */
    stopTime?: string;
}

/** The mesh, as the common stack's outputs give it; each field defaults to the platform's install. */
export interface MeshArgs {
    /** Trust domain of the principals. Default cluster.local. */
    trustDomain?: string;
    /** Istio revision the namespace is injected by; empty for none. Default empty. */
    revision?: string;
    /** Namespace of the ingress gateway. Default istio-ingress. */
    gatewayNamespace?: string;
    /** Name of the ingress gateway's Service and account. Default istio-ingressgateway. */
    gatewayName?: string;
    /** Namespace of istiod. Default istio-system. */
    istioNamespace?: string;
    /** Namespace of Prometheus, Grafana and Jaeger. Default observability. */
    observabilityNamespace?: string;
    /** The environment's data plane (the common stack's output dataPlane): sidecar or ambient. Default sidecar. */
    dataPlane?: string;
}

/** One version of the service: a Deployment and a subset with its share of the traffic. */
export interface VersionArgs {
    name: string;
    /** Image pinned by a tag other than latest, or by digest. */
    image: string;
    /** Percent of the traffic; the versions' weights add up to 100. */
    weight: number;
    /** Replicas of this version; default the service's replicas. */
    replicas?: number;
}

/** Who may call the service: another service (its principal) or a whole namespace. */
export interface CallerArgs {
    service?: string;
    namespace?: string;
    /** HTTP methods, e.g. GET; leave out for any. */
    methods?: string[];
    /** Exact paths or prefixes (ending in *), starting with /; leave out for any. */
    paths?: string[];
}

/** An external host the service may reach (closed egress). */
export interface ExternalHostArgs {
    /** Fully qualified name, no wildcard, no IP. */
    host: string;
    /** HTTPS, TLS or HTTP. Default HTTPS. */
    protocol?: string;
    /** 1 to 65535. Default 443, 80 for HTTP. */
    port?: number;
}

/** End-user JWT validation. */
export interface JwtArgs {
    /** https URL of the issuer. */
    issuer: string;
    /** https URL of its JWKS. */
    jwksUri: string;
    /** Accepted audiences; leave out for any. */
    audiences?: string[];
}

/** Requests and limits of the container (Kubernetes quantities); unset fields keep the defaults. */
export interface ResourcesArgs {
    cpuRequest?: string;
    memoryRequest?: string;
    cpuLimit?: string;
    memoryLimit?: string;
    ephemeralStorageRequest?: string;
    ephemeralStorageLimit?: string;
}

/** The namespace's ResourceQuota; unset fields keep the defaults. */
export interface QuotaArgs {
    requestsCpu?: string;
    requestsMemory?: string;
    limitsCpu?: string;
    limitsMemory?: string;
    pods?: number;
}

/** A HorizontalPodAutoscaler per version. */
export interface AutoscalingArgs {
    minReplicas: number;
    maxReplicas: number;
    targetCpuUtilization: number;
}

/** Envoy local rate limit per pod (token bucket). */
export interface RateLimitArgs {
    maxTokens: number;
    tokensPerFill: number;
    /** e.g. 1s. */
    fillInterval: string;
}

/** The arguments of a Service: the service stack's keys (README "Config keys") and the environment's facts. */
export interface ServiceArgs {
    /** The service's name: its namespace and service account. */
    service: string;
    environment: EnvironmentArgs;
    mesh?: MeshArgs;
    /** The environment's DNS zone (an exposed service without publicHost is <service>.<zoneName>). */
    zoneName: string;
    /** The environment's VPC CIDR. */
    vpcCidr: string;
    /** The services this one calls (those whose allowedCallers name it). Default none. */
    callees?: string[];
    /** ClusterIssuer of an exposed service's certificate (the common stack's output certificateIssuer). */
    certificateIssuer?: string;
    versions: VersionArgs[];
    replicas?: number;
    port?: number;
    /** http, http2 or grpc. Default http. */
    protocol?: string;
    metricsPort?: number;
    healthPath?: string;
    resources?: ResourcesArgs;
    quota?: QuotaArgs;
    autoscaling?: AutoscalingArgs;
    allowedCallers?: CallerArgs[];
    externalHosts?: ExternalHostArgs[];
    exposed?: boolean;
    publicHost?: string;
    jwt?: JwtArgs;
    deniedSourceCidrs?: string[];
    requiredHeaders?: string[];
    rateLimit?: RateLimitArgs;
    timeout?: string;
    retries?: number;
}

/** Drops the fields a remote caller left out (they arrive as undefined), so defaults apply. */
function defined<T extends object>(value: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The arguments of @platform/components' Service from this package's: the defaults of the platform
 * for what is left out, the strings of a literal union passed on as given (the Service's checks
 * refuse a value outside it, naming the argument).
 */
export function platformServiceArgs(args: ServiceArgs, kubernetes: k8s.Provider): PlatformServiceArgs {
    const env = args.environment;
    const owner: Owner = {
        environment: {
            env: env.env,
            region: env.region,
            team: env.team,
            contact: env.contact,
            timeZone: env.timeZone ?? "UTC",
            startTime: env.startTime ?? "08:00",
            stopTime: env.stopTime ?? "20:00",
        },
        service: args.service,
    };
    const mesh = { ...MESH_DEFAULTS, ...defined(args.mesh) } as MeshFacts;
    const callers: CallerRule[] = (args.allowedCallers ?? []).map((c) => ({
        ...(c.service === undefined ? {} : { service: c.service }),
        ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
        ...(c.methods === undefined ? {} : { methods: c.methods as HttpMethod[] }),
        ...(c.paths === undefined ? {} : { paths: c.paths }),
    }));
    const hosts: ExternalHostSpec[] = (args.externalHosts ?? []).map((h) => {
        const protocol = (h.protocol ?? "HTTPS") as ExternalProtocol;
        return { host: h.host, protocol, port: h.port ?? (protocol === "HTTP" ? 80 : 443) };
    });
    const settings: ServiceSettings = {
        versions: args.versions.map((v) => defined(v) as VersionArgs),
        replicas: args.replicas ?? SERVICE_DEFAULTS.replicas,
        port: args.port ?? SERVICE_DEFAULTS.port,
        protocol: (args.protocol ?? SERVICE_DEFAULTS.protocol) as Protocol,
        ...(args.metricsPort === undefined ? {} : { metricsPort: args.metricsPort }),
        healthPath: args.healthPath ?? SERVICE_DEFAULTS.healthPath,
        resources: { ...SERVICE_DEFAULTS.resources, ...defined(args.resources) },
        quota: { ...SERVICE_DEFAULTS.quota, ...defined(args.quota) },
        ...(args.autoscaling === undefined ? {} : { autoscaling: args.autoscaling }),
        allowedCallers: callers,
        exposed: args.exposed ?? false,
        ...(args.publicHost === undefined ? {} : { publicHost: args.publicHost }),
        ...(args.jwt === undefined ? {} : { jwt: defined(args.jwt) as JwtArgs }),
        deniedSourceCidrs: args.deniedSourceCidrs ?? [],
        requiredHeaders: args.requiredHeaders ?? [],
        ...(args.rateLimit === undefined ? {} : { rateLimit: args.rateLimit }),
        timeout: args.timeout ?? SERVICE_DEFAULTS.timeout,
        retries: args.retries ?? SERVICE_DEFAULTS.retries,
        externalHosts: hosts,
    };
    return {
        owner,
        settings,
        mesh,
        zoneName: args.zoneName,
        callees: args.callees ?? [],
        vpcCidr: args.vpcCidr,
        certificateIssuer: args.certificateIssuer ?? "",
        providers: { kubernetes },
    };
}

/**
 * The kubernetes provider a remote caller passed in the resource options (`options: providers:
 * [...]` in YAML): the component provider host hands it to the constructor there.
 */
export function kubernetesProvider(name: string, opts: pulumi.ComponentResourceOptions | undefined): k8s.Provider {
    const given = opts?.providers === undefined ? [] : Object.values(opts.providers);
    const found = [...given, ...(opts?.provider === undefined ? [] : [opts.provider])].find(
        (p): p is k8s.Provider => p instanceof k8s.Provider,
    );
    if (found === undefined) {
        throw new ProblemError("ComponentArgsError", `invalid Service "${name}" arguments:`, [
            {
                path: "options.providers",
                value: undefined,
                message:
                    "no kubernetes provider; pass the cluster's in the resource options (YAML: options: { providers: [ ${provider} ] })",
            },
        ]);
    }
    return found;
}

/**
 * One service in the environment's cluster and mesh, as @platform/components' Service builds it
 * (namespace, workload, default deny and allow rules, mTLS, traffic rules), for a program in any
 * language.
 */
export class Service extends pulumi.ComponentResource {
    /** The service's namespace. */
    readonly namespace: pulumi.Output<string>;
    /** The service account, the service's identity. */
    readonly serviceAccount: pulumi.Output<string>;
    /** The mesh principal <trustDomain>/ns/<namespace>/sa/<serviceAccount>. */
    readonly principal: pulumi.Output<string>;
    /** In-cluster FQDN of the service. */
    readonly host: pulumi.Output<string>;
    /** https://<public host> of an exposed service; empty otherwise. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const platformArgs = platformServiceArgs(args, kubernetesProvider(name, opts));
        super("remote:index:Service", name, {}, opts);
        const service = new PlatformService(args.service, platformArgs, { parent: this });
        this.namespace = pulumi.output(service.namespace);
        this.serviceAccount = pulumi.output(service.serviceAccount);
        this.principal = pulumi.output(service.principal);
        this.host = pulumi.output(service.host);
        this.url = pulumi.output(service.url ?? "");
        this.registerOutputs({
            namespace: this.namespace,
            serviceAccount: this.serviceAccount,
            principal: this.principal,
            host: this.host,
            url: this.url,
        });
    }
}
