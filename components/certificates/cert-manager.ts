import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders, Defaults, WithDefaults, providerProblems, settingsOrThrow, withDefaults } from "../args";
import { addOnNamespace, helmRelease } from "../addons/helm";
import { ChartMirror } from "../charts";
import { Owner, kubernetesMetadata } from "../conventions";
import { Problem, Problems } from "../problems";
import {
    CERT_MANAGER,
    CERT_MANAGER_API_VERSION,
    CERT_MANAGER_ARG_NAMES,
    CertManagerMode,
    CertificateIssuer,
    NamedCertManagerObject,
    certManagerValues,
    existingPlatformCaProblem,
    existingWebhookHostProblem,
    issuerName,
    platformCaObjects,
    platformCaZoneProblem,
    webhookHostProblem,
} from "./specs";

/** How long Helm may take to install or upgrade cert-manager (its startup check waits for the webhook). */
const RELEASE_TIMEOUT_SECONDS = 600;

export interface CertManagerArgs {
    /** The owner (environment and `common`): names and labels. */
    readonly owner: Owner;
    /** The stack's kubernetes provider: every object is created with it. */
    readonly providers: ComponentProviders<"kubernetes">;
    /** install: the chart is installed here; existing: the cluster already runs cert-manager (and its CRDs). @default "install" */
    readonly mode?: CertManagerMode;
    /** Where the gateway's certificates come from. @default the environment's own CA */
    readonly issuer?: CertificateIssuer;
    /** The environment's DNS zone: the only names the environment's own CA may certify. */
    readonly zoneName: string;
    /** `<host>[:<port>]` at which the API server reaches cert-manager's webhook; empty: its Service. @default "" */
    readonly webhookHost?: string;
    /** Where the chart comes from (config `chartMirror`). @default upstream (components/charts) */
    readonly chartMirror?: ChartMirror;
    /** What it waits for: the cluster, and the Prometheus operator's CRDs (its ServiceMonitor). */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/** The arguments of the component that config or the stack set: not its owner or providers. */
export type CertManagerOptions = Omit<CertManagerArgs, "owner" | "providers">;

/**
 * The defaults of the optional CertManagerArgs, each written here only (the common layer's config
 * keys take theirs from here).
 */
export const CERT_MANAGER_DEFAULTS = {
    mode: "install",
    issuer: { kind: "platform-ca" },
    webhookHost: "",
    chartMirror: { kind: "upstream" },
    dependsOn: [],
} as const satisfies Defaults<CertManagerOptions>;

/** CertManagerOptions with every default applied: what the component builds from. */
export type CertManagerSettings = WithDefaults<CertManagerOptions, typeof CERT_MANAGER_DEFAULTS>;

/**
 * Applies the defaults and checks every argument (the providers apart); pure. Returns the
 * settings, or every problem: the property, its value, what is wrong and what is allowed.
 */
export function validateCertManagerArgs(args: CertManagerOptions): {
    settings?: CertManagerSettings;
    problems: Problem[];
} {
    const settings = withDefaults(args, CERT_MANAGER_DEFAULTS);
    const problems = new Problems();
    const { mode, issuer, webhookHost, zoneName } = settings;
    problems.add("webhookHost", webhookHost, webhookHostProblem(webhookHost));
    problems.add("zoneName", zoneName, platformCaZoneProblem(issuer, zoneName));
    problems.add("issuer", issuer, existingPlatformCaProblem(mode, issuer, CERT_MANAGER_ARG_NAMES));
    problems.add("webhookHost", webhookHost, existingWebhookHostProblem(mode, webhookHost, CERT_MANAGER_ARG_NAMES));
    return problems.empty ? { settings, problems: [] } : { problems: [...problems.all] };
}

/**
 * The kubernetes provider's annotation (provider 4.18 and later) that sets the propagation policy
 * of a delete: foreground, background or orphan (https://www.pulumi.com/blog/improved-kubernetes-await-logic/).
 */
const DELETION_PROPAGATION = "pulumi.com/deletionPropagationPolicy";

/**
 * cert-manager and the issuer of the gateway's certificates (docs/common.md, "Ingress"): its
 * namespace (outside the mesh) and Helm release, unless the cluster runs it already; then, with
 * the environment's own CA, the self-signed bootstrap issuer, the CA's root certificate and the
 * ClusterIssuer that signs with it. `issuerName` is what each exposed service's Certificate names.
 */
export class CertManager extends pulumi.ComponentResource {
    /** The ClusterIssuer the gateway's certificates come from. */
    readonly issuerName: string;
    private readonly owner: Owner;
    private readonly zoneName: string;
    private readonly child: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider };

