// Runs the policy pack (policy/policies.ts) over a stack's recorded resources offline, as
// `pulumi preview --policy-pack policy` would: validateResource for each resource, then
// validateStack over all of them. Used by the policy tests and by `npm run plan`.
import type {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { typeTokenOfClass } from "../infra/sdk";
import { POLICIES } from "../policy/policies";
import { RecordedResource } from "./recorder";

/** The packs read no config: getConfig, in @pulumi/policy's generic signature, returns an empty object. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the SDK's signature, not ours
const noConfig = <T extends object>(): T => ({}) as T;

/** One violation a policy reported. */
export interface PolicyViolation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource's type and logical name; undefined for a violation of the whole stack. */
    readonly type?: string;
    readonly resource?: string;
    readonly message: string;
}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** Thrown by `notApplicable()`: the policy does not apply to this resource or stack. */
class NotApplicable extends Error {}

/** The resource options a policy sees, from the recorded ones. */
function options(r: RecordedResource): PolicyResourceOptions {
    const o = r.options;
    return {
        protect: o.protect,
        ignoreChanges: [...o.ignoreChanges],
        ...(o.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
        aliases: [],
        additionalSecretOutputs: [...o.additionalSecretOutputs],
        // No policy of the pack reads timeouts, and the program sets none.
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** The typed-class helpers of the policy SDK, by the class's type token. */
function typeHelpers(type: string, props: Record<string, unknown>) {
    const isType = (cls: new (...rest: any[]) => unknown) => typeTokenOfClass(cls) === type;
    return { isType, asType: (cls: new (...rest: any[]) => unknown) => (isType(cls) ? (props as any) : undefined) };
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** Runs `fn`, ignoring a notApplicable(); other errors name the policy. */
async function guarded(policy: Policy, fn: () => Promise<void> | void): Promise<void> {
    try {
        await fn();
    } catch (err) {
        if (err instanceof NotApplicable) {
            return;
        }
        throw new Error(`policy ${policy.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
}

/**
 * Runs `policies` (default: the whole pack) over `resources` and returns every violation, in
 * order: resource policies per resource, then stack policies. The provider of a resource is the
 * recorded `pulumi:providers:*` of its name; stack props are the recorded inputs (the mocks echo
 * inputs as outputs).
 */
export async function runPolicies(
    resources: readonly RecordedResource[],
    policies: readonly Policy[] = POLICIES,
): Promise<PolicyViolation[]> {
    const violations: PolicyViolation[] = [];
    const stackTags = new Map<string, string>();
    const providerOf = (r: RecordedResource): PolicyProviderResource | undefined => {
        const p = resources.find(
            (x) =>
                x.type.startsWith("pulumi:providers:") &&
                x.name === r.provider &&
                x.type.endsWith(`:${r.type.split(":")[0]}`),
        );
        return p && { type: p.type, name: p.name, urn: p.urn, props: p.inputs };
    };
    // What resource and stack validations both see of a resource.
    const common = (r: RecordedResource) => ({
        type: r.type,
        props: r.inputs,
        urn: r.urn,
        name: r.name,
        opts: options(r),
        provider: providerOf(r),
        ...typeHelpers(r.type, r.inputs),
    });
    for (const policy of policies) {
        const level = policy.enforcementLevel ?? "advisory";
        if (level === "disabled" || !("validateResource" in policy) || !policy.validateResource) {
            continue;
        }
        const validations = Array.isArray(policy.validateResource)
            ? policy.validateResource
            : [policy.validateResource];
        for (const r of resources) {
            const report: ReportViolation = (message) =>
                violations.push({
                    policy: policy.name,
                    enforcementLevel: level,
                    type: r.type,
                    resource: r.name,
                    message,
                });
            const args: ResourceValidationArgs = {
                ...common(r),
                stackTags,
                getConfig: noConfig,
                notApplicable,
            } as ResourceValidationArgs;
            for (const validate of validations) {
                await guarded(policy, () => validate(args, report));
            }
        }
    }
    // Stack policies see every resource with its parent and dependencies resolved.
    const byName = new Map<string, PolicyResource>();
    const stackResources: PolicyResource[] = resources.map((r) => {
        const pr = {
            ...common(r),
            dependencies: [] as PolicyResource[],
            propertyDependencies: {},
        } as unknown as PolicyResource;
        if (!byName.has(r.name)) {
            byName.set(r.name, pr);
        }
        return pr;
    });
    resources.forEach((r, i) => {
        const pr = stackResources[i] as { parent?: PolicyResource; dependencies: PolicyResource[] };
        pr.parent = r.parent ? byName.get(r.parent) : undefined;
        pr.dependencies.push(
            ...r.dependsOn.map((d) => byName.get(d)).filter((d): d is PolicyResource => d !== undefined),
        );
    });
    for (const policy of policies) {
        const level = policy.enforcementLevel ?? "advisory";
        if (level === "disabled" || !("validateStack" in policy)) {
            continue;
        }
        const args: StackValidationArgs = { resources: stackResources, stackTags, getConfig: noConfig, notApplicable };
        await guarded(policy, () =>
            policy.validateStack(args, (message, urn) => {
                const r = urn ? resources.find((x) => x.urn === urn) : undefined;
                violations.push({
                    policy: policy.name,
                    enforcementLevel: level,
                    type: r?.type,
                    resource: r?.name,
                    message,
                });
            }),
        );
    }
    return violations;
}

/** One line per violation: `[policy] type name: message`. */
export function formatPolicyViolation(v: PolicyViolation): string {
    return `[${v.policy}] ${v.type ? `${v.type} ${v.resource}` : "stack"}: ${v.message}`;
}
