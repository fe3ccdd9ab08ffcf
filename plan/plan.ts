import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { STACK_CONFIG_DIR_VARIABLE, readingEachStackFileOnce } from "../infra/environment";
import { Violation, conventionViolations } from "./conventions-check";
import { EvaluateOptions, Evaluation, PROJECT, evaluate } from "./evaluate";
import { StackOutputsFixture } from "./mocks";
import { PolicyViolation, formatPolicyViolation, runPolicies } from "./policy-run";
import { RecordedResource, setOptions } from "./recorder";
import {
    ROOT,
    StackConfig,
    UnknownStackError,
    existingStacksText,
    readStackConfig,
    stacksOfEnvironment,
} from "./stack-config";
import {
    isStackOfEnvironment,
    layerOfStackName,
    layerRank,
    stackReferenceName,
    stacksReadBy,
} from "../layers/layering";

/** A planned stack: its config and what the program produced for it. */
export interface StackPlan {
    readonly config: StackConfig;
    readonly layer: string;
    readonly evaluation: Evaluation;
    readonly violations: Violation[];
    /** What the policy pack (policy/) reports, as `pulumi preview --policy-pack policy` would. */
    readonly policyViolations: PolicyViolation[];
}

function layerOf(config: StackConfig): string {
    return config.config[`${PROJECT}:layer`] ?? "";
}

/** The name the stack of `config` gives `stack` in its StackReferences (its organization, this project). */
function referenceName(config: StackConfig, stack: string): string {
    return stackReferenceName(config.config[`${PROJECT}:organization`] ?? "organization", PROJECT, stack);
}

/**
 * Plans stacks in order, each under the mocks with its `Pulumi.<stack>.yaml`, feeding the outputs
 * of each to the StackReferences of the next. The order is the one the stack names give (`<env>`,
 * `<env>-common`, then services), so a stack whose `platform:layer` disagrees with its name fails
 * with its own ConfigError before any stack reads it. Throws the first stack's error.
 */
export function planStacks(stacks: readonly string[], dir = ROOT): Promise<StackPlan[]> {
    // Each stack file is parsed once for the whole batch, also by the program's own readers.
    return readingEachStackFileOnce(() => planStacksOnce(stacks, dir));
}

async function planStacksOnce(stacks: readonly string[], dir: string): Promise<StackPlan[]> {
    const configs = stacks.map((s) => readStackConfig(s, dir));
    const rank = (c: StackConfig) => layerRank(layerOfStackName(c.stack));
    const ordered = configs
        .map((c, i) => ({ c, i }))
        .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
        .map(({ c }) => c);
    // A service stack reads the environment's access graph from the stack files beside its own.
    const previousDir = process.env[STACK_CONFIG_DIR_VARIABLE];
    process.env[STACK_CONFIG_DIR_VARIABLE] = dir;
    try {
        return await planInOrder(ordered, dir);
    } finally {
        if (previousDir === undefined) {
            Reflect.deleteProperty(process.env, STACK_CONFIG_DIR_VARIABLE);
        } else {
            process.env[STACK_CONFIG_DIR_VARIABLE] = previousDir;
        }
    }
}

/**
 * What evaluating the stack of `config` takes: its config as the engine passes it, and the outputs
 * of the stacks planned before it (`outputs`, by stack name), under the names its StackReferences use.
 */
export function evaluateOptions(
    config: StackConfig,
    outputs: Readonly<Record<string, StackOutputsFixture>>,
): EvaluateOptions {
    const stackOutputs: Record<string, StackOutputsFixture> = {};
    for (const [stack, fixture] of Object.entries(outputs)) {
        stackOutputs[referenceName(config, stack)] = fixture;
    }
    return { stack: config.stack, config: config.config, secretKeys: config.secretKeys, stackOutputs };
}

