import * as aws from "@pulumi/aws";
import { clusterNameFor, resourceName } from "@platform/components/conventions";
import { Network } from "@platform/components/network";
import { GlobalConfig } from "./config";
import { StackOutputs } from "../outputs";
import { GlobalOutputs, environmentOutputs } from "./outputs";

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
    const network = new Network(resourceName({ env: owner.environment.env, service: owner.service, type: "network" }), {
        owner,
        providers: { aws: inputs.aws },
        clusterName,
        ...config.network,
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