    constructor(name: string, args: CertManagerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { owner: _owner, providers, ...options } = args;
        const settings = settingsOrThrow(
            "CertManager",
            name,
            providerProblems(providers, ["kubernetes"]),
            validateCertManagerArgs(options),
        );
        super("platform:certificates:CertManager", name, {}, opts);
        this.owner = args.owner;
        this.zoneName = settings.zoneName;
        this.child = { parent: this, provider: providers.kubernetes };
        this.issuerName = issuerName(settings.issuer, args.owner.environment.env);
        const installed = settings.mode === "install" ? [this.release(settings)] : [...settings.dependsOn];
        if (settings.issuer.kind === "platform-ca") {
            this.platformCa(installed);
        }
        this.registerOutputs({ issuerName: this.issuerName });
    }

    /** cert-manager's namespace, outside the mesh (the API server calls its webhook in plain TLS), and its release. */
    private release(settings: CertManagerSettings): k8s.helm.v3.Release {
        const placement = { ...this.child, mirror: settings.chartMirror };
        const namespace = addOnNamespace(
            this.owner,
            CERT_MANAGER.namespace,
            { workload: { component: "certificates" }, labels: { "istio-injection": "disabled" } },
            placement,
            settings.dependsOn,
            // Protected: the environment CA's private key (the root's Secret) lives in this namespace,
            // and goes with it.
            true,
        );
        return helmRelease(
            {
                chart: "cert-manager",
                release: CERT_MANAGER.release,
                namespace: CERT_MANAGER.namespace,
                values: certManagerValues(settings.webhookHost),
                timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
            },
            placement,
            [...settings.dependsOn, namespace],
        );
    }

    /** The environment's CA: bootstrap issuer -> root certificate -> the ClusterIssuer that signs with it. */
    private platformCa(installed: readonly pulumi.Resource[]): void {
        const ca = platformCaObjects(this.owner.environment.env, this.zoneName);
        const bootstrap = this.object(ca.bootstrap, installed);
        const root = this.object(ca.root, [bootstrap], { keepSecret: true });
        this.object(ca.issuer, [root]);
    }

    /**
     * A cert-manager object. `keepSecret` (the CA's root Certificate) protects it and makes a
     * delete leave its Secret behind: the chart runs cert-manager with enableCertificateOwnerRef,
     * so the Secret (the CA's private key) is owned by the Certificate and Kubernetes would delete it
     * with it; every host certificate chains to that key, and clients trust it. With the orphan
     * propagation policy (an annotation of the kubernetes provider) Pulumi deletes the Certificate
     * with propagationPolicy Orphan, so the Secret stays and a new Certificate of the same
     * secretName takes it up again (rotationPolicy Never keeps its key).
     */
    private object<S>(
        named: NamedCertManagerObject<S>,
        dependsOn: readonly pulumi.Resource[],
        { keepSecret = false }: { readonly keepSecret?: boolean } = {},
    ) {
        const metadata = kubernetesMetadata(this.owner, named.name, {
            ...(named.namespace === undefined ? {} : { namespace: named.namespace }),
            workload: { component: "certificates" },
        });
        return new k8s.apiextensions.CustomResource(
            named.name,
            {
                apiVersion: CERT_MANAGER_API_VERSION,
                kind: named.kind,
                metadata: keepSecret
                    ? { ...metadata, annotations: { ...metadata.annotations, [DELETION_PROPAGATION]: "orphan" } }
                    : metadata,
                spec: named.spec,
            },
            { ...this.child, dependsOn: [...dependsOn], protect: keepSecret },
        );
    }
}
