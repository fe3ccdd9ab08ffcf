/**
 * Closed egress of a service: the external hosts it declares (`externalHosts`) become
 * ServiceEntries in its namespace, visible to that namespace only, and entries of its Sidecar's
 * egress. With the mesh's outbound traffic policy REGISTRY_ONLY, a sidecar refuses every host it
 * has no entry for, so a service reaches exactly its callees and its declared external hosts.
 * REGISTRY_ONLY is enforced by the sidecar, not a security boundary against a process that
 * bypasses it; the namespace's NetworkPolicy cannot tell external hosts apart (docs/service.md).
 * See https://istio.io/latest/docs/reference/config/networking/service-entry/ and
 * https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
 */
import type { IServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry";
import { NamedSpec } from "./policies";
import { ExternalHostSpec, ExternalProtocol } from "./types";

type ModelServiceEntrySpec = IServiceEntry["spec"];
type ModelServiceEntryPort = NonNullable<ModelServiceEntrySpec["ports"]>[number];

/**
 * A ServiceEntry's spec as this module writes it: the fields of the Istio model's spec
 * (@kubernetes-models/istio), each narrowed to the one value used here.
 */
export interface ServiceEntrySpec extends Pick<
    ModelServiceEntrySpec,
    "hosts" | "exportTo" | "location" | "resolution" | "ports"
> {
    readonly hosts: string[];
    /** `.`: only the service's own namespace sees the entry; no other service gains the host. */
    readonly exportTo: ["."];
    readonly location: "MESH_EXTERNAL";
    readonly resolution: "DNS";
    readonly ports: (Pick<ModelServiceEntryPort, "number" | "name"> & { protocol: ExternalProtocol })[];
}

/** The name of the ServiceEntry of one protocol and port: `external-https-443`. */
export function serviceEntryName(protocol: ExternalProtocol, port: number): string {
    return `external-${protocol.toLowerCase()}-${port}`;
}

/**
 * The service's ServiceEntries: one per protocol and port, listing the hosts declared on it. A
 * ServiceEntry's ports apply to each of its hosts, so hosts are grouped by port: a host declared
 * on 443 only is not reachable on 80 because another host is. Istio merges the ports of a host
 * named by several entries. Sorted by name, hosts sorted, so previews don't churn.
 */
export function serviceEntrySpecs(hosts: readonly ExternalHostSpec[]): NamedSpec<ServiceEntrySpec>[] {
    const groups = new Map<string, { protocol: ExternalProtocol; port: number; hosts: Set<string> }>();
    for (const h of hosts) {
        const name = serviceEntryName(h.protocol, h.port);
        const group = groups.get(name) ?? { protocol: h.protocol, port: h.port, hosts: new Set<string>() };
        group.hosts.add(h.host);
        groups.set(name, group);
    }
    return [...groups.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, g]) => ({
            name,
            spec: {
                hosts: [...g.hosts].sort(),
                exportTo: ["."],
                location: "MESH_EXTERNAL",
                resolution: "DNS",
                ports: [{ number: g.port, name: `${g.protocol.toLowerCase()}-${g.port}`, protocol: g.protocol }],
            },
        }));
}

/** The Sidecar egress hosts of the declared external hosts: `./<host>` (the entries of its own namespace), sorted, once each. */
export function externalEgressHosts(hosts: readonly ExternalHostSpec[]): string[] {
    return [...new Set(hosts.map((h) => `./${h.host}`))].sort();
}
