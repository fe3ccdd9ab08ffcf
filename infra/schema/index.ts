import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { COMMON_KEYS, CommonConfig, parseCommonConfig } from "./common";
import { GLOBAL_KEYS, GlobalConfig, parseGlobalConfig } from "./global";
import { KeySpec, LAYERS, Layer, SHARED_KEYS } from "./keys";
import { nearest } from "./nearest";
import { ConfigProblems } from "./problems";
import { ConfigReader, decodeValue } from "./reader";
import { SERVICE_KEYS, ServiceConfig, parseServiceConfig } from "./service";
import { LAYER_CHOICES, layerOfStackName, parseStackName } from "./stack";

export * from "./keys";
export * from "./problems";
export { GlobalConfig } from "./global";
export { CommonConfig } from "./common";
export { ServiceConfig } from "./service";

/** The config namespace of the project's keys (the project name). */
export const NAMESPACE = "platform";

/** Every key the program reads, in the order Pulumi.yaml declares them. */
export const ALL_KEYS: readonly KeySpec[] = [...SHARED_KEYS, ...GLOBAL_KEYS, ...COMMON_KEYS, ...SERVICE_KEYS];

/** The validated config of a stack, by layer. */
export type PlatformConfig = GlobalConfig | CommonConfig | ServiceConfig;

/** Where a layer's keys are set, for messages: `Pulumi.dev.yaml`. */
function stackFileOf(layer: Layer, env: string): string {
    return layer === "global" ? `Pulumi.${env}.yaml` : layer === "common" ? `Pulumi.${env}-common.yaml` : `each Pulumi.${env}-<service>.yaml`;
}

/**
 * Keys of other layers that a stack sets: they would be silently ignored (e.g. `region` in a
 * common stack, which takes its region from the global stack). The engine passes Pulumi.yaml's
 * defaults to every stack, so a key counts as set when the stack file sets it (`setInStackFile`,
 * when the file could be read) or when its value differs from its default. Values are compared as
 * data, never as text: the engine hands the program object defaults with their keys sorted (Go's
 * JSON), not in the order Pulumi.yaml writes them.
 */
function foreignKeyProblems(
    layer: Layer,
    env: string,
    raw: Readonly<Record<string, string | undefined>>,
    values: Readonly<Record<string, unknown>>,
    problems: ConfigProblems,
    setInStackFile: ReadonlySet<string> | undefined,
): void {
    for (const spec of ALL_KEYS) {
        if (spec.layers.includes(layer) || raw[spec.key] === undefined) {
            continue;
        }
        if (setInStackFile?.has(spec.key) || !isDeepStrictEqual(values[spec.key], spec.default)) {
            const files = spec.layers.map((l) => stackFileOf(l, env)).join(" and ");
            const owners = `${spec.layers.join(" and ")} layer${spec.layers.length > 1 ? "s" : ""}`;
            problems.add(spec.key, values[spec.key], `not read by the ${layer} layer; it belongs to the ${owners}: set it in ${files} instead`);
        }
    }
}

/**
 * Validates one stack's config: `raw` maps every `platform:` key that the stack (or the engine,
 * from Pulumi.yaml's defaults) sets to its string form, as `pulumi.Config.get` returns it.
 * Secret keys come as Outputs in `secrets` (their plain text never passes through here);
 * `plaintextSecrets` names the secret keys a stack set without `--secret`, which are refused;
 * `setInStackFile` the keys its stack file sets (a key of another layer there is refused even at its
 * default value).
 * Pure: collects every problem and throws one config error (ProblemError, kind ConfigError) naming each key, the stack, the bad
 * value and what is allowed.
 */
export function parseConfig(
    stack: string,
    raw: Readonly<Record<string, string | undefined>>,
    secrets: Readonly<Record<string, pulumi.Output<string>>> = {},
    plaintextSecrets: readonly string[] = [],
    setInStackFile?: ReadonlySet<string>,
): PlatformConfig {
    const problems = new ConfigProblems(NAMESPACE);
    const known = new Set(ALL_KEYS.map((k) => k.key));
    for (const key of Object.keys(raw).sort()) {
        if (!known.has(key)) {
            const guess = nearest(key, [...known]);
            const hint = guess ? `did you mean ${NAMESPACE}:${guess}? ` : "";
            problems.add(key, raw[key], `unknown key; ${hint}the keys are declared in Pulumi.yaml`);
        }
    }
    for (const key of plaintextSecrets) {
        problems.add(key, "[hidden]", `a secret set in plain text in the stack file; set it with pulumi config set --secret ${key} <value>`);
    }
    const values: Record<string, unknown> = {};
    for (const spec of ALL_KEYS) {
        values[spec.key] = decodeValue(spec, raw[spec.key], problems);
    }
    const reader = new ConfigReader(stack, values, problems, secrets);
    const layerValue = reader.string("layer");
    const layerHint = `allowed: ${LAYER_CHOICES}; stack "${stack}" is named as a ${layerOfStackName(stack)} stack`;
    if (layerValue === "") {
        if (!raw.layer) {
            problems.add("layer", undefined, `required; ${layerHint}: set platform:layer: ${layerOfStackName(stack)} in Pulumi.${stack}.yaml`);
        }
        problems.throwIfAny(stack);
    }
    if (!(LAYERS as readonly string[]).includes(layerValue)) {
        problems.add("layer", layerValue, `unknown layer; ${layerHint}`);
        problems.throwIfAny(stack);
    }
    const layer = layerValue as Layer;
    const reported = problems.all.length;
    const name = parseStackName(stack, layer, problems);
    if (problems.all.length > reported) {
        // The layer and the stack's name disagree: every key would be checked against the wrong layer.
        problems.throwIfAny(stack);
    }
    foreignKeyProblems(layer, name.env, raw, values, problems, setInStackFile);
    let config: PlatformConfig;
    switch (layer) {
        case "global":
            config = parseGlobalConfig(reader, name.env);
            break;
        case "common":
            config = parseCommonConfig(reader, name.env);
            break;
        case "service":
            config = parseServiceConfig(reader, name.env, name.service ?? "");
            break;
    }
    problems.throwIfAny(stack);
    return config;
}
