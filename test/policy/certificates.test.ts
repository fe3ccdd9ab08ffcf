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

    it("refuses a TLS server whose credential no Certificate issues", async () => {
        const stack = serviceStack().filter((r) => r.name !== "certificate");
        assert.deepStrictEqual(await found(stack), [
            `${PREFIX} serves credentialName backend-tls, but no Certificate of this stack has that secretName: add a cert-manager Certificate (secretName backend-tls, in the gateway's namespace, dnsNames the server's hosts)`,
        ]);
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
