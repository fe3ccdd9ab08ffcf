import * as assert from "assert";
import { NaclRule, privateNaclRules, publicNaclRules } from "../../../components/network";

/** A rule as a reviewer reads it: number, protocol, ports, peer. */
function brief(r: NaclRule): string {
    const proto = { "-1": "all", "6": "tcp", "17": "udp" }[r.protocol];
    const ports = r.protocol === "-1" ? "" : ` ${r.fromPort}-${r.toPort}`;
    return `${r.ruleNo} ${proto}${ports} ${r.cidrBlock}`;
}

describe("components/network/nacl", () => {
    const vpc = "10.20.0.0/16";

    it("public tier: HTTP(S) and return traffic from the internet, anything from the VPC", () => {
        const rules = publicNaclRules(vpc);
        assert.deepStrictEqual(rules.ingress.map(brief), [
            "100 all 10.20.0.0/16",
            "110 tcp 443-443 0.0.0.0/0",
            "120 tcp 80-80 0.0.0.0/0",
            "140 tcp 1024-65535 0.0.0.0/0",
            "150 udp 1024-65535 0.0.0.0/0",
        ]);
        // No HTTP out: the private tier (the only thing behind the NAT gateway) sends HTTPS only.
        assert.deepStrictEqual(rules.egress.map(brief), [
            "100 all 10.20.0.0/16",
            "110 tcp 443-443 0.0.0.0/0",
            "140 tcp 1024-65535 0.0.0.0/0",
        ]);
    });

    it("private tier: anything from the VPC, NodePorts and return traffic from outside; HTTPS out", () => {
        const rules = privateNaclRules(vpc);
        assert.deepStrictEqual(rules.ingress.map(brief), [
            "100 all 10.20.0.0/16",
            "130 tcp 30000-32767 0.0.0.0/0",
            "140 tcp 1024-65535 0.0.0.0/0",
            "150 udp 1024-65535 0.0.0.0/0",
        ]);
        assert.deepStrictEqual(rules.egress.map(brief), [
            "100 all 10.20.0.0/16",
            "110 tcp 443-443 0.0.0.0/0",
            "140 tcp 1024-65535 0.0.0.0/0",
        ]);
    });

    it("rule numbers are unique per direction and every rule says why it exists", () => {
        for (const rules of [publicNaclRules(vpc), privateNaclRules(vpc)]) {
            for (const list of [rules.ingress, rules.egress]) {
                const numbers = list.map((r) => r.ruleNo);
                assert.strictEqual(new Set(numbers).size, numbers.length);
                assert.ok(list.every((r) => r.purpose.length > 10));
            }
        }
    });
});
