// Checks the access matrix of every environment (or the ones named) against Istio's own policy
// compiler: plans each, runs the oracle over its access.json and prints every row it disagrees
// with or cannot judge. See docs/service.md "How the matrix is proven".
//
//   ORACLE_DIR=../shared/tools/oracle npm run oracle-check [-- dev ...]
//   ORACLE_BIN=/path/to/oracle npm run oracle-check
// An environment with services in ambient mode also needs the ambient oracle (test/oracle/ambient-oracle,
// built with Go, or AMBIENT_ORACLE_BIN).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkEnvironment, environments } from "../plan/oracle";

function main(): number {
    const envs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : environments();
    let failed = 0;
    for (const env of envs) {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), `oracle-check-${env}-`));
        try {
            const run = checkEnvironment(env, out);
            for (const line of [...run.disagree, ...run.unknown]) {
                console.log(`${env}: ${line}`);
            }
            console.log(`${env}: ${run.summary}`);
            if (run.ambient) {
                console.log(`${env}: judged by the ambient oracle (ztunnel and waypoints): ${run.ambient.join(", ")}`);
            }
            failed += run.disagree.length + run.unknown.length > 0 ? 1 : 0;
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    }
    return failed > 0 ? 1 : 0;
}

try {
    process.exit(main());
} catch (err) {
    console.error(`oracle-check failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
}