async function planInOrder(ordered: readonly StackConfig[], dir: string): Promise<StackPlan[]> {
    const outputs: Record<string, StackOutputsFixture> = {};
    const plans: StackPlan[] = [];
    for (const config of ordered) {
        const missing = stacksReadBy(config.stack).filter((s) => !(s in outputs));
        if (missing.length > 0) {
            throw unreadStacksError(config, missing, dir);
        }
        let evaluation: Evaluation;
        try {
            evaluation = await evaluate(evaluateOptions(config, outputs));
        } catch (err) {
            const file = path.basename(config.file);
            if (err instanceof Error && !err.message.includes(file)) {
                err.message = `${file}: ${err.message}`;
            }
            throw err;
        }
        outputs[config.stack] = { outputs: evaluation.rawOutputs, secretOutputNames: evaluation.secretOutputNames };
        plans.push({
            config,
            layer: layerOf(config),
            evaluation,
            violations: conventionViolations(evaluation.resources),
            policyViolations: await runPolicies(evaluation.resources),
        });
    }
    return plans;
}

/** The stacks `config`'s stack reads (`missing`) have no file. */
function unreadStacksError(config: StackConfig, missing: readonly string[], dir: string): UnknownStackError {
    return new UnknownStackError(
        `${path.basename(config.file)}: a ${layerOfStackName(config.stack)} stack reads the stack${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}, ` +
            `which ${missing.length > 1 ? "have" : "has"} no stack file (${missing.map((s) => `Pulumi.${s}.yaml`).join(", ")}); the stacks in ${dir}: ${existingStacksText(dir)}`,
    );
}

/**
 * Fails with an UnknownStackError when a stack to plan (one `stack`, or every stack of `env`) or
 * a stack it reads has no file: an environment's global stack first, then what each stack reads.
 * The plan runs it before any check across the environment's files, so that a missing stack is
 * named before what follows from it (a caller without a stack, say).
 */
export function checkStackFiles(target: { readonly stack?: string; readonly env?: string }, dir = ROOT): void {
    const stacks = target.env !== undefined ? stacksOfEnvironment(target.env, dir) : [target.stack ?? ""];
    if (target.env !== undefined) {
        requireGlobalStack(target.env, stacks, dir);
    }
    for (const stack of stacks) {
        const config = readStackConfig(stack, dir);
        const missing = stacksReadBy(stack).filter((s) => !stacks.includes(s) && !fs.existsSync(stackFile(s, dir)));
        if (missing.length > 0) {
            throw unreadStacksError(config, missing, dir);
        }
    }
}

function stackFile(stack: string, dir: string): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Fails when environment `env` (its stacks `stacks`) has no global stack. */
function requireGlobalStack(env: string, stacks: readonly string[], dir: string): void {
    if (!stacks.includes(env)) {
        throw new UnknownStackError(
            `environment "${env}" has no global stack: ${stackFile(env, dir)} does not exist; the stacks in ${dir}: ${existingStacksText(dir)}`,
        );
    }
}

/** Plans one stack, after planning (in memory) the stacks it reads. */
export function planStack(stack: string, dir = ROOT): Promise<StackPlan> {
    return readingEachStackFileOnce(async () => {
        readStackConfig(stack, dir); // a stack without a file is named as such, before the stacks it reads
        const plans = await planStacks([...stacksReadBy(stack), stack], dir);
        return plans[plans.length - 1];
    });
}

/** Plans every stack of an environment in deployment order: global, common, then services. */
export async function planEnvironment(env: string, dir = ROOT): Promise<StackPlan[]> {
    const stacks = stacksOfEnvironment(env, dir);
    requireGlobalStack(env, stacks, dir);
    return planStacks(stacks, dir);
}

/** Whether a recorded resource is a Kubernetes object the stack creates (not a Helm release, not a provider). */
export function isKubernetesObject(r: RecordedResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/");
}

