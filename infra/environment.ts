import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { CallerRule, GraphService } from "@platform/components/service";
import { projectRoot } from "./build";
import { ConfigProblems, NAMESPACE, configError } from "../layers/config";
import { parseStackName } from "../layers/schema/stack";
import { CALLER_RULE } from "../layers/service/config";

/**
 * The environment variable naming the folder of the stack files (`Pulumi.<stack>.yaml`); unset, the
 * project's folder (the nearest above this module that holds Pulumi.yaml: the program runs from its
 * sources in infra/ or built in bin/infra/). The offline plan sets it for
 * `--config-dir`.
 */
export const STACK_CONFIG_DIR_VARIABLE = "PLATFORM_STACK_CONFIG_DIR";

/** Where the environment's stack files are. */
export function stackConfigDir(): string {
    return process.env[STACK_CONFIG_DIR_VARIABLE] ?? projectRoot(__dirname);
}

/** A YAML file that does not parse; the message names the file, the line and the column. */
export class YamlFileError extends pulumi.RunError {}

/**
 * What has been read while `readingEachStackFileOnce` runs: each YAML file's document (or its
 * error) by path, and each environment's access graph by folder and environment.
 */
interface ReadOnce {
    readonly files: Map<string, { readonly doc: unknown } | { readonly error: unknown }>;
    readonly graphs: Map<string, GraphService[]>;
}

let readOnce: ReadOnce | undefined;
let readOnceDepth = 0;

/**
 * Runs `fn` reading and parsing each YAML file at most once, and building each environment's
 * access graph once. The engine runs one stack per process, which reads its own stack file and
 * its environment's service stack files once anyway; the offline plan evaluates every stack of an
 * environment in one process, where each service stack would otherwise read every other one
 * again: quadratic in the number of services. Files must not change while `fn` runs (the plan
 * reads, it never writes a stack file). Calls may nest; the files are read again afterwards.
 */
export async function readingEachStackFileOnce<T>(fn: () => Promise<T>): Promise<T> {
    readOnce ??= { files: new Map(), graphs: new Map() };
    readOnceDepth++;
    try {
        return await fn();
    } finally {
        readOnceDepth--;
        if (readOnceDepth === 0) {
            readOnce = undefined;
        }
    }
}

/** The YAML document of `file`; a syntax error is a YamlFileError `<file> line L, column C: not valid YAML: <reason>`. */
export function readYamlFile(file: string): unknown {
    const known = readOnce?.files.get(file);
    if (known !== undefined) {
        if ("error" in known) {
            throw known.error;
        }
        return known.doc;
    }
    try {
        const doc = parseYamlFile(file);
        readOnce?.files.set(file, { doc });
        return doc;
    } catch (error) {
        readOnce?.files.set(file, { error });
        throw error;
    }
}

function parseYamlFile(file: string): unknown {
    try {
        return yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        if (err instanceof yaml.YAMLException) {
            const at = err.mark ? ` line ${err.mark.line + 1}, column ${err.mark.column + 1}` : "";
            throw new YamlFileError(`${path.basename(file)}${at}: not valid YAML: ${err.reason}`);
        }
        throw err;
    }
}

/**
 * Who a sibling service stack admits, each entry read with the service layer's own schema of an
 * `allowedCallers` entry. A malformed list or entry is reported by its own stack's config check;
 * here it admits nobody.
 */
function callerRules(value: unknown): CallerRule[] {
    return (Array.isArray(value) ? value : []).flatMap((entry): CallerRule[] => {
        const parsed = CALLER_RULE.safeParse(entry);
        const c = parsed.success ? parsed.data : {};
        return c.service !== undefined
            ? [{ service: c.service }]
            : c.namespace !== undefined
              ? [{ namespace: c.namespace }]
              : [];
    });
}

/** A service stack's file of an environment, read as YAML: its service, file name and config map. */
export interface ServiceStackFile {
    readonly name: string;
    /** The file's name, e.g. `Pulumi.dev-backend.yaml`. */
    readonly file: string;
    /** The file's `config:` map, keys in full (`platform:allowedCallers`). */
    readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Every service stack file of `env` in `dir` (`Pulumi.<env>-<service>.yaml` with `platform:layer:
 * service`), sorted by file name. Each service stack reads its siblings' files (the access graph,
 * the hosts they claim); under `readingEachStackFileOnce` each file is parsed once. A file that is
 * not valid YAML fails, naming it; so does a file whose name is not a service stack's (its
 * service part would become a principal, a namespace and a Sidecar's host): the same config
 * error as its own stack's, before any graph is built from it.
 */
