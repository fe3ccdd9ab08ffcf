import { loadConfig } from "./config";
import { readAccessGraph } from "./environment";
import { readHostClaims } from "./hosts";
import { readCommonOutputs, readDeployedCommonOutputs, readGlobalOutputs } from "./references";
import { environmentOf } from "../layers/global/outputs";

/**
 * The program: reads and validates this stack's config, reads the outputs of the layers below
 * it, and deploys its layer. Returns the stack outputs.
 *
 * Each layer's modules are loaded when a stack of that layer runs (`await import`), not when the
 * program starts: a service stack never loads @pulumi/aws, @pulumi/eks or @pulumi/random, the
 * largest SDKs of the program (`npm run bench:startup` measures each module's cost at start).
 */
export async function main(): Promise<Record<string, unknown>> {
    const config = loadConfig();
    switch (config.layer) {
        case "global": {
            const [{ awsProvider }, { deployGlobal }] = await Promise.all([
                import("./aws-provider"),
                import("../layers/global/deploy"),
            ]);
            const aws = awsProvider({ environment: config.environment, service: "global" });
            return deployGlobal(config, { aws });
        }
        case "common": {
            const [global, deployed, { awsProvider }, { deployCommon }] = await Promise.all([
                readGlobalOutputs(config.organization, config.env),
                // An EKS cluster's update is checked against the version the stack last deployed.
                config.clusterMode === "eks" ? readDeployedCommonOutputs(config.organization, config.stack) : {},
                import("./aws-provider"),
                import("../layers/common/deploy"),
            ]);
            // Only an EKS cluster needs AWS: an existing cluster's stack creates no aws provider.
            const aws = () => awsProvider({ environment: environmentOf(global), service: "common" });
            return deployCommon(config, { global, aws, deployed });
        }
        case "service": {
            const [global, common, { deployService }] = await Promise.all([
                readGlobalOutputs(config.organization, config.env),
                readCommonOutputs(config.organization, config.env),
                import("../layers/service/deploy"),
            ]);
            // No aws provider: the service layer owns Kubernetes objects only.
            return deployService(config, {
                global,
                common,
                accessGraph: () => readAccessGraph(config.env),
                hostClaims: (zoneName) => readHostClaims(config.env, zoneName),
            });
        }
    }
}
