import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { z } from "zod";
import { COMMON_LAYER_SHAPE, CommonConfig, CommonValues, parseCommonConfig } from "./common/config";
import { decodeValue } from "./schema/decode";
import { GLOBAL_SHAPE, GlobalConfig, GlobalValues, parseGlobalConfig } from "./global/config";
import { KeyShape, nearest } from "@platform/components/config";
import { KeySpec, LAYERS, Layer, keySpecs } from "./schema/keys";
import { parseKeys } from "./schema/parse";
import { ConfigProblems, Problem, configError } from "./schema/problems";
import { SERVICE_LAYER_SHAPE, ServiceConfig, ServiceValues, parseServiceConfig } from "./service/config";
import { SHARED_SHAPE } from "./schema/shared";
import { LAYER_CHOICES, layerOfStackName, parseStackName } from "./schema/stack";

export * from "./schema/keys";
export * from "./schema/problems";
export { GlobalConfig } from "./global/config";
export { CommonConfig } from "./common/config";
export { ServiceConfig } from "./service/config";

/** The config namespace of the project's keys (the project name). */
export const NAMESPACE = "platform";

/** The keys each layer reads (`layer` itself is read before the layer is known). */
const LAYER_SHAPES: Readonly<Record<Layer, KeyShape>> = {
    global: GLOBAL_SHAPE,
    common: COMMON_LAYER_SHAPE,
    service: SERVICE_LAYER_SHAPE,
};

/**
 * Every key the program reads, in the order Pulumi.yaml declares them: the shared keys, then each
 * layer's in layer order, each key once (a key that two layers compose, such as kmsKeyAdminArns,
 * where the first declares it), with the layers that read it.
 */
export const ALL_KEYS: readonly KeySpec[] = (() => {
    const layersOf = (key: string): Layer[] =>
        key === "layer" ? [...LAYERS] : LAYERS.filter((l) => key in LAYER_SHAPES[l]);
    const shapes: KeyShape[] = [SHARED_SHAPE, ...LAYERS.map((l) => LAYER_SHAPES[l])];
    const seen = new Set<string>();
    const keys: KeySpec[] = [];
    for (const shape of shapes) {
        for (const spec of keySpecs(shape)) {
            if (!seen.has(spec.key)) {
                seen.add(spec.key);
                keys.push(keySpecs({ [spec.key]: shape[spec.key] }, layersOf(spec.key))[0]);
            }
        }
    }
    return keys;
})();

/**
 * The JSON Schema of a layer's stack config (short keys, as a stack file sets them under
 * `platform:`), each key with its description, the layers that read it, whether it is secret and
 * the layers that require it.
 */
export function layerJsonSchema(layer: Layer): Record<string, unknown> {
    const keys = ALL_KEYS.filter((k) => k.layers.includes(layer)).map((k) => [
        k.key,
        k.schema.meta({
            description: k.description,
            layers: k.layers,
            ...(k.secret ? { secret: true } : {}),
            ...(k.requiredIn ? { requiredIn: k.requiredIn } : {}),
        }),
    ]);
    const schema = z.strictObject(Object.fromEntries(keys) as KeyShape).meta({
        title: `platform config of a ${layer} stack`,
        description: `The keys a ${layer} stack sets under platform: in its Pulumi.<stack>.yaml; generated from the config key declarations by npm run gen.`,
    });
    return z.toJSONSchema(schema, {
        io: "input",
        unrepresentable: "any",
        // `requiredIn` says it per layer; the declaration's flag is not a JSON Schema keyword.
        override: (ctx) => {
            Reflect.deleteProperty(ctx.jsonSchema, "mandatory");
        },
    });
}

/** The validated config of a stack, by layer. */
export type PlatformConfig = GlobalConfig | CommonConfig | ServiceConfig;

/** Where a layer's keys are set, for messages: `Pulumi.dev.yaml`. */
function stackFileOf(layer: Layer, env: string): string {
    return layer === "global"
        ? `Pulumi.${env}.yaml`
        : layer === "common"
          ? `Pulumi.${env}-common.yaml`
          : `each Pulumi.${env}-<service>.yaml`;
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
    problems: ConfigProblems,
    setInStackFile: ReadonlySet<string> | undefined,
): void {
    for (const spec of ALL_KEYS) {
        const text = raw[spec.key];
        if (spec.layers.includes(layer) || text === undefined) {
            continue;
        }
        const decoded = decodeValue(spec.type, text);
        const value = "value" in decoded ? decoded.value : text;
        if (setInStackFile?.has(spec.key) || !isDeepStrictEqual(value, spec.default)) {
            const files = spec.layers.map((l) => stackFileOf(l, env)).join(" and ");
            const owners = `${spec.layers.join(" and ")} layer${spec.layers.length > 1 ? "s" : ""}`;
            problems.add(
                spec.key,
                value,
                `not read by the ${layer} layer; it belongs to the ${owners}: set it in ${files} instead`,
            );
        }
    }
}

