/**
 * The image-pinning rule, decided here once and used by the config layer and the Service
 * component (components/service/checks.ts `checkImage`) and by the policy pack
 * (policy/kubernetes.ts `unpinnedReason`, rule k8s-pinned-images). A pinned image is either
 *
 * - a digest: the reference ends in `@sha256:` and 64 lower-case hex digits
 *   (`registry.example.com/app@sha256:<64 hex>`, also `app:1.2@sha256:<64 hex>`); or
 * - a tag, when there is no `@`: the last path segment ends in `:<tag>`, the tag not empty and not
 *   `latest` (`registry.example.com:5000/app:1.4.2`; the registry's port is not a tag).
 *
 * Not pinned: no tag (`app`, `registry:5000/app`, which mean latest), an empty tag (`app:`), the
 * tag `latest`, and any other `@` form (`app@sha256:abc`, a short or upper-case digest, another
 * algorithm), since only a full sha256 digest names one image.
 */

/** A full sha256 digest at the end of a reference. */
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Why an image reference is not pinned. */
export type ImagePinFault = "no image" | "malformed digest" | "no tag" | "latest";

/** Why `image` is not pinned, or undefined when it is (see the rule above). */
export function imagePinFault(image: string): ImagePinFault | undefined {
    if (image === "") {
        return "no image";
    }
    if (DIGEST.test(image)) {
        return undefined;
    }
    if (image.includes("@")) {
        return "malformed digest";
    }
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0 || colon === lastSegment.length - 1) {
        return "no tag";
    }
    return lastSegment.slice(colon + 1) === "latest" ? "latest" : undefined;
}
