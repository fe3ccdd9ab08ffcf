// A program the policy pack must refuse under the real analyzer: a Deployment whose image is
// tagged `latest`. Our own config refuses such an image before anything is registered, so the
// pack's guard is tested with a program that bypasses it, as any other program of a team could.
// Also a Secret whose values are Pulumi secrets, which the pack must not report.
"use strict";
const fs = require("fs");
const path = require("path");
const k8s = require("@pulumi/kubernetes");
const pulumi = require("@pulumi/pulumi");

const kubeconfig = fs.readFileSync(path.join(__dirname, "kubeconfig"), "utf8");
const provider = new k8s.Provider("kubernetes", { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true });
const labels = { app: "forbidden" };
new k8s.apps.v1.Deployment(
    "forbidden",
    {
        metadata: { name: "forbidden", namespace: "default", labels },
        spec: {
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "registry.example.com/shop/app:latest" }] } },
        },
    },
    { provider },
);
new k8s.core.v1.Secret(
    "marked-secret",
    { metadata: { name: "marked-secret", namespace: "default" }, stringData: { password: pulumi.secret("not-shown-s3cret") } },
    { provider },
);
