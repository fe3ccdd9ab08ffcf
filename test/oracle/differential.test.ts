import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import * as yaml from "js-yaml";
import { GenCase, genCase, meshWide, policiesOf, writeBatch } from "./generate";
import { oracleBinary, runOracle } from "../../plan/oracle";

// A fixed seed, so CI runs the same cases every time; a long search sets ORACLE_SEED (any integer)
// and a larger ORACLE_RUNS (batches, one oracle run each) and/or ORACLE_BATCH (cases per batch).
const SEED = Number(process.env.ORACLE_SEED ?? 13);
const RUNS = Number(process.env.ORACLE_RUNS ?? 40);
const BATCH = Number(process.env.ORACLE_BATCH ?? 50);

/** What a failing batch prints: the disagreeing rows and, for the first, its case's policies. */
function explain(cases: readonly GenCase[], bad: { line: string; caseIndex: number }[]): string {
    const first = bad[0].caseIndex;
    const policies = policiesOf(cases[first], `c${first}`, meshWide(cases[first]));
    return [
        `${bad.length} row(s) where our matrix and Istio's compiler differ (first: case c${first}):`,
        ...bad.slice(0, 12).map((b) => `  ${b.line}`),
        `policies of case c${first}:`,
        ...policies.map((p) => yaml.dump(p, { lineWidth: -1 })),
    ].join("\n");
}

describe("differential: our access matrix against Istio's policy compiler on generated policies", function () {
    this.timeout(30 * 60 * 1000);
    before(() => oracleBinary());

    it(`agrees on every request of ${RUNS} batches of up to ${BATCH} generated environments (seed ${SEED})`, () => {
        let cases = 0;
        let rows = 0;
        let runs = 0;
        const started = Date.now();
        const property = fc.property(fc.array(genCase, { minLength: 1, maxLength: BATCH, size: "max" }), (batch) => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-oracle-gen-"));
            try {
                const written = writeBatch(dir, batch);
                const bad: { line: string; caseIndex: number }[] = [];
                for (const run of written.runs) {
                    const result = runOracle(dir, run.env);
                    runs++;
                    if (result.lines.length !== run.rows.length) {
                        throw new Error(
                            `oracle answered ${result.lines.length} lines for ${run.rows.length} rows: ${result.summary}`,
                        );
                    }
                    result.lines.forEach((line, i) => {
                        if (!line.startsWith("agree")) {
                            bad.push({ line, caseIndex: run.caseOfRow[i] });
                        }
                    });
                    rows += run.rows.length;
                }
                cases += batch.length;
                if (bad.length > 0) {
                    throw new Error(explain(batch, bad));
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
        fc.assert(property, { seed: SEED, numRuns: RUNS });
        console.log(
            `      ${cases} generated environments, ${rows} requests, ${runs} oracle runs, ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`,
        );
    });
});
