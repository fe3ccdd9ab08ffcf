import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RESERVED_SERVICE_NAMES, imagePinFault } from "../components/conventions";
import { GATEWAY_NAMESPACE } from "../components/mesh/specs";
import { systemNamespaceOwner } from "../components/service/system-namespaces";
import { serviceNamespaces } from "./mesh";
import { isKind, kubernetesType, list, obj, objectRef } from "./util";

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
    Pod: ["spec"],
    Deployment: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The pod spec of a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), or undefined. */
export function podSpecOf(type: string, props: Record<string, any>): Record<string, any> | undefined {
    const t = kubernetesType(type);
    const path = t && ["", "apps", "batch"].includes(t.group) ? POD_SPEC_PATHS[t.kind] : undefined;
    if (!path) {
        return undefined;
    }
    let node: unknown = props;
    for (const key of path) {
        node = obj(node)?.[key];
    }
    return obj(node) ?? {};
}

/** Every container of a pod spec, init containers included, with a label for messages. */
function containersOf(pod: Record<string, any>): { label: string; c: Record<string, any> }[] {
    return [
        ...list(pod.initContainers).map((c) => ({ label: `init container "${obj(c)?.name}"`, c: obj(c) ?? {} })),
        ...list(pod.containers).map((c) => ({ label: `container "${obj(c)?.name}"`, c: obj(c) ?? {} })),
    ];
}

/** Why an image reference is not pinned, or undefined when it is: the rule of components/conventions/images.ts. */
export function unpinnedReason(image: unknown): string | undefined {
    switch (typeof image === "string" ? imagePinFault(image) : "no image") {
        case undefined:
            return undefined;
        case "no image":
            return "has no image";
        case "no tag":
            return `image ${JSON.stringify(image)} has no tag (it means latest)`;
        case "latest":
            return `image ${JSON.stringify(image)} uses the mutable tag latest`;
        case "malformed digest":
            return `image ${JSON.stringify(image)} has a malformed digest (a pinned digest is @sha256: and 64 hex digits)`;
    }
}

export const pinnedImages: ResourceValidationPolicy = {
    name: "k8s-pinned-images",
    description: "Every container image is pinned: a version tag or a digest, never latest or no tag.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podSpecOf(args.type, args.props);
        for (const { label, c } of pod ? containersOf(pod) : []) {
            const reason = unpinnedReason(c.image);
            if (reason) {
                report(`${label} ${reason}: pin a version tag or a digest`);
            }
        }
    },
};

/**
 * What a container's effective security context lacks against the hardened baseline
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted): the pod's
 * `securityContext` supplies `runAsNonRoot` and `seccompProfile` when the container does not.
 */
export function securityContextProblems(pod: Record<string, any>, container: Record<string, any>): string[] {
    const podSc = obj(pod.securityContext) ?? {};
    const sc = obj(container.securityContext) ?? {};
    const problems: string[] = [];
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) {
        problems.push("runAsNonRoot: true");
    }
    if (sc.readOnlyRootFilesystem !== true) {
        problems.push("readOnlyRootFilesystem: true");
    }
    if (sc.allowPrivilegeEscalation !== false) {
        problems.push("allowPrivilegeEscalation: false");
    }
    if (!list(obj(sc.capabilities)?.drop).includes("ALL")) {
        problems.push('capabilities.drop: ["ALL"]');
    }
    const seccomp = obj(sc.seccompProfile) ?? obj(podSc.seccompProfile);
    if (seccomp?.type !== "RuntimeDefault" && seccomp?.type !== "Localhost") {
        problems.push("seccompProfile.type: RuntimeDefault");
    }
    return problems;
}

export const hardenedSecurityContext: ResourceValidationPolicy = {
    name: "k8s-hardened-security-context",
    description:
        "Every container runs as non-root, with a read-only root filesystem, no privilege escalation, all capabilities dropped and the RuntimeDefault seccomp profile.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podSpecOf(args.type, args.props);
        if (!pod) {
            return;
        }
        for (const { label, c } of containersOf(pod)) {
            const problems = securityContextProblems(pod, c);
            if (problems.length > 0) {
                report(`${label} is not hardened: its securityContext needs ${problems.join(", ")}`);
            }
        }
    },
};

