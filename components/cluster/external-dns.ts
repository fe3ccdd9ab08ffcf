import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProviders, Defaults, WithDefaults, providerProblems, settingsOrThrow, withDefaults } from "../args";
import { helmRelease } from "../addons/helm";
import { ChartMirror } from "../charts";
import { Owner } from "../conventions";
import { Problem, Problems } from "../problems";
import { podIdentityRole } from "./pod-identity";
import { partitionOfRegion, podRegionProblem } from "./specs";
import { EXTERNAL_DNS } from "./specs";
export { EXTERNAL_DNS };

/**
 * ExternalDNS: a record in the environment's Route53 zone for every host of an Istio Gateway
 * (each exposed service's), pointing at the ingress gateway's load balancer, which it reads from
 * the gateway Service's status once the AWS Load Balancer Controller has made the NLB. Records are
 * owned through TXT records (owner: the cluster), so it changes only what it made, and removes a
 * record when its Gateway goes. Its AWS permissions come through EKS Pod Identity, limited to the
 * one zone.
 */

/** The Route53 zone ExternalDNS writes to. */
export interface DnsZone {
    readonly id: pulumi.Input<string>;
    /** e.g. `dev.internal.example.com`: only hosts in it are published. */
    readonly name: string;
}

/**
 * ExternalDNS' IAM policy: change and list the records of `zoneId` only; list the zones (that API
 * takes no resource). See https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/
 */
export function externalDnsPolicy(zoneId: string, partition = "aws"): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "RecordsOfTheEnvironmentZone",
                Effect: "Allow",
                Action: [
                    "route53:ChangeResourceRecordSets",
                    "route53:ListResourceRecordSets",
                    "route53:ListTagsForResources",
                ],
                Resource: [`arn:${partition}:route53:::hostedzone/${zoneId}`],
            },
            { Sid: "FindTheZone", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
        ],
    };
}

/** What ExternalDNS' values are built from. */
export interface ExternalDnsOptions {
    readonly zone: DnsZone;
    /** The TXT owner of its records: the cluster's name, so another cluster's instance leaves them alone. */
    readonly ownerId: pulumi.Input<string>;
    readonly region: string;
}

/** The subset of the `external-dns` chart's values.yaml we set (field names and nesting as the chart's). */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- a type alias is assignable to the Release's Record<string, unknown> values, an interface is not
export type ExternalDnsValues = {
    readonly provider: { readonly name: string };
    readonly sources: readonly string[];
    readonly domainFilters: readonly string[];
    readonly policy: string;
    readonly registry: string;
    readonly txtOwnerId: pulumi.Input<string>;
    readonly extraArgs: Readonly<Record<string, pulumi.Input<string>>>;
    readonly env: readonly { readonly name: string; readonly value: pulumi.Input<string> }[];
    readonly serviceAccount: { readonly create: boolean; readonly name: string };
};

/**
 * Values of the `external-dns` chart: the `istio-gateway` source only (hosts of Gateway objects,
 * targets from the Service their selector matches), the AWS provider on the environment's private
 * zone only (by domain, type and id), `sync` (a record goes with its Gateway) and TXT ownership.
 * The region is given, because the node's metadata service is out of the pods' reach.
 */
export function externalDnsValues(options: ExternalDnsOptions): ExternalDnsValues {
    return {
        provider: { name: "aws" },
        sources: ["istio-gateway"],
        domainFilters: [options.zone.name],
        policy: "sync",
        registry: "txt",
        txtOwnerId: options.ownerId,
        extraArgs: { "aws-zone-type": "private", "zone-id-filter": options.zone.id },
        env: [{ name: "AWS_DEFAULT_REGION", value: options.region }],
        serviceAccount: { create: true, name: EXTERNAL_DNS.serviceAccount },
    };
}

