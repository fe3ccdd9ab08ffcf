import * as assert from "assert";
import { isSecretKey, plainSecrets } from "../../policy/secrets";
import { edit, res, serviceStack, violations } from "./fixtures";

describe("policy pack: no-plaintext-secrets", () => {
    it("recognises secret-named keys, not references to secrets", () => {
        for (const key of ["password", "adminPassword", "DB_PASSWORD", "api-key", "authToken", "clientSecret", "secretAccessKey"]) {
            assert.ok(isSecretKey(key), key);
        }
        for (const key of ["secretName", "secretKeyRef", "tokenPath", "existingSecretName", "existingSecret", "passwordFile"]) {
            assert.ok(!isSecretKey(key), key);
        }
    });

    it("passes masked secrets, reports plain ones: by key, by env var name, by value", () => {
        assert.deepStrictEqual(plainSecrets({ values: { grafana: { adminPassword: "[secret]" } } }), []);
        assert.deepStrictEqual(
            plainSecrets({
                values: { grafana: { adminPassword: "admin" } },
                env: [{ name: "API_TOKEN", value: "abc123" }, { name: "LOG_LEVEL", value: "debug" }],
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
            ...edit(serviceStack(), "deployment", (i) => i.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter2" })),
            res("kubernetes:core/v1:Secret", "db", { metadata: { name: "db" }, stringData: { url: "[secret]", user: "app" } }),
        ];
        assert.deepStrictEqual(await violations(stack), [
            "[no-plaintext-secrets] kubernetes:apps/v1:Deployment deployment: plain-text secret in spec.template.spec.containers[0].env[1].value (a secret-named field): make it a Pulumi secret or reference a secret store",
            "[no-plaintext-secrets] kubernetes:core/v1:Secret db: plain-text secret in stringData.user (data of a Secret): make it a Pulumi secret or reference a secret store",
        ]);
    });
});
