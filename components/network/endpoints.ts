/**
 * The VPC endpoints the network may create, as plain data. The S3 gateway endpoint is always
 * created (it is free and keeps image layers from ECR, which live in S3, off the NAT gateway);
 * interface endpoints cost per hour and per AZ, so they are chosen in config.
 */

/** The gateway endpoint every network has. */
export const GATEWAY_ENDPOINT_SERVICE = "s3";

/**
 * The interface endpoint services an EKS platform uses, with what needs them. Names are the last
 * part of `com.amazonaws.<region>.<service>`.
 * https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html
 */
export const INTERFACE_ENDPOINT_SERVICES: Readonly<Record<string, string>> = {
    "ecr.api": "ECR API (image pulls)",
    "ecr.dkr": "ECR registry (image pulls)",
    sts: "STS (IAM roles for service accounts)",
    logs: "CloudWatch Logs",
    ec2: "EC2 API (VPC CNI, node bootstrap)",
    elasticloadbalancing: "ELB API (AWS Load Balancer Controller)",
    autoscaling: "Auto Scaling API (cluster autoscaler)",
    eks: "EKS API",
    "eks-auth": "EKS Pod Identity",
    kms: "KMS (secrets encryption)",
    ssm: "Systems Manager",
    ssmmessages: "Session Manager",
    ec2messages: "Systems Manager agent",
    secretsmanager: "Secrets Manager",
    monitoring: "CloudWatch metrics",
    xray: "X-Ray",
    "aps-workspaces": "Amazon Managed Prometheus",
    sqs: "SQS",
    sns: "SNS",
};

/** Why `service` cannot be an interface endpoint of the network, or undefined when it can. */
export function checkInterfaceEndpoint(service: string): string | undefined {
    if (service === GATEWAY_ENDPOINT_SERVICE) {
        return "s3 is always created as a gateway endpoint; remove it from the list";
    }
    if (!(service in INTERFACE_ENDPOINT_SERVICES)) {
        return `unknown endpoint service; allowed: ${Object.keys(INTERFACE_ENDPOINT_SERVICES).join(", ")}`;
    }
    return undefined;
}

/** The full service name of an endpoint: `com.amazonaws.<region>.<service>`. */
export function endpointServiceName(region: string, service: string): string {
    return `com.amazonaws.${region}.${service}`;
}

/** The resource-type segment of an endpoint's name: `ecr.api` -> `ecr-api-endpoint`. */
export function endpointType(service: string): string {
    return `${service.replace(/\./g, "-")}-endpoint`;
}