export interface ExternalDnsArgs extends ExternalDnsOptions {
    /** The owner (environment and `common`): names and tags. */
    readonly owner: Owner;
    readonly clusterName: pulumi.Input<string>;
    /** The stack's providers: aws for its role and association, kubernetes for its release. */
    readonly providers: ComponentProviders<"aws" | "kubernetes">;
    /** What it waits for: the cluster's nodes and the Pod Identity agent. */
    readonly dependsOn: readonly pulumi.Resource[];
    /** Where the chart comes from (config `chartMirror`). @default upstream (components/charts) */
    readonly chartMirror?: ChartMirror;
}

/** ExternalDNS' arguments that are not its owner or providers. */
export type ExternalDnsSettingsInput = Omit<ExternalDnsArgs, "owner" | "providers">;

/** The defaults of the optional ExternalDnsArgs, each written here only. */
export const EXTERNAL_DNS_DEFAULTS = {
    chartMirror: { kind: "upstream" },
} as const satisfies Defaults<ExternalDnsSettingsInput>;

/** ExternalDNS' arguments with every default applied and checked: what it builds from. */
export type ExternalDnsSettings = WithDefaults<ExternalDnsSettingsInput, typeof EXTERNAL_DNS_DEFAULTS>;

/** Applies the defaults and checks the arguments; pure. The settings, or every problem. */
export function validateExternalDnsArgs(args: ExternalDnsSettingsInput): {
    settings?: ExternalDnsSettings;
    problems: Problem[];
} {
    const settings = withDefaults(args, EXTERNAL_DNS_DEFAULTS);
    const problems = new Problems();
    const noZone = "empty; allowed: the environment's private zone, e.g. dev.internal (only hosts in it are published)";
    problems.add("zone.name", settings.zone.name, settings.zone.name === "" ? noZone : undefined);
    problems.add("region", settings.region, podRegionProblem(settings.region));
    return problems.empty ? { problems: [], settings } : { problems: [...problems.all] };
}

/** ExternalDNS' role, policy and Pod Identity association, and its Helm release in kube-system. */
export class ExternalDns extends pulumi.ComponentResource {
    constructor(name: string, args: ExternalDnsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { owner, providers, ...options } = args;
        const settings = settingsOrThrow(
            "ExternalDns",
            name,
            providerProblems(providers, ["aws", "kubernetes"]),
            validateExternalDnsArgs(options),
        );
        super("platform:cluster:ExternalDns", name, {}, opts);
        const association = this.access(owner, settings, providers);
        this.helmRelease(settings, providers, association);
        this.registerOutputs({});
    }

    /** Its role (changes to the one zone only) and Pod Identity association, after `dependsOn`. */
    private access(
        owner: Owner,
        settings: ExternalDnsSettings,
        providers: ExternalDnsArgs["providers"],
    ): pulumi.Resource {
        const partition = partitionOfRegion(owner.environment.region);
        return podIdentityRole(
            owner,
            "external-dns",
            {
                clusterName: settings.clusterName,
                namespace: EXTERNAL_DNS.namespace,
                serviceAccount: EXTERNAL_DNS.serviceAccount,
            },
            pulumi.output(settings.zone.id).apply((id) => JSON.stringify(externalDnsPolicy(id, partition))),
            { parent: this, provider: providers.aws, dependsOn: [...settings.dependsOn] },
        );
    }

    /** The chart's release, after `dependsOn` and its Pod Identity association. */
    private helmRelease(
        settings: ExternalDnsSettings,
        providers: ExternalDnsArgs["providers"],
        association: pulumi.Resource,
    ): k8s.helm.v3.Release {
        return helmRelease(
            {
                chart: "external-dns",
                release: EXTERNAL_DNS.release,
                namespace: EXTERNAL_DNS.namespace,
                values: externalDnsValues(settings),
                timeoutSeconds: 600,
            },
            { parent: this, provider: providers.kubernetes, mirror: settings.chartMirror },
            [...settings.dependsOn, association],
        );
    }
}
