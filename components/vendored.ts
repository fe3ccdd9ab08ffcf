/**
 * Reading the Kubernetes manifests the package vendors unchanged from upstream (the Gateway API's
 * standard install, the Prometheus operator's CRDs): every YAML document of a folder's `.yaml`
 * files, with the file it came from so that a check can name it. What a folder must hold is its
 * reader's to check (components/mesh/gateway-api.ts, components/observability/crds.ts).
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/** One document of a vendored file, as upstream wrote it. */
export interface VendoredDocument {
    /** The file's path, for messages. */
    readonly file: string;
    readonly apiVersion?: unknown;
    readonly kind?: unknown;
    readonly name?: unknown;
    /** Its annotations (upstream's stamps); none: `{}`. */
    readonly annotations: Record<string, string>;
    readonly spec?: unknown;
}

interface Document {
    readonly apiVersion?: unknown;
    readonly kind?: unknown;
    readonly metadata?: { readonly name?: unknown; readonly annotations?: Record<string, string> };
    readonly spec?: unknown;
}

/** Every non-empty document of the `.yaml` files of `dir`, in file order. */
export function vendoredDocuments(dir: string): VendoredDocument[] {
    const documents: VendoredDocument[] = [];
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
        const file = path.join(dir, name);
        for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8")) as (Document | null | undefined)[]) {
            if (doc === null || doc === undefined) {
                continue;
            }
            documents.push({
                file,
                apiVersion: doc.apiVersion,
                kind: doc.kind,
                name: doc.metadata?.name,
                annotations: doc.metadata?.annotations ?? {},
                spec: doc.spec,
            });
        }
    }
    return documents;
}