export function readServiceStackFiles(env: string, dir = stackConfigDir()): ServiceStackFile[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    const prefix = `Pulumi.${env}-`;
    const files = fs
        .readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && f.endsWith(".yaml"))
        .sort();
    return files.flatMap((f): ServiceStackFile[] => {
        let doc: { config?: Record<string, unknown> } | undefined;
        try {
            doc = readYamlFile(path.join(dir, f)) as typeof doc;
        } catch (err) {
            // Every service stack reads its siblings' files: name the broken one, not a parser trace.
            throw err instanceof YamlFileError
                ? new pulumi.RunError(
                      `${err.message} (every service stack of environment "${env}" reads it for the access graph)`,
                  )
                : err;
        }
        const config = doc?.config ?? {};
        if (config[`${NAMESPACE}:layer`] !== "service") {
            return [];
        }
        const stack = f.slice("Pulumi.".length, -".yaml".length);
        const problems = new ConfigProblems(NAMESPACE);
        parseStackName(stack, "service", problems);
        if (!problems.empty) {
            throw configError(stack, problems.all, [
                `every service stack of environment "${env}" reads ${f} for the access graph: fix its name first`,
            ]);
        }
        return [{ name: f.slice(prefix.length, -".yaml".length), file: f, config }];
    });
}

/**
 * The environment's access graph: every service stack of `env` (`Pulumi.<env>-<service>.yaml` with
 * `platform:layer: service` in `dir`) and the callers its `platform:allowedCallers` admits.
 *
 * Why the program reads its sibling stacks' files: who a service may call is written in its
 * callees' stacks (each service says who may call it), and a service stack must know it for its
 * Sidecar's egress. StackReferences to the callees would tie the deploy order to the graph and
 * fail on a cycle (A calls B, B calls A); the stack files are in the repository beside this one,
 * one source for every stack of the environment. Consequence: a change of a service's callers
 * changes its callers' Sidecars, so deploy every service stack of the environment after it (the
 * deploy workflow does).
 */
export function readAccessGraph(env: string, dir = stackConfigDir()): GraphService[] {
    const key = JSON.stringify([dir, env]);
    const known = readOnce?.graphs.get(key);
    if (known) {
        return known;
    }
    const graph = readServiceStackFiles(env, dir).map((s) => ({
        name: s.name,
        allowedCallers: callerRules(s.config[`${NAMESPACE}:allowedCallers`]),
    }));
    readOnce?.graphs.set(key, graph);
    return graph;
}

/**
 * The `config:` map of `Pulumi.<stack>.yaml` in `dir`, keys as written, or undefined when there is
 * no such file (e.g. config from elsewhere) or it is not valid YAML (the engine, or the plan,
 * reports a broken file by name).
 */
function stackFileConfig(stack: string, dir: string): Readonly<Record<string, unknown>> | undefined {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    let doc: unknown;
    try {
        doc = readYamlFile(file);
    } catch (err) {
        if (err instanceof YamlFileError) {
            return undefined;
        }
        throw err;
    }
    const config = (doc as { config?: unknown } | undefined)?.config;
    return typeof config === "object" && config !== null ? (config as Record<string, unknown>) : {};
}

/**
 * The keys (without the `platform:` namespace) that `Pulumi.<stack>.yaml` in `dir` sets itself, or
 * undefined when there is no such file (e.g. config from elsewhere). The engine hands the program
 * Pulumi.yaml's defaults mixed with the file's values, so only the file tells a key set to its
 * default value from a key not set at all.
 */
export function keysSetInStackFile(stack: string, dir = stackConfigDir()): ReadonlySet<string> | undefined {
    const config = stackFileConfig(stack, dir);
    if (config === undefined) {
        return undefined;
    }
    const prefix = `${NAMESPACE}:`;
    return new Set(
        Object.keys(config)
            .filter((k) => k.startsWith(prefix))
            .map((k) => k.slice(prefix.length)),
    );
}

/**
 * The keys `Pulumi.<stack>.yaml` in `dir` writes without a namespace (`replicas: 2`), with their
 * values; none when there is no such file. Pulumi reads such a key as the project's
 * (`platform:replicas`), but everything that reads a stack file by key name (the plan, the env
 * command's guards, the checks of what a file sets) looks for `platform:<key>`, so they are refused.
 */
export function keysWithoutNamespace(stack: string, dir = stackConfigDir()): Readonly<Record<string, unknown>> {
    const config = stackFileConfig(stack, dir) ?? {};
    return Object.fromEntries(Object.entries(config).filter(([k]) => !k.includes(":")));
}
