import { OutputDocs } from "../outputs";

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
