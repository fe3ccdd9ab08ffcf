/**
 * Istio's control-plane revisions as the mesh runs them during an upgrade: each revision with its
 * own Istio release (chart version), and revision tags (`stable`, `canary`, ...) that service
 * namespaces point at instead of a revision, so that moving every namespace to a new control
 * plane is one change of a tag. Istio's canary upgrade with revision tags:
 * https://istio.io/latest/docs/setup/upgrade/canary/#stable-revision-labels
 *
 * A tag is a MutatingWebhookConfiguration `istio-revision-tag-<tag>` calling the injector of the
 * revision it points at, for namespaces (and pods) labelled `istio.io/rev: <tag>`: the objects the
 * istiod chart's `revisionTags` value makes (its templates/revision-tags-mwc.yaml), here made by
 * the mesh itself, one object per tag, so that moving a tag is an update of that object in place.
 * Made by the chart, the object would pass from one Helm release to the other, which Helm refuses
 * while the first release still owns it. Pure functions; nothing here creates a resource.
 */
import type * as k8s from "@pulumi/kubernetes";
import { ISTIO_NAMESPACE } from "./specs";
import { ISTIO_VERSION } from "./versions";
import { IstiodWebhooks, injectionClientConfig } from "./webhooks";

/** An Istio release: `1.<minor>.<patch>`, optionally a pre-release `-alpha.N`, `-beta.N` or `-rc.N`. */
const RELEASE = /^1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-(alpha|beta|rc)\.(0|[1-9][0-9]*))?$/;

/** A parsed Istio release, comparable. */
interface Release {
    readonly minor: number;
    readonly patch: number;
    /** The pre-release's rank (alpha 0, beta 1, rc 2; a release 3) and number. */
    readonly stage: number;
    readonly stageNumber: number;
}

const STAGES = ["alpha", "beta", "rc"];

function parseRelease(version: string): Release | undefined {
    const m = RELEASE.exec(version);
    if (m === null) {
        return undefined;
    }
    const stage = m[3] === undefined ? STAGES.length : STAGES.indexOf(m[3]);
    return { minor: Number(m[1]), patch: Number(m[2]), stage, stageNumber: Number(m[4] ?? 0) };
}

/** Negative, zero or positive as Istio release `a` is older than, the same as or newer than `b`; both valid. */
export function compareIstioReleases(a: string, b: string): number {
    const [x, y] = [parseRelease(a), parseRelease(b)];
    if (x === undefined || y === undefined) {
        throw new Error(`not an Istio release: ${x === undefined ? a : b}`);
    }
    return x.minor - y.minor || x.patch - y.patch || x.stage - y.stage || x.stageNumber - y.stageNumber;
}

/** The newest of the given Istio releases (all valid, at least one). */
export function newestIstioRelease(versions: readonly string[]): string {
    return versions.reduce((a, b) => (compareIstioReleases(a, b) >= 0 ? a : b));
}

/** The pinned release, parsed (components/charts/sources.ts pins an Istio release). */
const PINNED: Release = parseRelease(ISTIO_VERSION) ?? { minor: 0, patch: 0, stage: STAGES.length, stageNumber: 0 };

/**
 * Why `version` cannot be the Istio release of a control plane, or undefined. Allowed: a release
 * of the pinned minor (ISTIO_VERSION) or of the minor before or after it: Istio supports a canary
 * upgrade across one minor, and the charts' values are checked against the pinned minor's.
 * Empty means the pinned release.
 */
export function istioReleaseProblem(version: string): string | undefined {
    if (version === "") {
        return undefined;
    }
    const pinned = PINNED;
    const allowed = `allowed: empty (the pinned ${ISTIO_VERSION}) or an Istio release 1.<minor>.<patch> (optionally -alpha.N, -beta.N, -rc.N) of minor ${pinned.minor - 1}, ${pinned.minor} or ${pinned.minor + 1}, e.g. 1.${pinned.minor + 1}.0`;
    const release = parseRelease(version);
    if (release === undefined) {
        return `not an Istio release; ${allowed}`;
    }
    if (Math.abs(release.minor - pinned.minor) > 1) {
        return `more than one minor from the pinned ${ISTIO_VERSION} (Istio upgrades a control plane one minor at a time); ${allowed}`;
    }
    return undefined;
}

