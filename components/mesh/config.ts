/**
 * The Istio component's config slice: the common stack's keys that configure the mesh, its
 * control planes, its ingress gateway and where the API server reaches istiod's webhooks.
 */
import { z } from "zod";
import { checked, configKey, configSlice, field, integerIn, oneOf, optionalString } from "../config";
import { checkCidr, isEveryAddress } from "../network/ipv4";
import { MESH_DATA_PLANES, ambientCanaryProblem } from "./ambient";
import type { IstioArgs } from "./istio";
import { canaryReleaseProblem, istioReleaseProblem, revisionTagProblem } from "./revisions";
import { ISTIO_DEFAULTS } from "./settings";
import { ISTIO_VERSION } from "./versions";
import {
    LOAD_BALANCER_SCHEMES,
    MAX_MESH_REPLICAS,
    MIN_MESH_REPLICAS,
    OUTBOUND_TRAFFIC_POLICIES,
    canaryRevisionProblem,
    revisionProblem,
} from "./specs";
import {
    ISTIOD_WEBHOOK_CA_ALLOWED,
    ISTIOD_WEBHOOK_URL_FORM,
    istiodWebhookCaBundleProblem,
    istiodWebhookUrlProblem,
} from "./webhooks";

/**
 * What the common layer passes the mesh from config. `gatewaySourceRanges` may be empty here: the
 * layer then gives the environment's VPC CIDR.
 */
export type IstioConfig = Pick<
    IstioArgs,
    | "revision"
    | "canaryRevision"
    | "version"
    | "canaryVersion"
    | "revisionTags"
    | "outboundTrafficPolicy"
    | "tracingSamplingPercentage"
    | "gatewayScheme"
    | "gatewaySourceRanges"
    | "gatewayReplicas"
    | "istiodReplicas"
    | "istiodWebhooks"
    | "dataPlane"
>;

/**
 * The mesh's data plane (config `dataPlane`): `sidecar` (the default, so that an environment
 * deployed before the key existed keeps its sidecars) or `ambient`.
 */
export const DATA_PLANE_KEY = configKey(oneOf(MESH_DATA_PLANES), ISTIO_DEFAULTS.dataPlane, {
    description:
        "The mesh's data plane in the environment: sidecar (an Envoy proxy injected into every pod of the services) or ambient (a ztunnel on every node for mTLS and L4 policies, waypoints for L7: installs Istio's cni and ztunnel charts and the Gateway API CRDs beside istiod, whose sidecar injector stays for the ingress gateway). In ambient, the service layer refuses the sidecar-only keys (rateLimit, metricsPort, retries other than 2; docs/service.md). docs/common.md says which to choose.",
});

