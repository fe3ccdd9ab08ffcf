import * as assert from "assert";
import { isDefaultDenyIngress, podSpecOf, unpinnedReason } from "../../policy/kubernetes";
import { commonStack, container, edit, res, serviceStack, violations } from "./fixtures";

const D = "kubernetes:apps/v1:Deployment deployment";

describe("policy pack: Kubernetes workloads", () => {
    it("finds the pod spec of every workload kind", () => {
        const pod = { containers: [] };
        assert.strictEqual(podSpecOf("kubernetes:apps/v1:StatefulSet", { spec: { template: { spec: pod } } }), pod);
        assert.strictEqual(
            podSpecOf("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: pod } } } } }),
            pod,
        );
        assert.strictEqual(podSpecOf("kubernetes:core/v1:Pod", { spec: pod }), pod);
        assert.strictEqual(podSpecOf("kubernetes:core/v1:Service", { spec: pod }), undefined);
    });

    it("k8s-pinned-images: a version tag or a digest, never latest or no tag", async () => {
        assert.strictEqual(unpinnedReason("registry:5000/acme/app@sha256:" + "a".repeat(64)), undefined);
        assert.strictEqual(unpinnedReason("registry:5000/acme/app:1.2.3"), undefined);
        assert.strictEqual(
            unpinnedReason("registry:5000/acme/app"),
            'image "registry:5000/acme/app" has no tag (it means latest)',
        );
        const stack = edit(serviceStack(), "deployment", (i) => {
            i.spec.template.spec.containers[0].image = "nginx:latest";
            i.spec.template.spec.initContainers = [{ ...container("migrate"), image: "acme/migrate" }];
        });
        assert.deepStrictEqual(await violations(stack), [
            `[k8s-pinned-images] ${D}: init container "migrate" image "acme/migrate" has no tag (it means latest): pin a version tag or a digest`,
            `[k8s-pinned-images] ${D}: container "backend" image "nginx:latest" uses the mutable tag latest: pin a version tag or a digest`,
        ]);
    });

    it("k8s-hardened-security-context: names every missing setting; the pod level counts for runAsNonRoot and seccomp", async () => {
        const stack = edit(serviceStack(), "deployment", (i) => {
            const pod = i.spec.template.spec;
            delete pod.securityContext.seccompProfile;
            pod.containers[0].securityContext = {
                runAsNonRoot: true,
                readOnlyRootFilesystem: false,
                capabilities: { drop: ["NET_RAW"] },
            };
        });
        assert.deepStrictEqual(await violations(stack), [
            `[k8s-hardened-security-context] ${D}: container "backend" is not hardened: its securityContext needs readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities.drop: ["ALL"], seccompProfile.type: RuntimeDefault`,
        ]);
        const rootPod = edit(serviceStack(), "deployment", (i) => {
            delete i.spec.template.spec.securityContext;
            delete i.spec.template.spec.containers[0].securityContext.runAsNonRoot;
        });
        assert.deepStrictEqual(await violations(rootPod), [
            `[k8s-hardened-security-context] ${D}: container "backend" is not hardened: its securityContext needs runAsNonRoot: true`,
        ]);
    });

    it("k8s-requests-and-limits: CPU and memory requests and limits", async () => {
        const stack = edit(
            serviceStack(),
            "deployment",
            (i) => (i.spec.template.spec.containers[0].resources = { requests: { cpu: "100m" } }),
        );
        assert.deepStrictEqual(await violations(stack), [
            `[k8s-requests-and-limits] ${D}: container "backend" does not set resources requests.memory, limits.cpu, limits.memory`,
        ]);
    });

    it("applies to a bare Pod and a CronJob too", async () => {
        const bad = { ...container("job"), image: "busybox", resources: {} };
        const stack = [
            ...serviceStack(),
            res("kubernetes:batch/v1:CronJob", "cron", {
                spec: { jobTemplate: { spec: { template: { spec: { containers: [bad] } } } } },
            }),
        ];
        assert.deepStrictEqual(await violations(stack), [
            '[k8s-pinned-images] kubernetes:batch/v1:CronJob cron: container "job" image "busybox" has no tag (it means latest): pin a version tag or a digest',
            '[k8s-requests-and-limits] kubernetes:batch/v1:CronJob cron: container "job" does not set resources requests.cpu, requests.memory, limits.cpu, limits.memory',
        ]);
    });

    it("k8s-default-deny-network-policy: every service namespace denies all ingress to all its pods", async () => {
        assert.ok(isDefaultDenyIngress({ spec: { podSelector: {}, policyTypes: ["Ingress"] } }));
        assert.ok(
            isDefaultDenyIngress({
                spec: { podSelector: { matchLabels: {} }, policyTypes: ["Ingress", "Egress"], ingress: [] },
            }),
        );
        const message =
            "[k8s-default-deny-network-policy] kubernetes:core/v1:Namespace namespace: namespace backend has no default-deny NetworkPolicy: add one with podSelector {}, policyTypes [Ingress] and no ingress rule, then allow the callers' namespaces";
        assert.deepStrictEqual(await violations(serviceStack().filter((r) => r.name !== "default-deny-ingress")), [
            message,
        ]);
        // Selecting some pods, admitting something or only fencing egress is not a default deny.
        for (const change of [
            (i: any) => (i.spec.podSelector = { matchLabels: { app: "backend" } }),
            (i: any) => (i.spec.ingress = [{ from: [{ namespaceSelector: {} }] }]),
            (i: any) => (i.spec.policyTypes = ["Egress"]),
            (i: any) => (i.metadata.namespace = "frontend"),
        ]) {
            assert.deepStrictEqual(await violations(edit(serviceStack(), "default-deny-ingress", change)), [message]);
        }
        assert.deepStrictEqual(await violations(commonStack()), []);
    });

    it("k8s-service-not-in-system-namespace: a service's objects stay out of the platform's and Kubernetes' namespaces", async () => {
        const moved = (namespace: string) =>
            serviceStack().map((r) => {
                const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
                if (!md) {
                    return r;
                }
                const metadata =
                    r.type === "kubernetes:core/v1:Namespace" ? { ...md, name: namespace } : { ...md, namespace };
                return { ...r, inputs: { ...r.inputs, metadata } };
            });
        const found = (await violations(moved("istio-system"))).filter((v) =>
            v.startsWith("[k8s-service-not-in-system-namespace]"),
        );
        assert.deepStrictEqual(found.slice(0, 2), [
            "[k8s-service-not-in-system-namespace] kubernetes:core/v1:Namespace namespace: Namespace istio-system belongs to service backend (label owner-service), but istio-system is a namespace of the common layer (istiod, the mesh's root namespace): a service's objects belong in its own namespace",
            "[k8s-service-not-in-system-namespace] kubernetes:apps/v1:Deployment deployment: Deployment istio-system/backend belongs to service backend (label owner-service), but istio-system is a namespace of the common layer (istiod, the mesh's root namespace): a service's objects belong in its own namespace",
        ]);
        // Every namespaced object of the stack is named, not only the first.
        const namespaced = serviceStack().filter((r) => r.type.startsWith("kubernetes:") && r.inputs.metadata);
        assert.strictEqual(found.length, namespaced.length);
        for (const ns of [
            "default",
            "kube-system",
            "kube-public",
            "istio-ingress",
            "istio-cni",
            "observability",
            "cert-manager",
        ]) {
            assert.ok(
                (await violations(moved(ns))).some((v) => v.includes(`but ${ns} is`)),
                ns,
            );
        }
        // The platform's own objects there pass, and so does an exposed host's Certificate in the gateway's namespace.
        assert.deepStrictEqual(await violations(commonStack()), []);
        const certificate = res("kubernetes:cert-manager.io/v1:Certificate", "backend-certificate", {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "backend-tls", namespace: "istio-ingress", labels: { "owner-service": "backend" } },
            spec: { secretName: "backend-tls", dnsNames: ["backend.dev.internal"], issuerRef: { name: "ca" } },
        });
        assert.deepStrictEqual(
            (await violations([...serviceStack(), certificate])).filter((v) => v.includes("system-namespace")),
            [],
        );
        const elsewhere = {
            ...certificate,
            inputs: {
                ...certificate.inputs,
                metadata: { name: "backend-tls", namespace: "kube-system", labels: { "owner-service": "backend" } },
            },
        };
        assert.deepStrictEqual(
            (await violations([...serviceStack(), elsewhere])).filter((v) => v.includes("system-namespace")),
            [
                "[k8s-service-not-in-system-namespace] kubernetes:cert-manager.io/v1:Certificate backend-certificate: Certificate kube-system/backend-tls belongs to service backend (label owner-service), but kube-system is a namespace of the common layer (metrics-server, the AWS Load Balancer Controller, ExternalDNS): a service's objects belong in its own namespace",
            ],
        );
    });
});
