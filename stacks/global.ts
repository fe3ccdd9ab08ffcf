import * as aws from "@pulumi/aws";
import { clusterNameFor, resourceName } from "../components/conventions";
import { Network } from "../components/network";
import { GlobalConfig } from "../infra/schema";
import { GlobalOutputs, environmentOutputs } from "./global-outputs";
import { StackOutputs } from "./outputs";

// The layer's outputs are defined apart (reading them loads no cloud SDK) and re-exported with the layer.
export { GLOBAL_OUTPUTS, environmentOf, environmentOutputs } from "./global-outputs";
export type { GlobalOutputs } from "./global-outputs";

/** What the global layer is given besides its config. */
export interface GlobalInputs {
    /** The environment's aws provider (region and the owner's default tags). */
    readonly aws: aws.Provider;
}

/**
 * Deploys the global layer: the environment's settings and its network (VPC, subnets, NAT,
 * NACLs, flow log, endpoints, DNS), with the cluster name the common layer will use.
 */
export function deployGlobal(config: GlobalConfig, inputs: GlobalInputs): StackOutputs<GlobalOutputs> {
    const owner = { environment: config.environment, service: "global" };
    const clusterName = clusterNameFor(config.environment.env);
    const settings = config.network;
    const network = new Network(resourceName({ env: owner.environment.env, service: owner.service, type: "network" }), {
        owner,
        providers: { aws: inputs.aws },
        clusterName,
        vpcCidr: settings.vpcCidr,
        availabilityZones: settings.availabilityZones,
        availabilityZoneCount: settings.zoneCount,
        publicSubnetCidrs: settings.subnets.publicSubnetCidrs,
        privateSubnetCidrs: settings.subnets.privateSubnetCidrs,
        natStrategy: settings.natStrategy,
        flowLogRetentionDays: settings.flowLogRetentionDays,
        kmsKeyAdminArns: settings.kmsKeyAdminArns,
        interfaceEndpointServices: settings.interfaceEndpointServices,
        privateZoneName: settings.privateZoneName,
        publicZoneName: settings.publicZoneName,
    });
    return {
        ...environmentOutputs(config.environment),
        production: config.production,
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        availabilityZones: network.availabilityZones,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        natGatewayIds: network.natGatewayIds,
        privateZoneId: network.privateZoneId,
        privateZoneName: network.privateZoneName,
        clusterName,
    };
}