export const ISTIO_CONFIG = configSlice(
    {
        dataPlane: DATA_PLANE_KEY,
        istiodWebhookUrl: configKey(optionalString(istiodWebhookUrlProblem), "", {
            description:
                "Base URL at which the API server reaches istiod's admission webhooks (sidecar injection at /inject, validation of Istio objects at /validate) when it cannot reach istiod's Service, e.g. an istiod outside the cluster; empty: istiod's Service. Needs istiodWebhookCaBundle.",
        }),
        istiodWebhookCaBundle: configKey(optionalString(istiodWebhookCaBundleProblem), "", {
            description:
                "PEM of the CA certificate that signed the certificate istiod serves at istiodWebhookUrl; set exactly when istiodWebhookUrl is.",
        }),
        meshRevision: configKey(optionalString(revisionProblem), ISTIO_DEFAULTS.revision, {
            description:
                "Istio control-plane revision, e.g. 1-30, used by the gateway and the services; empty installs without a revision.",
        }),
        meshCanaryRevision: configKey(z.string(), ISTIO_DEFAULTS.canaryRevision, {
            description:
                "A second Istio control plane for a canary upgrade, e.g. 1-31, installed beside meshRevision; services opt in with useCanaryMeshRevision. Empty for none.",
        }),
        meshVersion: configKey(optionalString(istioReleaseProblem), ISTIO_DEFAULTS.version, {
            description: `Istio release (chart version) of the control plane meshRevision, e.g. 1.31.0, within one minor of the pinned ${ISTIO_VERSION}; empty for the pinned release. The ingress gateway's chart follows it.`,
        }),
        meshCanaryVersion: configKey(optionalString(istioReleaseProblem), ISTIO_DEFAULTS.canaryVersion, {
            description: `Istio release of the canary control plane meshCanaryRevision, e.g. 1.31.0; empty for the pinned ${ISTIO_VERSION}. Istio's base chart (CRDs) takes the newer of the two.`,
        }),
        meshRevisionTags: configKey(
            field.stringMap(),
            { ...ISTIO_DEFAULTS.revisionTags },
            {
                description:
                    'Istio revision tags, tag -> revision (meshRevision or meshCanaryRevision), e.g. {"stable": "1-30", "canary": "1-31"}: a service stack\'s meshRevisionTag labels its namespace with the tag, and moving the tag here moves every such namespace to the other control plane (docs/common.md, "Upgrading Istio by canary revision").',
            },
        ),
        istiodRevisionWebhookUrls: configKey(
            field.stringMap(),
            {},
            {
                description:
                    "With istiodWebhookUrl: the base URL of a control-plane revision's istiod when it is not there, revision -> URL (same form and CA bundle as istiodWebhookUrl), e.g. an external istiod per revision.",
            },
        ),
        meshOutboundTrafficPolicy: configKey(oneOf(OUTBOUND_TRAFFIC_POLICIES), ISTIO_DEFAULTS.outboundTrafficPolicy, {
            description:
                "What sidecars do with traffic to hosts outside the registry: REGISTRY_ONLY (only hosts a Service or a service's externalHosts ServiceEntry declares) or ALLOW_ANY (any host; refused by the policy pack outside dev). The sidecar enforces it; it is not a network boundary.",
        }),
        tracingSamplingPercentage: configKey(integerIn(0, 100), ISTIO_DEFAULTS.tracingSamplingPercentage, {
            description: "Percentage of requests the mesh traces to Jaeger, 0 to 100.",
        }),
        gatewayScheme: configKey(oneOf(LOAD_BALANCER_SCHEMES), ISTIO_DEFAULTS.gatewayScheme, {
            description: "The ingress gateway's Network Load Balancer: internal or internet-facing.",
        }),
        // The ingress gateway's load balancer and the mesh's availability.
        gatewaySourceRanges: configKey(z.array(z.string().check(checked((v: string) => checkCidr(v)))), [], {
            description:
                "IPv4 CIDRs that may reach the ingress gateway's load balancer (its Service's loadBalancerSourceRanges), e.g. [\"203.0.113.0/24\"]; empty for the environment's VPC CIDR only (refused with gatewayScheme internet-facing).",
        }),
        gatewayReplicas: configKey(integerIn(MIN_MESH_REPLICAS, MAX_MESH_REPLICAS), ISTIO_DEFAULTS.gatewayReplicas, {
            description: `The fewest ingress gateway pods (its autoscaler's minimum; the maximum is twice that, at least 5), ${MIN_MESH_REPLICAS} to ${MAX_MESH_REPLICAS}: one is a single point of failure.`,
        }),
        istiodReplicas: configKey(integerIn(MIN_MESH_REPLICAS, MAX_MESH_REPLICAS), ISTIO_DEFAULTS.istiodReplicas, {
            description: `The fewest istiod pods (its autoscaler's minimum; the maximum is twice that, at least 5), ${MIN_MESH_REPLICAS} to ${MAX_MESH_REPLICAS}: one is a single point of failure.`,
        }),
    },
    (v, { stack, problems, refused }): IstioConfig => {
        problems.add(
            "meshCanaryRevision",
            v.meshCanaryRevision,
            canaryRevisionProblem(v.meshCanaryRevision, v.meshRevision) ??
                ambientCanaryProblem(v.dataPlane, v.meshCanaryRevision),
        );
        // The release itself is checked by the key (istioReleaseProblem); here, that a canary runs it.
        problems.add(
            "meshCanaryVersion",
            v.meshCanaryVersion,
            canaryReleaseProblem(v.meshCanaryVersion, v.meshCanaryRevision, "meshCanaryRevision"),
        );
        const revisions = [v.meshRevision, v.meshCanaryRevision];
        for (const [tag, revision] of Object.entries(v.meshRevisionTags)) {
            problems.add(`meshRevisionTags.${tag}`, revision, revisionTagProblem(tag, revision, revisions));
        }
        for (const [revision, url] of Object.entries(v.istiodRevisionWebhookUrls)) {
            const key = `istiodRevisionWebhookUrls.${revision}`;
            problems.add(
                key,
                url,
                !revisions.includes(revision) || revision === ""
                    ? `not a revision of the mesh; allowed: ${revisions.filter((r) => r !== "").join(", ") || "none (set meshRevision first)"}`
                    : url === ""
                      ? `empty; allowed: ${ISTIOD_WEBHOOK_URL_FORM}, or leave the revision out for istiodWebhookUrl`
                      : (istiodWebhookUrlProblem(url) ??
                        (v.istiodWebhookUrl === ""
                            ? `needs istiodWebhookUrl and istiodWebhookCaBundle (the main URL and the CA of every istiod's webhook certificate)`
                            : undefined)),
            );
        }
        // An internal load balancer open to every address is a contradiction: its clients are in the VPC.
        if (v.gatewayScheme === "internal") {
            v.gatewaySourceRanges.forEach((cidr, i) => {
                if (isEveryAddress(cidr)) {
                    problems.add(
                        `gatewaySourceRanges[${i}]`,
                        cidr,
                        "every address, for an internal load balancer whose clients are in the VPC; allowed: the IPv4 CIDRs of its clients, or unset for the VPC's CIDR",
                    );
                }
            });
        }
        // An internet-facing gateway open to the VPC only (the default range) would serve nobody outside.
        if (v.gatewayScheme === "internet-facing" && v.gatewaySourceRanges.length === 0) {
            problems.add(
                "gatewaySourceRanges",
                [],
                'required with gatewayScheme internet-facing (the default, the VPC\'s CIDR, lets no client outside the VPC in); allowed: the IPv4 CIDRs of its clients, e.g. ["203.0.113.0/24"]',
            );
        }
        // istiodWebhookUrl and istiodWebhookCaBundle: both set, or neither (a value refused on its own counts as unset).
        const [url, caBundle] = [v.istiodWebhookUrl, v.istiodWebhookCaBundle];
        const webhooksChecked = !refused.has("istiodWebhookUrl") && !refused.has("istiodWebhookCaBundle");
        if (webhooksChecked && url !== "" && caBundle === "") {
            problems.add(
                "istiodWebhookCaBundle",
                undefined,
                `required in stack "${stack}" with istiodWebhookUrl set; ${ISTIOD_WEBHOOK_CA_ALLOWED}`,
            );
        }
        if (webhooksChecked && url === "" && caBundle !== "") {
            problems.add(
                "istiodWebhookUrl",
                undefined,
                `required in stack "${stack}" with istiodWebhookCaBundle set; allowed: ${ISTIOD_WEBHOOK_URL_FORM}`,
            );
        }
        return {
            dataPlane: v.dataPlane,
            revision: v.meshRevision,
            canaryRevision: v.meshCanaryRevision,
            version: v.meshVersion,
            canaryVersion: v.meshCanaryVersion,
            revisionTags: v.meshRevisionTags,
            outboundTrafficPolicy: v.meshOutboundTrafficPolicy,
            tracingSamplingPercentage: v.tracingSamplingPercentage,
            gatewayScheme: v.gatewayScheme,
            gatewaySourceRanges: v.gatewaySourceRanges,
            gatewayReplicas: v.gatewayReplicas,
            istiodReplicas: v.istiodReplicas,
            ...(webhooksChecked && url !== "" && caBundle !== ""
                ? { istiodWebhooks: { url, caBundle, revisionUrls: v.istiodRevisionWebhookUrls } }
                : {}),
        };
    },
);
