import { Owner } from "./environment";

/** Optional facts about the workload a Kubernetes object belongs to. */
export interface WorkloadLabels {
    /** `app.kubernetes.io/name`, e.g. `backend`. */
    readonly name?: string;
    /** `app.kubernetes.io/component`, e.g. `mesh`, `monitoring`, `api`. */
    readonly component?: string;
    /** `app.kubernetes.io/version`, e.g. `v1`. */
    readonly version?: string;
}

/** `app.kubernetes.io/part-of` of everything this product creates. */
export const PART_OF = "platform";
/** `app.kubernetes.io/managed-by` of everything this product creates. */
export const MANAGED_BY = "pulumi";

/**
 * Labels of every Kubernetes object: the owner facts that are valid label values
 * (`environment`, `owner-service`, `team-name`) and the recommended `app.kubernetes.io/*` labels.
 * See https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function kubernetesLabels(owner: Owner, workload: WorkloadLabels = {}): Record<string, string> {
    const labels: Record<string, string> = {
        environment: owner.environment.env,
        "owner-service": owner.service,
        "team-name": owner.environment.team,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    };
    if (workload.name !== undefined) {
        labels["app.kubernetes.io/name"] = workload.name;
    }
    if (workload.component !== undefined) {
        labels["app.kubernetes.io/component"] = workload.component;
    }
    if (workload.version !== undefined) {
        labels["app.kubernetes.io/version"] = workload.version;
    }
    return labels;
}

/**
 * Annotations of every Kubernetes object: the owner facts that are not valid label values
 * (an e-mail address, a time zone with `/`, `HH:MM` times), under the same keys as the AWS tags.
 */
export function kubernetesAnnotations(owner: Owner): Record<string, string> {
    const e = owner.environment;
    return {
        contact: e.contact,
        "time-zone": e.timeZone,
        "start-time": e.startTime,
        "stop-time": e.stopTime,
    };
}

/** `metadata` for a Kubernetes object: its name, namespace, labels and annotations. */
export function kubernetesMetadata(
    owner: Owner,
    name: string,
    options: { namespace?: string; workload?: WorkloadLabels; labels?: Record<string, string> } = {},
): { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> } {
    return {
        name,
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        labels: { ...kubernetesLabels(owner, options.workload), ...(options.labels ?? {}) },
        annotations: kubernetesAnnotations(owner),
    };
}