/**
 * Why `version` cannot be the Istio release of the canary control plane `canaryRevision`, or
 * undefined: a release as istioReleaseProblem allows, and only beside a canary (`canaryKey` names
 * the canary's key or argument in the message).
 */
export function canaryReleaseProblem(version: string, canaryRevision: string, canaryKey: string): string | undefined {
    return (
        istioReleaseProblem(version) ??
        (version !== "" && canaryRevision === ""
            ? `a release of a canary control plane that is not there; allowed: empty, or set ${canaryKey} too`
            : undefined)
    );
}

/** A revision tag's name: a DNS label, neither `default` nor a revision of the mesh. */
const TAG = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Why `tag -> revision` cannot be a revision tag of a mesh running `revisions` (the main
 * revision first), or undefined.
 */
export function revisionTagProblem(tag: string, revision: string, revisions: readonly string[]): string | undefined {
    const named = revisions.filter((r) => r !== "");
    const targets =
        named.length === 0 ? "none: set meshRevision first (a tag points at a named revision)" : named.join(", ");
    if (!TAG.test(tag)) {
        return "not a tag name; allowed: a DNS label such as stable or canary (lower-case letters, digits and '-')";
    }
    if (tag === "default") {
        return "the tag 'default' also takes over namespaces labelled istio-injection=enabled and Istio's default validation, which the platform leaves to the main control plane; allowed: another name, e.g. stable";
    }
    if (revisions.includes(tag)) {
        return `the name of a revision of the mesh; a tag and a revision share the label istio.io/rev, so a tag needs a name of its own (e.g. stable)`;
    }
    if (revision === "" || !named.includes(revision)) {
        return `points at a revision the mesh does not run; allowed: ${targets}`;
    }
    return undefined;
}

/** The name of the tag's MutatingWebhookConfiguration, as Istio's chart and istioctl name it. */
export function revisionTagWebhookName(tag: string): string {
    return `istio-revision-tag-${tag}`;
}

/** The webhooks of a revision tag (field names as the Kubernetes API's MutatingWebhook). */
export function revisionTagWebhooks(
    tag: string,
    revision: string,
    webhooks: IstiodWebhooks | undefined,
): k8s.types.input.admissionregistration.v1.MutatingWebhook[] {
    const core = (prefix: string) => ({
        name: `${prefix}sidecar-injector.istio.io`,
        clientConfig: injectionClientConfig(revision, webhooks) ?? {
            service: { name: `istiod-${revision}`, namespace: ISTIO_NAMESPACE, path: "/inject", port: 443 },
        },
        sideEffects: "None",
        rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
        failurePolicy: "Fail",
        reinvocationPolicy: "Never",
        admissionReviewVersions: ["v1"],
    });
    const notOptedOut = { key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] };
    return [
        // A namespace labelled with the tag (and not istio-injection): its pods, unless one opts out.
        {
            ...core("rev.namespace."),
            namespaceSelector: {
                matchExpressions: [
                    { key: "istio.io/rev", operator: "In", values: [tag] },
                    { key: "istio-injection", operator: "DoesNotExist" },
                ],
            },
            objectSelector: { matchExpressions: [notOptedOut] },
        },
        // A pod labelled with the tag in a namespace with neither label.
        {
            ...core("rev.object."),
            namespaceSelector: {
                matchExpressions: [
                    { key: "istio.io/rev", operator: "DoesNotExist" },
                    { key: "istio-injection", operator: "DoesNotExist" },
                ],
            },
            objectSelector: {
                matchExpressions: [notOptedOut, { key: "istio.io/rev", operator: "In", values: [tag] }],
            },
        },
    ];
}

/**
 * The labels Istio reads on a tag's webhook: `istio.io/tag` (istioctl and istiod find tags by it)
 * and `istio.io/rev` (the revision: its istiod keeps the webhook's CA bundle current).
 */
export function revisionTagLabels(tag: string, revision: string): Record<string, string> {
    return { "istio.io/tag": tag, "istio.io/rev": revision, app: "sidecar-injector" };
}
