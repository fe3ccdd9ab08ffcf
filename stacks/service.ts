import * as aws from "@pulumi/aws";
import { Service } from "../components/service";
import { kubernetesProvider } from "../infra/providers";
import { ServiceConfig } from "../infra/schema";
import { CommonOutputs } from "./common";
import { GlobalOutputs, environmentOf } from "./global";
import { OutputDocs, StackOutputs } from "./outputs";

/** The outputs of a service stack (`<env>-<service>`). */
export interface ServiceOutputs {
    namespace: string;
    serviceAccount: string;
    /** The service's mesh identity: `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
    principal: string;
    /** In-cluster FQDN: `<service>.<namespace>.svc.cluster.local`. */
    host: string;
    /** Public URL through the ingress gateway; only when the service is exposed. */
    url?: string;
}

export const SERVICE_OUTPUTS: OutputDocs<ServiceOutputs> = {
    namespace: { kind: "string", description: "The service's namespace." },
    serviceAccount: { kind: "string", description: "The service account, the service's identity." },
    principal: { kind: "string", description: "The mesh principal <trustDomain>/ns/<namespace>/sa/<serviceAccount>." },
    host: { kind: "string", description: "In-cluster FQDN of the service." },
    url: { kind: "string", optional: true, description: "URL through the ingress gateway (exposed services only)." },
};

/** What a service layer is given besides its config. */
export interface ServiceInputs {
    readonly global: GlobalOutputs;
    readonly common: CommonOutputs;
    /** The environment's aws provider, owner-service `<service>`. */
    readonly aws: aws.Provider;
}

/**
 * Deploys one service into the environment's cluster and mesh: the kubernetes provider from the
 * common stack's kubeconfig, then the Service component (namespace, workload, zero-trust
 * policies, traffic, gateway binding, rate limit, metrics).
 */
export async function deployService(config: ServiceConfig, inputs: ServiceInputs): Promise<StackOutputs<ServiceOutputs>> {
    const { global, common } = inputs;
    const owner = { environment: environmentOf(global), service: config.service };
    const provider = kubernetesProvider("kubernetes", common.kubeconfig);
    const service = new Service(config.service, {
        owner,
        settings: config.settings,
        mesh: {
            trustDomain: common.trustDomain,
            revision: common.meshRevision,
            gatewayNamespace: common.gatewayNamespace,
            gatewayName: common.gatewayName,
        },
        zoneName: global.privateZoneName,
        provider,
    });
    return {
        namespace: service.namespace,
        serviceAccount: service.serviceAccount,
        principal: service.principal,
        host: service.host,
        ...(service.url === undefined ? {} : { url: service.url }),
    };
}
