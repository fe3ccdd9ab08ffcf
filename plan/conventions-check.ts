import { TAG_KEYS, followsNaming, missingTags } from "../components/conventions";
import { isTaggableAwsType } from "../policy/taggable";
import { RecordedResource } from "./recorder";

/** A name or tag that breaks the conventions. */
export interface Violation {
    readonly resource: string;
    readonly type: string;
    readonly message: string;
}

// One definition, shared with the policy pack.
export { isTaggableAwsType };

/** The tags an AWS resource ends up with: its provider's `defaultTags` and its own `tags`. */
export function effectiveTags(resource: RecordedResource, all: readonly RecordedResource[]): Record<string, unknown> {
    const provider = all.find((r) => r.type === "pulumi:providers:aws" && r.name === resource.provider);
    const defaults = (provider?.inputs.defaultTags as { tags?: Record<string, unknown> } | undefined)?.tags ?? {};
    return { ...defaults, ...((resource.inputs.tags as Record<string, unknown> | undefined) ?? {}) };
}

/** Labels every Kubernetes object carries. */
const REQUIRED_LABELS = ["environment", "owner-service", "team-name", "app.kubernetes.io/managed-by"];

/**
 * Every name or tag of a stack's resources that breaks the conventions: AWS resources without
 * the explicit provider, taggable AWS resources without all nine tags or with a `Name` not of the
 * form `${env}-${owner-service}-${type}[-${i}]`; Kubernetes objects without the owner labels.
 */
export function conventionViolations(resources: readonly RecordedResource[]): Violation[] {
    const violations: Violation[] = [];
    const add = (r: RecordedResource, message: string) => violations.push({ resource: r.name, type: r.type, message });
    for (const r of resources) {
        if (r.type.startsWith("aws:") && r.custom) {
            if (!r.provider || !resources.some((p) => p.type === "pulumi:providers:aws" && p.name === r.provider)) {
                add(r, "does not use the stack's explicit aws provider");
            }
            if (isTaggableAwsType(r.type)) {
                const tags = effectiveTags(r, resources);
                const missing = missingTags(tags);
                if (missing.length > 0) {
                    add(r, `missing tags: ${missing.join(", ")} (all of ${TAG_KEYS.join(", ")} are required)`);
                }
                const name = tags.Name;
                const env = tags.environment;
                const owner = tags["owner-service"];
                if (typeof name === "string" && typeof env === "string" && typeof owner === "string") {
                    if (!followsNaming(name, { env, service: owner })) {
                        add(r, `Name "${name}" does not follow ${env}-${owner}-<type>[-<index>]`);
                    }
                }
            }
        }
        if (r.type.startsWith("kubernetes:") && r.custom && !r.type.startsWith("kubernetes:helm.sh")) {
            const metadata = (r.inputs.metadata ?? {}) as { labels?: Record<string, string> };
            const missing = REQUIRED_LABELS.filter((l) => !metadata.labels?.[l]);
            if (missing.length > 0) {
                add(r, `missing labels: ${missing.join(", ")}`);
            }
        }
    }
    return violations;
}