export const requestsAndLimits: ResourceValidationPolicy = {
    name: "k8s-requests-and-limits",
    description: "Every container sets CPU and memory requests and limits.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const pod = podSpecOf(args.type, args.props);
        for (const { label, c } of pod ? containersOf(pod) : []) {
            const res = obj(c.resources) ?? {};
            const missing = (["requests", "limits"] as const).flatMap((kind) =>
                ["cpu", "memory"].filter((r) => obj(res[kind])?.[r] === undefined).map((r) => `${kind}.${r}`),
            );
            if (missing.length > 0) {
                report(`${label} does not set resources ${missing.join(", ")}`);
            }
        }
    },
};

/**
 * Whether a NetworkPolicy denies all ingress to every pod of its namespace: an empty podSelector,
 * `Ingress` among its policyTypes and no ingress rule.
 */
export function isDefaultDenyIngress(props: Record<string, any>): boolean {
    const spec = obj(props.spec) ?? {};
    const selector = obj(spec.podSelector) ?? {};
    const selectsAll =
        Object.keys(obj(selector.matchLabels) ?? {}).length === 0 && list(selector.matchExpressions).length === 0;
    return selectsAll && list(spec.policyTypes).includes("Ingress") && list(spec.ingress).length === 0;
}

export const defaultDenyNetworkPolicy: StackValidationPolicy = {
    name: "k8s-default-deny-network-policy",
    description:
        "Every service namespace has a NetworkPolicy denying all ingress (empty podSelector, policyTypes Ingress, no rule), the L3/L4 fence for what bypasses the mesh.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter((r) => isKind(r.type, "networking.k8s.io", "NetworkPolicy"));
        for (const ns of serviceNamespaces(args.resources)) {
            if (!policies.some((p) => obj(p.props.metadata)?.namespace === ns.name && isDefaultDenyIngress(p.props))) {
                report(
                    `namespace ${ns.name} has no default-deny NetworkPolicy: add one with podSelector {}, policyTypes [Ingress] and no ingress rule, then allow the callers' namespaces`,
                    ns.urn,
                );
            }
        }
    },
};

/**
 * Whether an object of a service may live in a system namespace: only an exposed host's
 * Certificate, in the ingress gateway's namespace, where the gateway's Envoy reads its Secret.
 */
function systemNamespaceException(type: string, namespace: string): boolean {
    return isKind(type, "cert-manager.io", "Certificate") && namespace === GATEWAY_NAMESPACE;
}

export const serviceOutsideSystemNamespaces: ResourceValidationPolicy = {
    name: "k8s-service-not-in-system-namespace",
    description:
        "No object of a service stack is, or lives in, a namespace of Kubernetes (default, kube-*), Istio (istio-*) or the common layer, except an exposed host's Certificate in the gateway's namespace: a service's policies there would apply to the platform's own workloads.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const t = kubernetesType(args.type);
        const md = obj(args.props.metadata) ?? {};
        const service = obj(md.labels)?.["owner-service"];
        if (!t || typeof service !== "string" || RESERVED_SERVICE_NAMES.includes(service)) {
            return;
        }
        const namespace = t.group === "" && t.kind === "Namespace" ? md.name : md.namespace;
        const owner = typeof namespace === "string" ? systemNamespaceOwner(namespace) : undefined;
        if (owner !== undefined && !systemNamespaceException(args.type, String(namespace))) {
            report(
                `${t.kind} ${objectRef(args.props)} belongs to service ${service} (label owner-service), but ${owner}: a service's objects belong in its own namespace`,
            );
        }
    },
};

export const KUBERNETES_POLICIES = [
    pinnedImages,
    hardenedSecurityContext,
    requestsAndLimits,
    defaultDenyNetworkPolicy,
    serviceOutsideSystemNamespaces,
];
