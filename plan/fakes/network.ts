import { InvokeFake, ResourceFake } from "./context";

/** Fake outputs of the global layer's resources (network, DNS), by type token. */
export const NETWORK_RESOURCE_FAKES: Record<string, ResourceFake> = {
    // CloudWatch Logs ARNs have their own shape: arn:aws:logs:<region>:<account>:log-group:<name>.
    "aws:cloudwatch/logGroup:LogGroup": (name, inputs, ctx) => ({
        arn: `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${inputs.name ?? name}`,
    }),
    // Route53 zones: a zone id (`Z...`) and the name servers AWS assigns.
    "aws:route53/zone:Zone": (name) => ({
        zoneId: `Z${name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
        nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"],
    }),
};

/** Fake invokes the global layer makes, by token (getAvailabilityZones is in fakes/aws.ts). */
export const NETWORK_INVOKE_FAKES: Record<string, InvokeFake> = {};
