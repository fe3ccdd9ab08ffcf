import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CommonConfig, describeProblem, isConfigError, parseConfig } from "../../../layers/config";
import { DEFAULT_NODE_GROUPS } from "../../../components/cluster/config";
import { KMS_KEY_ADMIN_ARNS } from "../../helpers/config";
import { ISTIOD_WEBHOOK_CA, ISTIOD_WEBHOOK_LEAF } from "../../helpers/istiod-webhook";

/** The string form of a common stack's config values, as the engine passes them. */
function raw(values: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = { layer: "common", kmsKeyAdminArns: JSON.stringify(KMS_KEY_ADMIN_ARNS) };
    for (const [k, v] of Object.entries(values)) {
        out[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

function parse(values: Record<string, unknown>, secrets: Record<string, pulumi.Output<string>> = {}): CommonConfig {
    return parseConfig("dev-common", raw(values), secrets) as CommonConfig;
}

/** The problems of a config that must fail, each as `key = value: message`. */
function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parse(values);
    } catch (err) {
        assert.ok(isConfigError(err), `expected a ConfigError, got ${String(err)}`);
        return err.problems.map(describeProblem);
    }
    assert.fail("expected the config to be rejected");
}

const GROUP = {
    name: "general",
    instanceTypes: ["t3.large"],
    minSize: 1,
    maxSize: 3,
    desiredSize: 2,
    capacityType: "ON_DEMAND",
};

describe("common layer config (layers/common/config.ts)", () => {
    it("has dev-sized defaults: one on-demand node group, no schedule, private endpoint, 1% sampling", () => {
        const config = parse({});
        assert.deepStrictEqual(
            config.cluster?.nodeGroups.map((g) => ({ ...g })),
            DEFAULT_NODE_GROUPS.map((g) => ({ ...g, labels: {}, taints: [] })),
        );
        assert.strictEqual(config.cluster?.scheduledScaling, false);
        assert.strictEqual(config.cluster?.endpointPublicAccess, false);
        assert.deepStrictEqual(config.cluster?.endpointPublicAccessCidrs, []);
        assert.strictEqual(config.istio.tracingSamplingPercentage, 1);
        assert.strictEqual(config.istio.outboundTrafficPolicy, "REGISTRY_ONLY");
        assert.strictEqual(config.istio.gatewayScheme, "internal");
        assert.strictEqual(config.istio.revision, "");
        assert.strictEqual(config.cluster?.logRetentionDays, 30);
        assert.strictEqual(config.observability.prometheusRetention, "3d");
        assert.strictEqual(config.observability.prometheusStorageSize, "10Gi");
        assert.strictEqual(config.observability.grafanaAdminPassword, undefined);
        assert.strictEqual(config.observability.prometheusStackVersion, "81.6.2");
    });

    it("reads the kube-prometheus-stack version, one whose CRDs the package carries, naming a bad one", () => {
        assert.strictEqual(parse({ prometheusStackVersion: "88.5.3" }).observability.prometheusStackVersion, "88.5.3");
        for (const value of ["88.5.2", "v88.5.3", ""]) {
            assert.deepStrictEqual(problemsOf({ prometheusStackVersion: value }), [
                `platform:prometheusStackVersion = ${JSON.stringify(value)}: no CRDs for this chart version in the package; allowed: 81.6.2, 88.5.3`,
            ]);
        }
    });

    // Issue 14: the gateway's load balancer and the mesh's availability.
    it("reads the gateway's source ranges and the replicas of istiod and the gateway (default 2), naming each bad value", () => {
        const defaults = parse({});
        assert.deepStrictEqual(
            [defaults.istio.gatewaySourceRanges, defaults.istio.gatewayReplicas, defaults.istio.istiodReplicas],
            [[], 2, 2],
        );
        const set = parse({ gatewaySourceRanges: ["203.0.113.0/24"], gatewayReplicas: 3, istiodReplicas: 4 });
        assert.deepStrictEqual(
            [set.istio.gatewaySourceRanges, set.istio.gatewayReplicas, set.istio.istiodReplicas],
            [["203.0.113.0/24"], 3, 4],
        );
        assert.deepStrictEqual(
            problemsOf({
                gatewaySourceRanges: ["203.0.113.0/24", "203.0.113.7/24"],
                gatewayReplicas: 1,
                istiodReplicas: 11,
            }),
            [
                'platform:gatewaySourceRanges[1] = "203.0.113.7/24": not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16',
                "platform:gatewayReplicas = 1: out of range; allowed: 2 to 10",
                "platform:istiodReplicas = 11: out of range; allowed: 2 to 10",
            ],
        );
        assert.deepStrictEqual(
            problemsOf({ gatewayScheme: "internal", gatewaySourceRanges: ["10.20.0.0/16", "0.0.0.0/0"] }),
            [
                'platform:gatewaySourceRanges[1] = "0.0.0.0/0": every address, for an internal load balancer whose clients are in the VPC; allowed: the IPv4 CIDRs of its clients, or unset for the VPC\'s CIDR',
            ],
        );
        // Internet-facing for everyone is a choice a public site may make.
        assert.deepStrictEqual(
            parse({ gatewayScheme: "internet-facing", gatewaySourceRanges: ["0.0.0.0/0"] }).istio.gatewaySourceRanges,
            ["0.0.0.0/0"],
        );
        assert.deepStrictEqual(problemsOf({ gatewayScheme: "internet-facing" }), [
            'platform:gatewaySourceRanges = []: required with gatewayScheme internet-facing (the default, the VPC\'s CIDR, lets no client outside the VPC in); allowed: the IPv4 CIDRs of its clients, e.g. ["203.0.113.0/24"]',
        ]);
    });

    it("reads node groups with labels and taints, role ARNs and a public endpoint with CIDRs", () => {
        const config = parse({
            nodeGroups: [
                {
                    ...GROUP,
                    name: "batch",
                    capacityType: "SPOT",
                    labels: { workload: "batch" },
                    taints: [{ key: "dedicated", value: "batch", effect: "NO_SCHEDULE" }],
                },
            ],
            clusterAdminRoleArns: ["arn:aws:iam::123456789012:role/platform-admins"],
            clusterViewerRoleArns: ["arn:aws:iam::123456789012:role/teams/readers"],
            endpointPublicAccess: true,
            endpointPublicAccessCidrs: ["203.0.113.0/24"],
        });
        assert.deepStrictEqual(config.cluster?.nodeGroups[0], {
            name: "batch",
            instanceTypes: ["t3.large"],
            minSize: 1,
            maxSize: 3,
            desiredSize: 2,
            capacityType: "SPOT",
            labels: { workload: "batch" },
            taints: [{ key: "dedicated", value: "batch", effect: "NO_SCHEDULE" }],
        });
        assert.deepStrictEqual(config.cluster?.access?.adminRoleArns, [
            "arn:aws:iam::123456789012:role/platform-admins",
        ]);
        assert.deepStrictEqual(config.cluster?.endpointPublicAccessCidrs, ["203.0.113.0/24"]);
    });

    it("keeps the Grafana password a secret Output", async () => {
        const config = parse({}, { grafanaAdminPassword: pulumi.secret("s3cret") });
        assert.ok(config.observability.grafanaAdminPassword);
        assert.strictEqual(await pulumi.isSecret(config.observability.grafanaAdminPassword), true);
    });

    it("rejects minSize > maxSize naming the node group's field", () => {
        assert.deepStrictEqual(problemsOf({ nodeGroups: [{ ...GROUP, minSize: 4, maxSize: 3, desiredSize: 3 }] }), [
            "platform:nodeGroups[0].minSize = 4: greater than maxSize (3); allowed: minSize <= desiredSize <= maxSize",
        ]);
    });

    it("rejects a desired size outside min..max", () => {
        assert.deepStrictEqual(problemsOf({ nodeGroups: [{ ...GROUP, desiredSize: 5 }] }), [
            "platform:nodeGroups[0].desiredSize = 5: outside minSize..maxSize (1..3); allowed: minSize <= desiredSize <= maxSize",
        ]);
        assert.deepStrictEqual(problemsOf({ nodeGroups: [{ ...GROUP, minSize: 2, desiredSize: 1 }] }), [
            "platform:nodeGroups[0].desiredSize = 1: outside minSize..maxSize (2..3); allowed: minSize <= desiredSize <= maxSize",
        ]);
    });

    it("rejects an unknown capacity type", () => {
        assert.deepStrictEqual(
            problemsOf({ nodeGroups: [GROUP, { ...GROUP, name: "spot", capacityType: "RESERVED" }] }),
            ['platform:nodeGroups[1].capacityType = "RESERVED": unknown capacity type; allowed: ON_DEMAND, SPOT'],
        );
    });

    it("rejects a tracing sampling percentage outside 0..100", () => {
        assert.deepStrictEqual(problemsOf({ tracingSamplingPercentage: 101 }), [
            "platform:tracingSamplingPercentage = 101: out of range; allowed: 0 to 100",
        ]);
        assert.deepStrictEqual(problemsOf({ tracingSamplingPercentage: -1 }), [
            "platform:tracingSamplingPercentage = -1: out of range; allowed: 0 to 100",
        ]);
    });

    it("rejects a public endpoint without CIDRs or open to 0.0.0.0/0, and CIDRs without a public endpoint", () => {
        assert.deepStrictEqual(problemsOf({ endpointPublicAccess: true }), [
            "platform:endpointPublicAccess = true: a public API endpoint needs the CIDRs allowed to reach it; list them in endpointPublicAccessCidrs, or set endpointPublicAccess to false (the private endpoint is always on)",
        ]);
        assert.deepStrictEqual(
            problemsOf({ endpointPublicAccess: true, endpointPublicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }),
            [
                'platform:endpointPublicAccessCidrs = ["203.0.113.0/24","0.0.0.0/0"]: 0.0.0.0/0 opens the public API endpoint to the whole internet; list only your own networks\' CIDRs (the policy pack refuses it too)',
            ],
        );
        // Split in two halves, 0.0.0.0/0 is still the whole internet.
        assert.throws(
            () => parse({ endpointPublicAccess: true, endpointPublicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }),
            {
                name: "ConfigError",
                message:
                    'Configuration of stack "dev-common" (Pulumi.dev-common.yaml) is invalid; nothing was created:\n' +
                    '  - platform:endpointPublicAccessCidrs = ["0.0.0.0/1","128.0.0.0/1"]: together these blocks cover every IPv4 address (0.0.0.0/0), which opens the public API endpoint to the whole internet; list only your own networks\' CIDRs (the policy pack refuses it too)',
            },
        );
        assert.doesNotThrow(() =>
            parse({ endpointPublicAccess: true, endpointPublicAccessCidrs: ["0.0.0.0/1", "203.0.113.0/24"] }),
        );
        assert.deepStrictEqual(problemsOf({ endpointPublicAccessCidrs: ["203.0.113.0/24"] }), [
            'platform:endpointPublicAccessCidrs = ["203.0.113.0/24"]: CIDRs are listed but the public endpoint is off; set endpointPublicAccess to true to use them, or remove them',
        ]);
    });

    it("rejects a malformed role ARN, naming its index", () => {
        assert.deepStrictEqual(
            problemsOf({ clusterAdminRoleArns: ["arn:aws:iam::123456789012:role/ok", "arn:aws:iam::1234:user/alice"] }),
            [
                'platform:clusterAdminRoleArns[1] = "arn:aws:iam::1234:user/alice": not an IAM role ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
            ],
        );
    });

    it("refuses KMS key admins that are not named IAM roles or users, and an empty list, with the exact message", () => {
        assert.deepStrictEqual(
            problemsOf({
                kmsKeyAdminArns: [
                    "arn:aws:iam::123456789012:root",
                    "arn:aws:sts::123456789012:assumed-role/admins/bob",
                    "admins",
                ],
            }),
            [
                'platform:kmsKeyAdminArns[0] = "arn:aws:iam::123456789012:root": the account root hands the key to every IAM policy of the account; allowed: named roles or users, arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
                'platform:kmsKeyAdminArns[1] = "arn:aws:sts::123456789012:assumed-role/admins/bob": an STS session, not an IAM principal (a key policy names the role); allowed: arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
                'platform:kmsKeyAdminArns[2] = "admins": not an IAM role or user ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
            ],
        );
        assert.deepStrictEqual(problemsOf({ kmsKeyAdminArns: [] }), [
            "platform:kmsKeyAdminArns = []: at least one key administrator is needed, and the role that runs pulumi up must be one of them (AWS refuses a key policy that locks its creator out); allowed: IAM role or user ARNs, e.g. arn:aws:iam::123456789012:role/platform-admins",
        ]);
        assert.deepStrictEqual(parse({}).cluster?.kmsKeyAdminArns, KMS_KEY_ADMIN_ARNS);
    });

    it("reports every problem at once, with the stack in the message", () => {
        assert.throws(
            () =>
                parse({
                    tracingSamplingPercentage: 150,
                    meshRevision: "1.30",
                    gatewayScheme: "public",
                    controlPlaneLogRetentionDays: 10,
                    prometheusRetention: "forever",
                    nodeGroups: [{ ...GROUP, name: "General" }, GROUP, GROUP],
                }),
            (err: unknown) => {
                assert.ok(isConfigError(err));
                assert.match(
                    err.message,
                    /^Configuration of stack "dev-common" \(Pulumi.dev-common.yaml\) is invalid; nothing was created:/,
                );
                assert.deepStrictEqual(err.problems.map((p) => p.path).sort(), [
                    "platform:controlPlaneLogRetentionDays",
                    "platform:gatewayScheme",
                    "platform:meshRevision",
                    "platform:nodeGroups[0].name",
                    "platform:nodeGroups[2].name",
                    "platform:prometheusRetention",
                    "platform:tracingSamplingPercentage",
                ]);
                return true;
            },
        );
    });

    it("refuses an instance type that is not EC2's family, generation and size, naming the group, the entry and what is allowed", () => {
        assert.throws(() => parse({ nodeGroups: [{ ...GROUP, instanceTypes: ["m5.large", "m5.huge"] }] }), {
            name: "ConfigError",
            message:
                'Configuration of stack "dev-common" (Pulumi.dev-common.yaml) is invalid; nothing was created:\n' +
                '  - platform:nodeGroups[0].instanceTypes[1] = "m5.huge": not an EC2 instance type; allowed: an EC2 instance type <family><generation>[attributes].<size>, size one of nano, micro, small, medium, large, xlarge, <n>xlarge, metal or metal-<n>xl, e.g. t3.large, m6i.2xlarge or c7gn.metal',
        });
    });

    it("rejects unknown node group fields and bad taints", () => {
        assert.deepStrictEqual(
            problemsOf({ nodeGroups: [{ ...GROUP, size: 3, taints: [{ key: "dedicated", effect: "NoSchedule" }] }] }),
            [
                "platform:nodeGroups[0].size = 3: unknown field; allowed: name, instanceTypes, minSize, maxSize, desiredSize, capacityType, labels, taints",
                'platform:nodeGroups[0].taints[0] = {"key":"dedicated","effect":"NoSchedule"}: not a taint; allowed: {key, value (optional), effect} with effect one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE',
            ],
        );
    });

    it("reads the chart mirror: upstream by default, an OCI registry, an HTTPS repository or a local folder", () => {
        assert.deepStrictEqual(parse({}).chartMirror, { kind: "upstream" });
        assert.deepStrictEqual(
            parse({ chartMirror: "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/helm/" }).chartMirror,
            {
                kind: "oci",
                url: "oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/helm",
            },
        );
        assert.deepStrictEqual(parse({ chartMirror: "https://nexus.example.com:8443/repository/helm" }).chartMirror, {
            kind: "https",
            url: "https://nexus.example.com:8443/repository/helm",
        });
        assert.deepStrictEqual(parse({ chartMirror: "/srv/charts/" }).chartMirror, {
            kind: "directory",
            path: "/srv/charts",
        });
    });

    it("refuses a chart mirror that is none of those, naming key, stack, value and what is allowed", () => {
        const allowed =
            "allowed: empty (each chart from its upstream source), oci://<registry>/<path> (an OCI registry such as ECR), https://<host>/<path> (an HTTPS Helm repository) or an absolute path of a directory holding one <chart>-<version> folder per chart";
        for (const [value, what] of [
            ["http://charts.example.com", "scheme http is not supported"],
            ["s3://bucket/charts", "scheme s3 is not supported"],
            ["oci://", "not a registry address"],
            ["oci://ECR.example.com/charts", "not a registry address"],
            ["https://charts.example.com/a b", "not a repository address"],
            ["charts/", "not a chart mirror (relative paths are not allowed)"],
            ["/srv/../charts", "not a normalized absolute path"],
            ["/srv//charts", "not a normalized absolute path"],
        ]) {
            assert.deepStrictEqual(problemsOf({ chartMirror: value }), [
                `platform:chartMirror = ${JSON.stringify(value)}: ${what}; ${allowed}`,
            ]);
        }
        assert.throws(
            () => parse({ chartMirror: "charts/" }),
            /^ConfigError: Configuration of stack "dev-common" \(Pulumi.dev-common.yaml\) is invalid/,
        );
    });

    it("reads where the API server reaches istiod's webhooks: both keys or neither", () => {
        assert.strictEqual(parse({}).istio.istiodWebhooks, undefined);
        assert.deepStrictEqual(
            parse({ istiodWebhookUrl: "https://127.0.0.1:15017/", istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA }).istio
                .istiodWebhooks,
            {
                url: "https://127.0.0.1:15017/",
                caBundle: ISTIOD_WEBHOOK_CA,
                revisionUrls: {},
            },
        );
    });

    it("refuses a webhook URL or CA bundle it cannot use, naming key, stack, value and what is allowed", () => {
        const allowedUrl =
            "allowed: empty (the webhooks at istiod's Service), or https://<host>[:<port>] with no path, e.g. https://istiod.example.com:15017";
        for (const [value, what] of [
            [
                "http://istiod.example.com:15017",
                "scheme http is not supported (the API server calls webhooks over TLS only)",
            ],
            [
                "istiod.example.com:15017",
                "scheme istiod.example.com is not supported (the API server calls webhooks over TLS only)",
            ],
            ["https://", "not a URL"],
            [
                "https://istiod.example.com:15017/validate",
                "not a base URL (a path, query, fragment or user is not allowed: the webhook paths are added)",
            ],
            [
                "https://istiod.example.com?x=1",
                "not a base URL (a path, query, fragment or user is not allowed: the webhook paths are added)",
            ],
            [
                "https://user@istiod.example.com",
                "not a base URL (a path, query, fragment or user is not allowed: the webhook paths are added)",
            ],
        ]) {
            assert.deepStrictEqual(problemsOf({ istiodWebhookUrl: value, istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA }), [
                `platform:istiodWebhookUrl = ${JSON.stringify(value)}: ${what}; ${allowedUrl}`,
            ]);
        }
        const allowedCa =
            "allowed: the PEM of the CA certificate that signed istiod's webhook certificate (-----BEGIN CERTIFICATE----- ...)";
        const broken = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----";
        for (const [value, what] of [
            ["LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", "not a PEM certificate"],
            [broken, "a PEM block that is not a readable X.509 certificate"],
            [ISTIOD_WEBHOOK_LEAF, "a certificate that is not a CA (basicConstraints CA:FALSE)"],
        ]) {
            assert.deepStrictEqual(
                problemsOf({ istiodWebhookUrl: "https://istiod.example.com", istiodWebhookCaBundle: value }),
                [`platform:istiodWebhookCaBundle = ${JSON.stringify(value)}: ${what}; ${allowedCa}`],
            );
        }
        assert.deepStrictEqual(problemsOf({ istiodWebhookUrl: "https://istiod.example.com" }), [
            `platform:istiodWebhookCaBundle = (not set): required in stack "dev-common" with istiodWebhookUrl set; ${allowedCa}`,
        ]);
        assert.deepStrictEqual(problemsOf({ istiodWebhookCaBundle: ISTIOD_WEBHOOK_CA }), [
            'platform:istiodWebhookUrl = (not set): required in stack "dev-common" with istiodWebhookCaBundle set; allowed: https://<host>[:<port>] with no path, e.g. https://istiod.example.com:15017',
        ]);
    });

    it("reads how certificates are issued: cert-manager installed, the environment's own CA by default", () => {
        const defaults = parse({});
        assert.deepStrictEqual(
            [defaults.certManager.mode, defaults.certManager.issuer, defaults.certManager.webhookHost],
            ["install", { kind: "platform-ca" }, ""],
        );
        const team = parse({
            certManager: "existing",
            certificateIssuer: "letsencrypt-dns01",
        });
        assert.deepStrictEqual(
            [team.certManager.mode, team.certManager.issuer],
            ["existing", { kind: "cluster-issuer", name: "letsencrypt-dns01" }],
        );
        assert.strictEqual(
            parse({ certManagerWebhookHost: "localhost:10250" }).certManager.webhookHost,
            "localhost:10250",
        );
    });

    it("refuses an issuer, a webhook host or a cert-manager mode it cannot use, naming key, value and what is allowed", () => {
        const issuerAllowed =
            "allowed: platform-ca (the environment's own CA, made by this layer) or the name of a ClusterIssuer the cluster runs (lower-case letters, digits, '-' and '.', at most 253 characters)";
        const hostAllowed =
            "allowed: empty (the webhook at its Service), or <host>[:<port>] the API server reaches over HTTPS, with no scheme or path, e.g. cert-manager-webhook.example.com:10250";
        assert.deepStrictEqual(
            problemsOf({
                certManager: "helm",
                certificateIssuer: "Lets_Encrypt",
                certManagerWebhookHost: "https://webhook.example.com/validate",
            }),
            [
                'platform:certManager = "helm": allowed: install, existing',
                `platform:certificateIssuer = "Lets_Encrypt": not a Kubernetes object name; ${issuerAllowed}`,
                `platform:certManagerWebhookHost = "https://webhook.example.com/validate": not a host with an optional port; ${hostAllowed}`,
            ],
        );
        assert.deepStrictEqual(problemsOf({ certManagerWebhookHost: "localhost:70000" }), [
            `platform:certManagerWebhookHost = "localhost:70000": port 70000 is out of range 1-65535; ${hostAllowed}`,
        ]);
        assert.deepStrictEqual(
            problemsOf({
                certManager: "existing",
                certificateIssuer: "letsencrypt-dns01",
                certManagerWebhookHost: "localhost:10250",
            }),
            [
                'platform:certManagerWebhookHost = "localhost:10250": not used with certManager existing (the chart that would route the webhook is not installed by this stack); allowed: empty',
            ],
        );
        // The environment's CA needs the cert-manager this layer installs.
        assert.deepStrictEqual(problemsOf({ certManager: "existing" }), [
            `platform:certificateIssuer = "platform-ca": not with certManager existing (the environment's CA keeps its root in the cert-manager namespace made when cert-manager is installed here, with the settings it installs); allowed: the name of a ClusterIssuer the cluster's cert-manager runs, or set certManager to install`,
        ]);
    });

    it("reads an existing cluster's kubeconfig as a secret and creates no EKS then", () => {
        const kubeconfig = pulumi.secret("apiVersion: v1");
        const config = parse({ clusterMode: "existing" }, { kubeconfig });
        assert.strictEqual(config.clusterMode, "existing");
        assert.strictEqual(config.kubeconfig, kubeconfig);
        assert.strictEqual(parse({}).clusterMode, "eks");
    });

    it("refuses an existing-cluster stack without a kubeconfig, EKS keys it would ignore, and a kubeconfig with EKS", () => {
        assert.deepStrictEqual(problemsOf({ clusterMode: "existing", scheduledNodeScaling: true }), [
            'platform:kubeconfig = (not set): required in stack "dev-common" with clusterMode existing; allowed: the existing cluster\'s kubeconfig, set with pulumi config set --secret kubeconfig < <file>',
            "platform:scheduledNodeScaling = true: not read with clusterMode existing (it configures the EKS cluster this stack would create); allowed: unset",
        ]);
        assert.deepStrictEqual(problemsOf({ clusterMode: "kind" }), [
            'platform:clusterMode = "kind": allowed: eks, existing',
        ]);
        assert.throws(
            () => parse({}, { kubeconfig: pulumi.secret("apiVersion: v1") }),
            (err: unknown) =>
                isConfigError(err) &&
                err.problems.map(describeProblem).join() ===
                    'platform:kubeconfig = "[secret]": not read with clusterMode eks (the stack creates the cluster and its kubeconfig); allowed: unset, or set clusterMode to existing',
        );
    });
});
