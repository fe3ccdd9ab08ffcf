// A program the policy pack must refuse under the real analyzer: a Deployment whose image is
// tagged `latest`. Our own config refuses such an image before anything is registered, so the
// pack's guard is tested with a program that bypasses it, as any other program of a team could.
// Also a password in plain text, which the pack must report, and one that is a Pulumi secret,
// which it must not (the engine hands policies secrets decrypted).
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
            template: {
                metadata: { labels },
                spec: { containers: [{ name: "app", image: "registry.example.com/shop/app:latest" }] },
            },
        },
    },
    { provider },
);
// A password in a ConfigMap: in clear (reported), and as a Pulumi secret (not reported). Not a
// Secret: the kubernetes SDK makes every Secret's data a Pulumi secret by itself.
new k8s.core.v1.ConfigMap(
    "plain-password",
    { metadata: { name: "plain-password", namespace: "default" }, data: { password: "shown-in-clear" } },
    { provider },
);
new k8s.core.v1.ConfigMap(
    "marked-password",
    {
        metadata: { name: "marked-password", namespace: "default" },
        data: { password: pulumi.secret("not-shown-s3cret") },
    },
    { provider },
);
