import { ProblemError } from "../problems";
import { Owner } from "./environment";

/** A name that cannot be a valid name: a ProblemError of kind NameError whose message says which name and why. */
function nameError(message: string): ProblemError {
    return new ProblemError("NameError", message, []);
}

/**
 * The longest name each kind of resource accepts. `default` is the limit of the AWS `Name` tag
 * value (256) less one; every other entry is the tighter limit of a specific API.
 */
export const NAME_LIMITS = {
    /** AWS `Name` tag values and most resources without a tighter limit. */
    default: 255,
    /** Kubernetes object names (DNS-1123 label) and label values. */
    kubernetes: 63,
    /** IAM role names. */
    iamRole: 64,
    /** IAM policy names. */
    iamPolicy: 128,
    /** EKS cluster names. */
    eksCluster: 100,
    /** EKS managed node group names. */
    eksNodeGroup: 63,
    /** Load balancer names (NLB/ALB). */
    loadBalancer: 32,
    /** Security group names. */
    securityGroup: 255,
    /** CloudWatch log group names. */
    logGroup: 512,
    /** KMS alias names, without the `alias/` prefix. */
    kmsAlias: 250,
} as const;

/** A kind of resource with its own name length limit. */
export type NameKind = keyof typeof NAME_LIMITS;

/** One lower-case word or several joined by single `-`: `vpc`, `private-subnet`, `customer-svc`. */
const SEGMENT = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** An environment name: lower-case letters and digits, starting with a letter, no `-`. */
const ENV = /^[a-z][a-z0-9]*$/;

/** What a name is made of: `${env}-${service}-${type}[-${index}]`. */
export interface NameParts {
    readonly env: string;
    readonly service: string;
    /** The resource type, e.g. `vpc`, `private-subnet`, `eks-cluster`. */
    readonly type: string;
    /** The index, from 0, when there are several resources of a kind. */
    readonly index?: number;
    /** The kind of resource, for its length limit. @default "default" */
    readonly kind?: NameKind;
}

/** Why `value` cannot be a segment of a name, or undefined when it can. */
function segmentProblem(value: string): string | undefined {
    if (value.length === 0) {
        return "it is empty";
    }
    if (/[A-Z]/.test(value)) {
        return "upper case is not allowed";
    }
    if (/[^a-z0-9-]/.test(value)) {
        const bad = [...new Set(value.replace(/[a-z0-9-]/g, ""))].join("");
        return `characters outside [a-z0-9-] are not allowed (${JSON.stringify(bad)})`;
    }
    if (!SEGMENT.test(value)) {
        return "it must not start or end with '-' or contain '--'";
    }
    return undefined;
}

/**
 * The physical name of a resource: `${env}-${service}-${type}`, or `${env}-${service}-${type}-${index}`
 * when there are several of a kind (README "Conventions").
 *
 * @throws ProblemError (kind NameError) when a part is not lower-case `[a-z0-9-]`, the index is not a whole number
 *   from 0, or the name is longer than the resource kind allows.
 */
export function resourceName(parts: NameParts): string {
    const { env, service, type, index } = parts;
    const kind: NameKind = parts.kind ?? "default";
    const name = [env, service, type, ...(index === undefined ? [] : [String(index)])].join("-");
    const problems: string[] = [];
    if (!ENV.test(env)) {
        problems.push(
            `environment ${JSON.stringify(env)} must be lower-case letters and digits, starting with a letter`,
        );
    }
    for (const [label, value] of [
        ["service", service],
        ["type", type],
    ] as const) {
        const problem = segmentProblem(value);
        if (problem) {
            problems.push(`${label} ${JSON.stringify(value)}: ${problem}`);
        }
    }
    if (index !== undefined && !(Number.isInteger(index) && index >= 0)) {
        problems.push(`index ${index} must be a whole number from 0`);
    }
    const limit = NAME_LIMITS[kind];
    if (name.length > limit) {
        problems.push(`it is ${name.length} characters long; ${kind} names allow at most ${limit}`);
    }
    if (problems.length > 0) {
        throw nameError(`invalid name ${JSON.stringify(name)}: ${problems.join("; ")}`);
    }
    return name;
}

/**
 * A name function bound to one owner, so a component only says the type (and index):
 * `const name = namer(owner); name("vpc") === "dev-global-vpc"`.
 */
export function namer(owner: Owner): (type: string, index?: number, kind?: NameKind) => string {
    return (type, index, kind) =>
        resourceName({ env: owner.environment.env, service: owner.service, type, index, kind });
}

/** The DNS-1123 label rule that Kubernetes applies to namespaces, services and most names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot be a Kubernetes object name (DNS-1123 label, at most 63 characters), or undefined. */
export function kubernetesNameProblem(name: string): string | undefined {
    if (name.length > NAME_LIMITS.kubernetes) {
        return `it is ${name.length} characters long; at most ${NAME_LIMITS.kubernetes} are allowed`;
    }
    if (!DNS1123_LABEL.test(name)) {
        return "it must be lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123)";
    }
    return undefined;
}

/**
 * Checks a Kubernetes object name (DNS-1123 label, at most 63 characters) and returns it.
 * @throws ProblemError (kind NameError) naming the object and the rule it breaks.
 */
export function kubernetesName(name: string, what = "Kubernetes name"): string {
    const problem = kubernetesNameProblem(name);
    if (problem !== undefined) {
        throw nameError(`invalid ${what} ${JSON.stringify(name)}: ${problem}`);
    }
    return name;
}

/** Whether `name` follows `${env}-${service}-${type}[-${index}]` for this owner. */
export function followsNaming(name: string, owner: Pick<Owner, "service"> & { env: string }): boolean {
    const prefix = `${owner.env}-${owner.service}-`;
    return name.startsWith(prefix) && SEGMENT.test(name.slice(prefix.length));
}

/**
 * The name of an environment's EKS cluster. The global stack reserves it (its subnets are tagged
 * `kubernetes.io/cluster/<name>`) and the common stack creates the cluster under it.
 */
export function clusterNameFor(env: string): string {
    return resourceName({ env, service: "common", type: "eks-cluster", kind: "eksCluster" });
}
