// The wall time of each engine command the suite runs, written to out/integration/timings.json
// for scripts/bench-engine.ts and the closing summary (never asserted: timings are not tests).
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../../plan/stack-config";

export const TIMINGS_FILE = path.join(ROOT, "out", "integration", "timings.json");

const timings: { stack: string; step: string; seconds: number }[] = [];

export function recordTiming(stack: string, step: string, seconds: number): void {
    timings.push({ stack, step, seconds: Math.round(seconds * 10) / 10 });
    fs.mkdirSync(path.dirname(TIMINGS_FILE), { recursive: true });
    fs.writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`);
}
