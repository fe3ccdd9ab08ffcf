/**
 * The Gateway API's CRDs that ambient mode needs: a waypoint is a `Gateway` of class
 * `istio-waypoint`, and routing in ambient mode is an `HTTPRoute`. Istio 1.30 needs the v1.5.x
 * CRDs (with older ones istiod does not see TLSRoute and ReferenceGrant: Istio 1.30 upgrade notes,
 * https://istio.io/latest/news/releases/1.30.x/announcing-1.30/upgrade-notes/); most clusters do not
 * come with them (https://istio.io/latest/docs/ambient/install/helm/). The standard channel of
 * v1.5.1 is vendored unchanged in ./gateway-api/ (its SOURCE.md names the repository, tag and
 * commit): the CRDs and the ValidatingAdmissionPolicy that refuses a later downgrade below v1.5 or
 * experimental CRDs over standard ones, exactly what the release's `standard-install.yaml` holds.
 * Pure: this module reads and checks the files; the mesh component creates the objects.
 */
import * as path from "path";
import { vendoredDocuments } from "../vendored";

/** The Gateway API release of the vendored CRDs. */
export const GATEWAY_API_VERSION = "v1.5.1";

/** The folder of the vendored files (copied beside the compiled module by the package's build). */
export const GATEWAY_API_DIR = path.join(__dirname, "gateway-api");

/** The kinds the standard install holds, in the order they are applied (policies before their binding). */
export const GATEWAY_API_KINDS = [
    "CustomResourceDefinition",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
] as const;
export type GatewayApiKind = (typeof GATEWAY_API_KINDS)[number];

/** One object of the standard install, as upstream writes it. */
export interface GatewayApiObject {
    readonly kind: GatewayApiKind;
    readonly apiVersion: string;
    /** Its name (cluster-scoped), also its logical name. */
    readonly name: string;
    /** Upstream's annotations (bundle version, channel, API approval). */
    readonly annotations: Readonly<Record<string, string>>;
    readonly spec: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

const cache = new Map<string, readonly GatewayApiObject[]>();

/**
 * Every object of the vendored standard install in `dir`, CRDs first then the admission policy
 * and its binding, each group by name. Throws naming the file when a document is not one of the
 * expected kinds or carries another bundle version than GATEWAY_API_VERSION (a partial update of
 * the folder). Read once per folder.
 */
export function gatewayApiObjects(dir: string = GATEWAY_API_DIR): readonly GatewayApiObject[] {
    const cached = cache.get(dir);
    if (cached !== undefined) {
        return cached;
    }
    const objects: GatewayApiObject[] = [];
    for (const doc of vendoredDocuments(dir)) {
        const kind = GATEWAY_API_KINDS.find((k) => k === doc.kind);
        const { name, annotations } = doc;
        if (kind === undefined || typeof name !== "string" || !isObject(doc.spec)) {
            throw new Error(`${doc.file}: not a Gateway API CRD or admission policy`);
        }
        // The CRDs carry the release; the admission policy keeps its `-dev` stamp upstream.
        const version = annotations["gateway.networking.k8s.io/bundle-version"];
        if (kind === "CustomResourceDefinition" && version !== GATEWAY_API_VERSION) {
            throw new Error(`${doc.file}: bundle version ${version}, expected ${GATEWAY_API_VERSION}`);
        }
        objects.push({ kind, apiVersion: String(doc.apiVersion), name, annotations, spec: doc.spec });
    }
    objects.sort(
        (a, b) => GATEWAY_API_KINDS.indexOf(a.kind) - GATEWAY_API_KINDS.indexOf(b.kind) || a.name.localeCompare(b.name),
    );
    cache.set(dir, objects);
    return objects;
}