/** The Kubernetes objects of a stack as manifests: apiVersion, kind, metadata first. */
export function manifestsOf(resources: readonly RecordedResource[]): Record<string, unknown>[] {
    return resources.filter(isKubernetesObject).map((r) => {
        const { apiVersion, kind, metadata, ...rest } = r.inputs;
        return { apiVersion, kind, metadata, ...rest };
    });
}

/** The plan's JSON text: stable two-space JSON with a final newline. */
function json(value: unknown): string {
    return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes resources.json, manifests.yaml and outputs.json of a planned stack into `dir`. */
export function writeStackPlan(plan: StackPlan, dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const resources = plan.evaluation.resources.map((r) => {
        const options = setOptions(r.options);
        return {
            type: r.type,
            name: r.name,
            parent: r.parent,
            dependsOn: r.dependsOn,
            inputs: r.inputs,
            ...(Object.keys(options).length > 0 ? { options } : {}),
            urn: r.urn,
        };
    });
    fs.writeFileSync(path.join(dir, "resources.json"), json(resources));
    const manifests = manifestsOf(plan.evaluation.resources)
        .map((m) => yaml.dump(m, { noRefs: true, lineWidth: -1, sortKeys: false }))
        .join("---\n");
    fs.writeFileSync(path.join(dir, "manifests.yaml"), manifests);
    fs.writeFileSync(path.join(dir, "outputs.json"), json(plan.evaluation.outputs));
}

/** The files a plan writes into a stack's folder; an environment's folder also holds the access matrix. */
const PLAN_FILES = ["resources.json", "manifests.yaml", "outputs.json", "access.json", "access.md"];

/**
 * Removes from `out` the folders of stacks of `env` that no longer have a stack file in `dir` (a
 * removed service), so the output never shows a stack that would not be deployed. Only folders
 * that hold nothing but plan files are removed. Returns the folders removed.
 */
export function clearStaleOutput(env: string, out: string, dir = ROOT): string[] {
    if (!fs.existsSync(out)) {
        return [];
    }
    const stacks = new Set(stacksOfEnvironment(env, dir));
    const removed: string[] = [];
    for (const entry of fs.readdirSync(out, { withFileTypes: true })) {
        const folder = path.join(out, entry.name);
        const ofEnv = isStackOfEnvironment(entry.name, env);
        if (!entry.isDirectory() || !ofEnv || stacks.has(entry.name)) {
            continue;
        }
        if (fs.readdirSync(folder).every((f) => PLAN_FILES.includes(f))) {
            fs.rmSync(folder, { recursive: true });
            removed.push(folder);
        }
    }
    return removed;
}

/** Whether a planned stack breaks a convention or a mandatory policy (the plan then exits 1). */
export function hasViolations(plan: StackPlan): boolean {
    return plan.violations.length > 0 || plan.policyViolations.some((v) => v.enforcementLevel === "mandatory");
}

/** A short summary of a planned stack: resources by type and any convention violations. */
export function summarize(plan: StackPlan): string {
    const counts = new Map<string, number>();
    for (const r of plan.evaluation.resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    const n = plan.evaluation.resources.length;
    const lines = [`${plan.config.stack} (${plan.layer}): ${n} resource${n === 1 ? "" : "s"}`];
    for (const [type, n] of [...counts.entries()].sort()) {
        lines.push(`  ${String(n).padStart(4)}  ${type}`);
    }
    if (plan.violations.length === 0) {
        lines.push("  conventions: every name and tag follows them");
    } else {
        lines.push(`  conventions: ${plan.violations.length} violation(s)`);
        for (const v of plan.violations) {
            lines.push(`    - ${v.type} ${v.resource}: ${v.message}`);
        }
    }
    const policy = plan.policyViolations;
    lines.push(policy.length === 0 ? "  policy pack: no violation" : `  policy pack: ${policy.length} violation(s)`);
    lines.push(...policy.map((v) => `    - ${formatPolicyViolation(v)}`));
    return lines.join("\n");
}
