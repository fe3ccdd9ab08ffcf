// The package's entry `@platform/components/cluster`: the EKS cluster and the add-ons that need AWS
// (the load balancer controller, ExternalDNS). Loads @pulumi/aws, @pulumi/eks and @pulumi/kubernetes.
export { Cluster, LoadBalancerController, ExternalDns } from "./index";
export { KUBERNETES_VERSION, kubernetesUpgradeProblem, kubernetesVersionProblem } from "./versions";
export type {
    ClusterArgs,
    ClusterAccess,
    NodeGroupSpec,
    NodeTaint,
    CapacityType,
    TaintEffect,
    LoadBalancerControllerArgs,
    LoadBalancerControllerOptions,
    ExternalDnsArgs,
    ExternalDnsOptions,
    DnsZone,
} from "./index";