/**
 * The problems of the keys a stack file writes without a namespace (`replicas: 2`, by key with
 * its value): Pulumi reads them as the project's (`platform:replicas`), but the plan and the
 * checks that read a stack file by key name look for `platform:<key>`; each is refused, naming how
 * to write it (or, for a key the project does not have, the nearest one).
 */
export function unnamespacedKeyProblems(keys: Readonly<Record<string, unknown>>): Problem[] {
    const known = ALL_KEYS.map((k) => k.key);
    return Object.keys(keys)
        .sort()
        .map((key) => {
            const guess = known.includes(key) ? key : nearest(key, known);
            const fix = known.includes(key)
                ? `write it as ${NAMESPACE}:${key}`
                : `it is not a key of the project either; ${guess ? `did you mean ${NAMESPACE}:${guess}? ` : ""}the keys are declared in Pulumi.yaml`;
            return {
                path: key,
                value: keys[key],
                message: `a key without the ${NAMESPACE}: namespace; every key of a stack file is written ${NAMESPACE}:<key> (the plan and the checks of a stack file read it by that name); ${fix}`,
            };
        });
}

/**
 * Validates one stack's config: `raw` maps every `platform:` key that the stack (or the engine,
 * from Pulumi.yaml's defaults) sets to its string form, as `pulumi.Config.get` returns it.
 * Secret keys come as Outputs in `secrets` (their plain text never passes through here);
 * `plaintextSecrets` names the secret keys a stack set without `--secret`, which are refused;
 * `setInStackFile` the keys its stack file sets (a key of another layer there is refused even at its
 * default value).
 * Each key is checked by its layer's schema (parseKeys), then the layer's checks across keys run.
 * Pure: collects every problem and throws one config error (ProblemError, kind ConfigError)
 * naming each key, the stack, the bad value and what is allowed.
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
        problems.add(
            key,
            "[hidden]",
            `a secret set in plain text in the stack file; set it with pulumi config set --secret ${key} <value>`,
        );
    }
    // Whether the stack sets a key itself: its file says, when it could be read; else the engine's
    // text, unless that is Pulumi.yaml's empty default.
    const isSet = (key: string): boolean => setInStackFile?.has(key) ?? (raw[key] ?? "") !== "";
    const layerValue = raw.layer ?? "";
    const layerHint = `allowed: ${LAYER_CHOICES}; stack "${stack}" is named as a ${layerOfStackName(stack)} stack`;
    if (layerValue === "") {
        const empty = isSet("layer");
        problems.add(
            "layer",
            empty ? "" : undefined,
            `${empty ? "empty; " : ""}required; ${layerHint}: set platform:layer: ${layerOfStackName(stack)} in Pulumi.${stack}.yaml`,
        );
        problems.throwIfAny(stack);
    }
    const layer = LAYERS.find((l) => l === layerValue);
    if (layer === undefined) {
        problems.add("layer", layerValue, `unknown layer; ${layerHint}`);
        throw configError(stack, problems.all);
    }
    const reported = problems.all.length;
    const name = parseStackName(stack, layer, problems);
    if (problems.all.length > reported) {
        // The layer and the stack's name disagree: every key would be checked against the wrong layer.
        problems.throwIfAny(stack);
    }
    foreignKeyProblems(layer, name.env, raw, problems, setInStackFile);
    const parsed = parseKeys(LAYER_SHAPES[layer], raw, stack, problems, isSet);
    const context = { stack, problems, refused: parsed.refused, secrets };
    let config: PlatformConfig;
    switch (layer) {
        case "global":
            config = parseGlobalConfig(parsed.values as GlobalValues, context, name.env);
            break;
        case "common":
            config = parseCommonConfig(parsed.values as CommonValues, context, name.env);
            break;
        case "service":
            config = parseServiceConfig(parsed.values as ServiceValues, context, name.env, name.service ?? "");
            break;
    }
    problems.throwIfAny(stack);
    return config;
}
