// The real Pulumi engine for the integration suite and the engine benchmarks: the `pulumi` CLI on PATH (or $PULUMI), a file
// backend in a temp dir, no automatic plugin download, and copies of the project so that
// `pulumi stack init` (which rewrites Pulumi.<stack>.yaml) never touches the checkout.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ROOT } from "../stack-config";
import { tempDir } from "../temp";

/** The passphrase of every stack the suite creates (a throw-away file backend). */
export const PASSPHRASE = "platform-integration";

/** What one `pulumi` command did. */
export interface CommandResult {
    readonly args: readonly string[];
    readonly cwd: string;
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/** The first executable file `name` in a folder of PATH, or undefined. */
export function findOnPath(name: string, pathVariable = process.env.PATH ?? ""): string | undefined {
    for (const dir of pathVariable.split(path.delimiter)) {
        const candidate = path.join(dir, name);
        try {
            if (dir && fs.statSync(candidate).isFile()) {
                fs.accessSync(candidate, fs.constants.X_OK);
                return candidate;
            }
        } catch {
            // not there, or not executable: the next folder
        }
    }
    return undefined;
}

/** The pulumi binary: $PULUMI, else `pulumi` on PATH; fails naming both when neither exists. */
export function pulumiBinary(): string {
    const explicit = process.env.PULUMI;
    if (explicit) {
        if (!fs.existsSync(explicit)) {
            throw new Error(`PULUMI=${explicit} does not exist`);
        }
        return explicit;
    }
    const found = findOnPath("pulumi");
    if (found !== undefined) {
        return found;
    }
    throw new Error(
        'the integration suite needs the Pulumi CLI: put `pulumi` on PATH or set PULUMI=/path/to/pulumi (see docs/testing.md, "Integration suite")',
    );
}

/** A file backend and the environment every command of the suite runs with. */
export class Backend {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(name: string) {
        this.dir = tempDir(`engine-${name}`);
        fs.mkdirSync(path.join(this.dir, "state"));
        fs.mkdirSync(path.join(this.dir, "home"));
        this.env = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            // Plugins come from PATH only (the CLI's "ambient" plugins), never from a user's ~/.pulumi.
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_SKIP_CONFIRMATIONS: "true",
            NO_COLOR: "1",
        };
        delete this.env.PULUMI_ACCESS_TOKEN;
    }

    /** The environment's variables that are set, as the Automation API takes them (`envVars`). */
    vars(): Record<string, string> {
        return Object.fromEntries(Object.entries(this.env).filter((e): e is [string, string] => e[1] !== undefined));
    }

    /** Runs `pulumi ARGS` in `cwd`; resolves with its exit code and output (never rejects on a non-zero exit). */
    run(cwd: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = spawn(pulumiBinary(), [...args, "--non-interactive", "--color", "never"], {
                cwd,
                env: { ...this.env, ...extraEnv },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", reject);
            child.on("close", (code) =>
                resolve({ args, cwd, code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
            );
        });
    }

    /** Like `run`, but fails with the command's whole output unless it exits 0. */
    async ok(cwd: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
        const result = await this.run(cwd, args, extraEnv);
        if (result.code !== 0) {
            throw new Error(describe(result));
        }
        return result;
    }
}

/** A command and its output, for assertion messages. */
export function describe(r: CommandResult): string {
    return `pulumi ${r.args.join(" ")} (in ${r.cwd}) exited ${r.code} after ${r.seconds.toFixed(1)} s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** The files of the project a Pulumi run needs (program sources and build, pack, stack files), relative to ROOT. */
const PROJECT_ENTRIES = [
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
    "infra",
    "layers",
    "components",
    "policy",
    "bin",
];

/**
 * A copy of the project in a temp dir: the program, the policy pack, Pulumi.yaml and the given
 * stack files (default: every Pulumi.<stack>.yaml of the checkout), with node_modules linked.
 */
export function projectCopy(name: string, stackFiles?: readonly string[]): string {
    const dir = tempDir(`project-${name}`);
    for (const entry of PROJECT_ENTRIES) {
        fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    const files = stackFiles ?? fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml");
    for (const f of files) {
        fs.copyFileSync(path.isAbsolute(f) ? f : path.join(ROOT, f), path.join(dir, path.basename(f)));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/**
 * A project of the same name (`platform`) running another program: `programDir`'s index.js, with
 * the given Pulumi.yaml `config:` block (the real project's when omitted) and files beside it.
 */
export function programProject(
    name: string,
    programDir: string,
    options: { config?: unknown; files?: Record<string, string> } = {},
): string {
    const dir = tempDir(`program-${name}`);
    const real = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    const project: Record<string, unknown> = { name: real.name, runtime: "nodejs", main: "index.js" };
    const config = options.config === undefined ? real.config : options.config;
    if (config) {
        project.config = config;
    }
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump(project, { lineWidth: -1 }));
    fs.copyFileSync(path.join(programDir, "index.js"), path.join(dir, "index.js"));
    for (const [file, text] of Object.entries(options.files ?? {})) {
        fs.writeFileSync(path.join(dir, file), text);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}
