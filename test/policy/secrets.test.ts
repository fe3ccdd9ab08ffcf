import * as assert from "assert";
import { Secret } from "@pulumi/policy";
import { isSecretKey, plainSecrets, secretPathsOf } from "../../policy/secrets";
import { edit, res, serviceStack, violations } from "./fixtures";

describe("policy pack: no-plaintext-secrets", () => {
    it("recognises secret-named keys, not references to secrets", () => {
        for (const key of [
            "password",
            "adminPassword",
            "DB_PASSWORD",
            "api-key",
            "authToken",
            "clientSecret",
            "secretAccessKey",
        ]) {
            assert.ok(isSecretKey(key), key);
        }
        for (const key of [
            "secretName",
            "secretKeyRef",
            "tokenPath",
            "existingSecretName",
            "existingSecret",
            "passwordFile",
        ]) {
            assert.ok(!isSecretKey(key), key);
        }
    });

    it("passes masked secrets, reports plain ones: by key, by env var name, by value", () => {
        assert.deepStrictEqual(plainSecrets({ values: { grafana: { adminPassword: "[secret]" } } }), []);
        assert.deepStrictEqual(
            plainSecrets({
                values: { grafana: { adminPassword: "admin" } },
                env: [
                    { name: "API_TOKEN", value: "abc123" },
                    { name: "LOG_LEVEL", value: "debug" },
                ],
                url: "postgres://app:hunter2@db:5432/app",
                key: "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
            }),
            [
                "values.grafana.adminPassword (a secret-named field)",
                "env[0].value (a secret-named field)",
                "url (a password in a URL)",
                "key (a private key)",
            ],
        );
    });

    it("reports them per resource, and any clear data of a Kubernetes Secret", async () => {
        const stack = [
            ...edit(serviceStack(), "deployment", (i) =>
                i.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter2" }),
            ),
            res("kubernetes:core/v1:Secret", "db", {
                metadata: { name: "db" },
                stringData: { url: "[secret]", user: "app" },
            }),
        ];
        assert.deepStrictEqual(await violations(stack), [
            "[no-plaintext-secrets] kubernetes:apps/v1:Deployment deployment: plain-text secret in spec.template.spec.containers[0].env[1].value (a secret-named field): make it a Pulumi secret or reference a secret store",
            "[no-plaintext-secrets] kubernetes:core/v1:Secret db: plain-text secret in stringData.user (data of a Secret): make it a Pulumi secret or reference a secret store",
        ]);
    });

    it("skips the paths of values that are Pulumi secrets (as the engine's remediation props show them)", () => {
        const props = {
            stringData: { password: "s3cret", user: "app" },
            env: [{ name: "API_TOKEN", value: "abc123" }],
        };
        assert.deepStrictEqual(plainSecrets(props, "", new Set(["env[0].value", "stringData.password"])), []);
        assert.deepStrictEqual(plainSecrets(props, "", new Set(["stringData"])), [
            "env[0].value (a secret-named field)",
        ]);
        assert.deepStrictEqual(plainSecrets(props, "", new Set()), [
            "stringData.password (a secret-named field)",
            "env[0].value (a secret-named field)",
        ]);
    });

    it("finds the Secret objects a remediation's props keep behind a proxy that unwraps them on reading", () => {
        const stored = {
            stringData: { password: new Secret("s3cret"), user: "app" },
            env: [{ name: "A", value: new Secret("x") }],
            all: new Secret({ a: 1 }),
        };
        // The shape of @pulumi/policy's props: reading a property unwraps a Secret; the stored value stays one.
        const unwrapping = (target: any): any =>
            new Proxy(target, {
                get: (t, p) => {
                    const v = t[p];
                    return v instanceof Secret
                        ? unwrapping(Object(v.value))
                        : v !== null && typeof v === "object"
                          ? unwrapping(v)
                          : v;
                },
            });
        const props = unwrapping(stored);
        assert.strictEqual(props.stringData.password instanceof Secret, false);
        assert.deepStrictEqual([...secretPathsOf(props)].sort(), ["all", "env[0].value", "stringData.password"]);
    });

    it("passes values unknown during a preview instead of failing the whole policy", () => {
        const props = new Proxy(
            { metadata: { name: "db" }, stringData: { password: "x" } },
            {
                get: (t: any, p) => {
                    if (p === "stringData") {
                        throw new Error("string value at .stringData can't be known during preview");
                    }
                    return t[p];
                },
            },
        );
        assert.deepStrictEqual(plainSecrets(props), []);
    });
});
