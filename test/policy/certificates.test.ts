import * as assert from "assert";
import { edit, serviceStack, violations } from "./fixtures";

const found = async (stack: Parameters<typeof violations>[0]): Promise<string[]> =>
    (await violations(stack)).filter((v) => v.startsWith("[mesh-gateway-certificate]"));

const PREFIX =
    "[mesh-gateway-certificate] kubernetes:networking.istio.io/v1:Gateway gateway: Gateway backend/backend servers[0]";

describe("policy pack: certificates (mesh-gateway-certificate)", () => {
    it("passes a TLS server whose credential a Certificate of the stack issues for its host", async () => {
        assert.deepStrictEqual(await found(serviceStack()), []);
    });

    it("refuses a TLS server whose credential no Certificate issues, or one in the Gateway's own namespace", async () => {
        const missing = `${PREFIX} serves credentialName backend-tls, but no Certificate of this stack outside the Gateway's namespace backend has that secretName: add a cert-manager Certificate (secretName backend-tls, in the gateway's namespace, dnsNames the server's hosts)`;
        assert.deepStrictEqual(await found(serviceStack().filter((r) => r.name !== "certificate")), [missing]);
        const beside = edit(serviceStack(), "certificate", (i) => {
            i.metadata.namespace = "backend";
        });
        assert.deepStrictEqual(await found(beside), [missing]);
    });

    it("refuses a host's Certificate that is a CA or names no issuer (certificate-not-a-ca)", async () => {
        const notCa = async (change: (i: any) => void) =>
            (await violations(edit(serviceStack(), "certificate", change))).filter((v) =>
                v.startsWith("[certificate-not-a-ca]"),
            );
        assert.deepStrictEqual(await notCa(() => undefined), []);
        const prefix =
            "[certificate-not-a-ca] kubernetes:cert-manager.io/v1:Certificate certificate: Certificate istio-ingress/backend-tls";
        const leaf = "a host's certificate is a leaf from the common layer's issuer (its output certificateIssuer)";
        assert.deepStrictEqual(
            await notCa((i) => {
                i.spec.isCA = true;
            }),
            [`${prefix} is a CA (isCA: true): ${leaf}`],
        );
        assert.deepStrictEqual(
            await notCa((i) => {
                delete i.spec.issuerRef;
            }),
            [`${prefix} names no issuer (issuerRef.name): ${leaf}`],
        );
    });

    it("refuses a Certificate that does not cover the server's host; a wildcard covers one label only", async () => {
        const withNames = (dnsNames: string[]) =>
            edit(serviceStack(), "certificate", (i) => {
                i.spec.dnsNames = dnsNames;
            });
        const uncovered = `${PREFIX} serves credentialName backend-tls, but no Certificate with that secretName covers backend.dev.internal.example.com: add a cert-manager Certificate (secretName backend-tls, in the gateway's namespace, dnsNames the server's hosts)`;
        assert.deepStrictEqual(await found(withNames(["shop.dev.internal.example.com"])), [uncovered]);
        assert.deepStrictEqual(await found(withNames(["*.internal.example.com"])), [uncovered]);
        assert.deepStrictEqual(await found(withNames(["*.dev.internal.example.com"])), []);
    });
});
