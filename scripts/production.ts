// Whether an environment is production, as its global stack's file says (`platform:production`,
// true unless set to false): `npm run env -- destroy --unprotect` refuses a production
// environment, and the pull-request workflow previews only the others (its job holds no
// production secret).
import { parseEngineConfig } from "../infra/config";
import { GlobalConfig } from "../layers/config";
import { readStackConfig } from "../plan/stack-config";

/** Whether `Pulumi.<env>.yaml` in `dir` marks environment `env` as production (true by default). */
export function isProductionInFile(env: string, dir: string): boolean {
    const config = readStackConfig(env, dir, dir);
    const parsed = parseEngineConfig(env, config.config, (key) => config.secretKeys.includes(key), dir) as GlobalConfig;
    return parsed.production;
}
