/**
 * The namespace's quota against what the service runs at its most: the pods of each version and
 * the resources each pod takes.
 */
import type { PodOverhead } from "../mesh/dataplane";
import { Problem } from "../problems";
import { formatCpu, formatMemory, parseQuantity } from "./quantity";
import { ServiceSettings } from "./types";

/** The extra pods a version's Deployment runs during a rollout (its `maxSurge`; `maxUnavailable` is 0). */
export const ROLLOUT_SURGE_PODS = 1;

/** The most pods each version runs: its autoscaler's maximum (or its replicas), plus a rollout's surge. */
export function maxPodsPerVersion(
    s: Pick<ServiceSettings, "versions" | "replicas" | "autoscaling">,
): { version: string; pods: number }[] {
    return s.versions.map((v) => ({
        version: v.name,
        pods: (s.autoscaling ? s.autoscaling.maxReplicas : (v.replicas ?? s.replicas)) + ROLLOUT_SURGE_PODS,
    }));
}

/**
 * Whether the namespace's quota admits the service at its most: every version at its autoscaler's
 * maximum (or its fixed replicas) plus the pod a rollout adds, each pod counting its container and
 * what the data plane runs beside it (`overhead`: the Istio sidecar, components/mesh/dataplane.ts;
 * none in ambient mode, whose ztunnel runs per node).
 * A quota too small would silently stop the autoscalers (`exceeded quota`), so it is refused,
 * naming the quota key, what is needed, how it is computed and the fix.
 */
export function quotaProblems(s: ServiceSettings, overhead: PodOverhead | undefined): Problem[] {
    const perVersion = maxPodsPerVersion(s);
    const pods = perVersion.reduce((sum, v) => sum + v.pods, 0);
    if (s.versions.length === 0 || !Number.isInteger(pods)) {
        return [];
    }
    const at = s.autoscaling ? "at its autoscalers' maximum during a rollout" : "at its replicas during a rollout";
    const lower = s.autoscaling ? "autoscaling.maxReplicas" : "the replicas";
    const breakdown = `${pods} pods (${perVersion.map((v) => `${v.version} ${v.pods}`).join(", ")})`;
    const problems: Problem[] = [];
    if (pods > s.quota.pods) {
        problems.push({
            path: "quota.pods",
            value: s.quota.pods,
            message: `the service needs ${breakdown} ${at}; raise it to at least ${pods}, or lower ${lower}`,
        });
    }
    const checks = [
        {
            key: "requestsCpu",
            resource: "cpuRequest",
            overhead: overhead?.requests.cpu,
            format: (n: number) => `${formatCpu(n)} CPU`,
        },
        {
            key: "limitsCpu",
            resource: "cpuLimit",
            overhead: overhead?.limits.cpu,
            format: (n: number) => `${formatCpu(n)} CPU`,
        },
        {
            key: "requestsMemory",
            resource: "memoryRequest",
            overhead: overhead?.requests.memory,
            format: (n: number) => `${formatMemory(n)} of memory`,
        },
        {
            key: "limitsMemory",
            resource: "memoryLimit",
            overhead: overhead?.limits.memory,
            format: (n: number) => `${formatMemory(n)} of memory`,
        },
    ] as const;
    for (const c of checks) {
        const quota = parseQuantity(s.quota[c.key]);
        const container = parseQuantity(s.resources[c.resource]);
        const sidecar = c.overhead === undefined ? 0 : (parseQuantity(c.overhead) ?? 0);
        if (quota === undefined || container === undefined) {
            continue; // reported as not a quantity
        }
        // Compared in thousandths (millicores, millibytes), so 3 × (200m + 100m) is exactly 900m.
        const needed = Math.round(pods * (container + sidecar) * 1000) / 1000;
        if (Math.round(quota * 1000) < Math.round(needed * 1000)) {
            const perPod =
                overhead === undefined || c.overhead === undefined
                    ? `resources.${c.resource} ${s.resources[c.resource]}`
                    : `(resources.${c.resource} ${s.resources[c.resource]} + ${overhead.name}'s ${c.overhead})`;
            problems.push({
                path: `quota.${c.key}`,
                value: s.quota[c.key],
                message:
                    `the service needs ${c.format(needed)} ${at}: ${breakdown} × ${perPod}; ` +
                    `raise it to at least ${c.format(needed).split(" ")[0]}, or lower ${lower} or resources.${c.resource}`,
            });
        }
    }
    return problems;
}
