import * as assert from "assert";
import { CHARTS, ISTIO_IMAGE_HUB, parseChartMirror, releaseChart } from "../../components/charts";

describe("chart sources (components/charts/sources.ts)", () => {
    it("pins every chart, its source and its images in one table", () => {
        assert.deepStrictEqual(
            Object.values(CHARTS).map((c) => [c.chart, c.version, c.repository]),
            [
                ["base", "1.30.4", "oci://ghcr.io/istio/release/charts"],
                ["istiod", "1.30.4", "oci://ghcr.io/istio/release/charts"],
                ["gateway", "1.30.4", "oci://ghcr.io/istio/release/charts"],
                ["cni", "1.30.4", "oci://ghcr.io/istio/release/charts"],
                ["ztunnel", "1.30.4", "oci://ghcr.io/istio/release/charts"],
                ["kube-prometheus-stack", "81.6.2", "https://prometheus-community.github.io/helm-charts"],
                ["jaeger", "4.11.1", "https://jaegertracing.github.io/helm-charts"],
                ["metrics-server", "3.13.1", "https://kubernetes-sigs.github.io/metrics-server/"],
                ["aws-load-balancer-controller", "3.5.0", "https://aws.github.io/eks-charts"],
                ["external-dns", "1.21.1", "https://kubernetes-sigs.github.io/external-dns/"],
                ["cert-manager", "v1.21.1", "https://charts.jetstack.io"],
            ],
        );
        assert.strictEqual(ISTIO_IMAGE_HUB, "docker.io/istio");
        // Istio's retiring hosts: nothing after 1.30, shut-down tests from 2026-12-08.
        assert.doesNotMatch(
            JSON.stringify(CHARTS),
            /istio-release\.storage\.googleapis\.com|gcr\.io\/istio-release|registry\.istio\.io/,
        );
    });

    it("gives a Release its chart from upstream, a mirror or a local folder, at the pinned or a canary version", () => {
        assert.deepStrictEqual(releaseChart("istiod"), {
            chart: "oci://ghcr.io/istio/release/charts/istiod",
            version: "1.30.4",
        });
        assert.deepStrictEqual(releaseChart("jaeger"), {
            chart: "jaeger",
            version: "4.11.1",
            repositoryOpts: { repo: "https://jaegertracing.github.io/helm-charts" },
        });
        const mirror = parseChartMirror("/opt/charts");
        assert.deepStrictEqual(mirror, { kind: "directory", path: "/opt/charts" });
        assert.deepStrictEqual(releaseChart("base", mirror, "1.31.0"), { chart: "/opt/charts/base-1.31.0" });
        assert.deepStrictEqual(releaseChart("metrics-server", { kind: "https", url: "https://charts.example.com" }), {
            chart: "metrics-server",
            version: "3.13.1",
            repositoryOpts: { repo: "https://charts.example.com" },
        });
        assert.deepStrictEqual(parseChartMirror("/"), { kind: "directory", path: "/" });
    });
});
