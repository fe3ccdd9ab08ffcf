// What a stack's program costs at start, module by module: runs plan/startup-probe.ts for the stack
// in a process of its own, over the built program the engine runs (bin/, npm run build), and sums
// each module's own time by package or project folder.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LoadedModule } from "./module-timer";
import { evaluateOptions, planStacks } from "./plan";
import { ProbeResult } from "./startup-probe";
import { ROOT, readStackConfig } from "./stack-config";
import { tempDir } from "./temp";
import { STACK_CONFIG_DIR_VARIABLE } from "../infra/environment";
import { stacksReadBy } from "../layers/layering";

/** The packages a stack of Kubernetes objects has no use for: the service layer must not load them. */
export const CLOUD_PACKAGES = ["@pulumi/aws", "@pulumi/eks", "@pulumi/random"] as const;

/**
 * Runs the start-up probe for `stacks` (of the stack files in `dir`), in that order, in one process:
 * the stacks they read are planned here first, in this process, and handed to the probe as outputs.
 */
export async function probeStartup(stacks: readonly string[], dir = ROOT): Promise<ProbeResult> {
    const configs = stacks.map((s) => readStackConfig(s, dir));
    const read = [...new Set(stacks.flatMap(stacksReadBy))];
    const plans = await planStacks(read, dir);
    const outputs = Object.fromEntries(
        plans.map((p) => [
            p.config.stack,
            { outputs: p.evaluation.rawOutputs, secretOutputNames: p.evaluation.secretOutputNames },
        ]),
    );
    const work = tempDir("startup");
    const input = path.join(work, "input.json");
    const output = path.join(work, "output.json");
    // The program as the engine runs it: built (npm run build), no TypeScript compiled at start.
    fs.writeFileSync(input, JSON.stringify(configs.map((c) => ({ ...evaluateOptions(c, outputs), built: true }))));
    const probe = path.join(ROOT, "plan", "startup-probe.ts");
    await new Promise<void>((resolve, reject) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register", probe, input, output],
            // In main's folder, as the engine runs the program (ts-node is the probe's own, for its harness).
            { cwd: path.join(ROOT, "bin", "infra"), env: { ...process.env, [STACK_CONFIG_DIR_VARIABLE]: dir } },
            (err, _stdout, stderr) =>
                err
                    ? reject(
                          new Error(
                              `the start-up probe of ${stacks.join(", ")} failed: ${stderr.trim() || err.message}`,
                          ),
                      )
                    : resolve(),
        );
    });
    const result = JSON.parse(fs.readFileSync(output, "utf8")) as ProbeResult;
    fs.rmSync(work, { recursive: true, force: true });
    return result;
}

/**
 * Where a module belongs: its npm package (`@pulumi/kubernetes`, `zod`), a folder of this project
 * (`infra`, `stacks`, `components/service`), or `node:` for Node's builtins.
 */
export function moduleGroup(file: string): string {
    if (!path.isAbsolute(file)) {
        return "node:";
    }
    const inPackages = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    if (inPackages >= 0) {
        const parts = file.slice(inPackages + "/node_modules/".length).split(path.sep);
        return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
    }
    const parts = path.relative(ROOT, file).split(path.sep);
    // The built program and package count as their sources' folders: bin/infra is infra, components/bin/mesh components/mesh.
    const source =
        parts[0] === "bin"
            ? parts.slice(1)
            : parts[0] === "components" && parts[1] === "bin"
              ? [parts[0], ...parts.slice(2)]
              : parts;
    return source[0] === "components" && source.length > 2 ? `${source[0]}/${source[1]}` : source[0];
}

/** One group's share of a phase: how many modules and their own time. */
export interface GroupCost {
    readonly group: string;
    readonly modules: number;
    readonly ms: number;
}

/** The modules a phase (PHASES, or a stack's name for its program) loaded, summed by group, the most expensive first. */
export function costByGroup(modules: readonly LoadedModule[], phase: string): GroupCost[] {
    const groups = new Map<string, { modules: number; ms: number }>();
    for (const m of modules.filter((m) => m.phase === phase)) {
        const group = moduleGroup(m.file);
        const known = groups.get(group) ?? { modules: 0, ms: 0 };
        groups.set(group, { modules: known.modules + 1, ms: known.ms + m.ms });
    }
    return [...groups]
        .map(([group, { modules, ms }]) => ({ group, modules, ms }))
        .sort((a, b) => b.ms - a.ms || a.group.localeCompare(b.group));
}

/** The packages (and project folders) whose modules the phases `phases` loaded (every phase: all of them). */
export function loadedGroups(modules: readonly LoadedModule[], phases?: readonly string[]): Set<string> {
    return new Set(modules.filter((m) => phases?.includes(m.phase) ?? true).map((m) => moduleGroup(m.file)));
}
