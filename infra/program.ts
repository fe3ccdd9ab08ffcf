import { loadConfig } from "./config";
import { readAccessGraph } from "./environment";
import { awsProvider } from "../layers/providers";
import { readCommonOutputs, readGlobalOutputs } from "./references";
import { deployCommon } from "../layers/common/deploy";
import { deployGlobal } from "../layers/global/deploy";
import { environmentOf } from "../layers/global/outputs";
import { deployService } from "../layers/service/deploy";

/**
 * The program: reads and validates this stack's config, reads the outputs of the layers below
 * it, and deploys its layer. Returns the stack outputs.
 */
export async function main(): Promise<Record<string, unknown>> {
    const config = loadConfig();
    switch (config.layer) {
        case "global": {
            const aws = awsProvider({ environment: config.environment, service: "global" });
            return deployGlobal(config, { aws });
        }
        case "common": {
            const global = await readGlobalOutputs(config.organization, config.env);
            // Only an EKS cluster needs AWS: an existing cluster's stack creates no aws provider.
            const aws = () => awsProvider({ environment: environmentOf(global), service: "common" });
            return deployCommon(config, { global, aws });
        }
        case "service": {
            const [global, common] = await Promise.all([
                readGlobalOutputs(config.organization, config.env),
                readCommonOutputs(config.organization, config.env),
            ]);
            // No aws provider: the service layer owns Kubernetes objects only.
            return deployService(config, { global, common, accessGraph: () => readAccessGraph(config.env) });
        }
    }
}
