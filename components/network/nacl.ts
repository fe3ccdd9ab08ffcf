/**
 * The network ACL rules of the public and private tiers, as plain data. NACLs are stateless: every
 * flow needs a rule for each direction, so return traffic gets its own (ephemeral-port) rules.
 * Security groups stay the fine-grained control; these rules are the coarse, per-tier fence.
 * https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
 */

/** The IANA protocol numbers a rule may name ("-1": every protocol). */
export const PROTOCOL = { all: "-1", tcp: "6", udp: "17" } as const;
export type NaclProtocol = (typeof PROTOCOL)[keyof typeof PROTOCOL];

/** Every IPv4 address. */
export const ANYWHERE = "0.0.0.0/0";
/** HTTPS: load balancer listeners, and every AWS API, ECR and Helm repository the cluster calls. */
export const HTTPS_PORT = 443;
/** HTTP: load balancer listeners that redirect to HTTPS. */
export const HTTP_PORT = 80;
/**
 * The ephemeral (client) ports of return traffic: 1024-65535 covers Linux (32768-60999), NAT
 * gateways (1024-65535) and ELB (1024-65535).
 * https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
 */
export const EPHEMERAL_PORTS = { from: 1024, to: 65535 } as const;
/**
 * The Kubernetes NodePort range. An NLB with instance targets keeps the client's address, so
 * client traffic and the NLB's health checks reach the nodes' NodePorts from outside the VPC's
 * CIDR as far as the private NACL can tell.
 * https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
 */
export const NODE_PORTS = { from: 30000, to: 32767 } as const;

/** Rule numbers: evaluated in increasing order; steps of 10 leave room for rules added later. */
const RULE = { intraVpc: 100, https: 110, http: 120, nodePorts: 130, ephemeralTcp: 140, ephemeralUdp: 150 } as const;

/** One allow rule of a network ACL (everything not allowed is denied by the NACL's implicit last rule). */
export interface NaclRule {
    readonly ruleNo: number;
    readonly protocol: NaclProtocol;
    readonly fromPort: number;
    readonly toPort: number;
    readonly cidrBlock: string;
    /** Why the rule exists (not sent to AWS: NACL rules have no description). */
    readonly purpose: string;
}

/** The inbound and outbound rules of one tier's network ACL. */
export interface NaclRules {
    readonly ingress: readonly NaclRule[];
    readonly egress: readonly NaclRule[];
}

function allowAllFrom(cidr: string, purpose: string): NaclRule {
    return { ruleNo: RULE.intraVpc, protocol: PROTOCOL.all, fromPort: 0, toPort: 0, cidrBlock: cidr, purpose };
}

function tcp(ruleNo: number, from: number, to: number, purpose: string): NaclRule {
    return { ruleNo, protocol: PROTOCOL.tcp, fromPort: from, toPort: to, cidrBlock: ANYWHERE, purpose };
}

function ephemeralUdp(purpose: string): NaclRule {
    const { from, to } = EPHEMERAL_PORTS;
    return {
        ruleNo: RULE.ephemeralUdp,
        protocol: PROTOCOL.udp,
        fromPort: from,
        toPort: to,
        cidrBlock: ANYWHERE,
        purpose,
    };
}

/**
 * Public tier (load balancers, NAT gateways): the internet may reach HTTP and HTTPS listeners and
 * send return traffic; the VPC may send anything (the NAT gateway forwards private traffic, load
 * balancers answer their targets). Out: anything into the VPC, HTTPS and HTTP to the internet
 * (forwarded by the NAT gateway), and answers to clients on their ephemeral ports.
 */
export function publicNaclRules(vpcCidr: string): NaclRules {
    const { from, to } = EPHEMERAL_PORTS;
    return {
        ingress: [
            allowAllFrom(vpcCidr, "intra-VPC traffic, including private subnets sending through the NAT gateway"),
            tcp(RULE.https, HTTPS_PORT, HTTPS_PORT, "HTTPS to the load balancers"),
            tcp(RULE.http, HTTP_PORT, HTTP_PORT, "HTTP to the load balancers (redirected to HTTPS)"),
            tcp(RULE.ephemeralTcp, from, to, "TCP return traffic from the internet (NAT gateway, outbound calls)"),
            ephemeralUdp("UDP return traffic from the internet through the NAT gateway"),
        ],
        egress: [
            allowAllFrom(
                vpcCidr,
                "intra-VPC traffic: load balancers to their targets, NAT return traffic to the private subnets",
            ),
            tcp(RULE.https, HTTPS_PORT, HTTPS_PORT, "HTTPS out to the internet (forwarded by the NAT gateway)"),
            tcp(RULE.ephemeralTcp, from, to, "answers to internet clients of the load balancers"),
        ],
    };
}

/**
 * Private tier (nodes, pods, endpoints): anything from the VPC; from the internet only return
 * traffic and client traffic to NodePorts (NLB with client IP preservation). Out: anything into
 * the VPC, HTTPS to the internet through the NAT gateway, and answers to preserved clients.
 */
export function privateNaclRules(vpcCidr: string): NaclRules {
    const { from, to } = EPHEMERAL_PORTS;
    return {
        ingress: [
            allowAllFrom(
                vpcCidr,
                "intra-VPC traffic: nodes, pods, the EKS control plane's ENIs, load balancers, endpoints",
            ),
            tcp(
                RULE.nodePorts,
                NODE_PORTS.from,
                NODE_PORTS.to,
                "clients and health checks of NLBs that preserve client IPs, to NodePorts",
            ),
            tcp(RULE.ephemeralTcp, from, to, "TCP return traffic of outbound calls through the NAT gateway"),
            ephemeralUdp("UDP return traffic of outbound calls through the NAT gateway"),
        ],
        egress: [
            allowAllFrom(vpcCidr, "intra-VPC traffic"),
            tcp(
                RULE.https,
                HTTPS_PORT,
                HTTPS_PORT,
                "HTTPS out through the NAT gateway: AWS APIs, the EKS API, image registries",
            ),
            tcp(RULE.ephemeralTcp, from, to, "answers to clients whose address an NLB preserved"),
        ],
    };
}
