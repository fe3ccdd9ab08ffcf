import * as assert from "assert";
import { Problem } from "../../../components/problems";
import { SubnetPlanInput, largestDerivablePrefix, planSubnets } from "../../../components/network";
import { coverEveryAddress, isEveryAddress } from "../../../components/network/ipv4";

describe("components/network/cidr: planSubnets", () => {
    describe("derived plans", () => {
        const good: [string, SubnetPlanInput, string[], string[]][] = [
            [
                "a /16 over 3 zones: private /19s in the first half, public /22s in the second",
                { vpcCidr: "10.20.0.0/16", zoneCount: 3 },
                ["10.20.128.0/22", "10.20.132.0/22", "10.20.136.0/22"],
                ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"],
            ],
            [
                "a /16 over 2 zones: private /18s",
                { vpcCidr: "10.0.0.0/16", zoneCount: 2 },
                ["10.0.128.0/21", "10.0.136.0/21"],
                ["10.0.0.0/18", "10.0.64.0/18"],
            ],
            [
                "a /16 over 4 zones: same sizes as 3",
                { vpcCidr: "172.16.0.0/16", zoneCount: 4 },
                ["172.16.128.0/22", "172.16.132.0/22", "172.16.136.0/22", "172.16.140.0/22"],
                ["172.16.0.0/19", "172.16.32.0/19", "172.16.64.0/19", "172.16.96.0/19"],
            ],
            [
                "a /16 over 6 zones: private /20s",
                { vpcCidr: "10.1.0.0/16", zoneCount: 6 },
                ["10.1.128.0/23", "10.1.130.0/23", "10.1.132.0/23", "10.1.134.0/23", "10.1.136.0/23", "10.1.138.0/23"],
                ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/20", "10.1.48.0/20", "10.1.64.0/20", "10.1.80.0/20"],
            ],
            [
                "the smallest VPC that derives /24 private subnets over 3 zones: a /21",
                { vpcCidr: "192.168.8.0/21", zoneCount: 3 },
                ["192.168.12.0/27", "192.168.12.32/27", "192.168.12.64/27"],
                ["192.168.8.0/24", "192.168.9.0/24", "192.168.10.0/24"],
            ],
            [
                "empty explicit lists mean derive",
                { vpcCidr: "10.20.0.0/16", zoneCount: 2, publicSubnetCidrs: [], privateSubnetCidrs: [] },
                ["10.20.128.0/21", "10.20.136.0/21"],
                ["10.20.0.0/18", "10.20.64.0/18"],
            ],
        ];
        for (const [title, input, publicCidrs, privateCidrs] of good) {
            it(title, () => {
                assert.deepStrictEqual(planSubnets(input), {
                    plan: { publicSubnetCidrs: publicCidrs, privateSubnetCidrs: privateCidrs },
                    problems: [],
                });
            });
        }

        it("derived subnets never overlap and stay inside the VPC, for every VPC size and zone count that derives", () => {
            for (let prefix = 16; prefix <= 24; prefix++) {
                for (let zones = 2; zones <= 6; zones++) {
                    const result = planSubnets({ vpcCidr: `10.0.0.0/${prefix}`, zoneCount: zones });
                    if (prefix > largestDerivablePrefix(zones)) {
                        assert.strictEqual(result.plan, undefined);
                        continue;
                    }
                    const all = [...result.plan!.publicSubnetCidrs, ...result.plan!.privateSubnetCidrs];
                    // Checking a derived plan as an explicit one re-runs the overlap, range and size checks.
                    const recheck = planSubnets({
                        vpcCidr: `10.0.0.0/${prefix}`,
                        zoneCount: zones,
                        publicSubnetCidrs: result.plan!.publicSubnetCidrs,
                        privateSubnetCidrs: result.plan!.privateSubnetCidrs,
                    });
                    assert.deepStrictEqual(recheck.problems, [], `${prefix}/${zones}: ${all.join(" ")}`);
                }
            }
        });
    });

    describe("explicit plans", () => {
        it("are taken as given when they fit", () => {
            const input = {
                vpcCidr: "10.0.0.0/16",
                zoneCount: 2,
                publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/28"],
                privateSubnetCidrs: ["10.0.16.0/20", "10.0.32.0/24"],
            };
            assert.deepStrictEqual(planSubnets(input), {
                plan: { publicSubnetCidrs: input.publicSubnetCidrs, privateSubnetCidrs: input.privateSubnetCidrs },
                problems: [],
            });
        });
    });

    describe("bad plans, with the exact problems", () => {
        const bad: [string, SubnetPlanInput, Problem[]][] = [
            [
                "a VPC CIDR that is not a CIDR",
                { vpcCidr: "10.0.0.1/16", zoneCount: 3 },
                [
                    {
                        path: "vpcCidr",
                        value: "10.0.0.1/16",
                        message:
                            "not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16",
                    },
                ],
            ],
            [
                "one zone",
                { vpcCidr: "10.0.0.0/16", zoneCount: 1 },
                [{ path: "zoneCount", value: 1, message: "out of range; allowed: 2 to 6 availability zones" }],
            ],
            [
                "seven zones",
                { vpcCidr: "10.0.0.0/16", zoneCount: 7 },
                [{ path: "zoneCount", value: 7, message: "out of range; allowed: 2 to 6 availability zones" }],
            ],
            [
                "a VPC too small to derive /24 private subnets",
                { vpcCidr: "10.0.0.0/22", zoneCount: 3 },
                [
                    {
                        path: "vpcCidr",
                        value: "10.0.0.0/22",
                        message:
                            "too small to derive subnets for 3 availability zones: private subnets would be /25; they must be /24 or larger for EKS pod IPs; use a /21 or larger VPC, or set publicSubnetCidrs and privateSubnetCidrs",
                    },
                ],
            ],
            [
                "explicit lists of the wrong length (and one missing)",
                { vpcCidr: "10.0.0.0/16", zoneCount: 3, publicSubnetCidrs: ["10.0.128.0/24", "10.0.129.0/24"] },
                [
                    {
                        path: "publicSubnetCidrs",
                        value: ["10.0.128.0/24", "10.0.129.0/24"],
                        message:
                            "2 subnets for 3 availability zones; give exactly one per zone (or leave both subnet lists empty to derive them from vpcCidr)",
                    },
                    {
                        path: "privateSubnetCidrs",
                        value: [],
                        message:
                            "0 subnets for 3 availability zones; give exactly one per zone (or leave both subnet lists empty to derive them from vpcCidr)",
                    },
                ],
            ],
            [
                "out of range, not a CIDR, too small and overlapping subnets",
                {
                    vpcCidr: "10.0.0.0/16",
                    zoneCount: 2,
                    publicSubnetCidrs: ["10.1.0.0/24", "10.0.200.0/29"],
                    privateSubnetCidrs: ["10.0.0.0/25", "10.0.0.0/17"],
                },
                [
                    {
                        path: "publicSubnetCidrs[0]",
                        value: "10.1.0.0/24",
                        message: "outside the VPC 10.0.0.0/16; allowed: a block inside vpcCidr",
                    },
                    {
                        path: "publicSubnetCidrs[1]",
                        value: "10.0.200.0/29",
                        message: "too small (/29); allowed: /28 or larger (the smallest subnet AWS allows)",
                    },
                    {
                        path: "privateSubnetCidrs[0]",
                        value: "10.0.0.0/25",
                        message: "too small (/25); allowed: /24 or larger (room for EKS pod IPs)",
                    },
                ],
            ],
            [
                "overlapping subnets, across tiers and within one",
                {
                    vpcCidr: "10.0.0.0/16",
                    zoneCount: 2,
                    publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
                    privateSubnetCidrs: ["10.0.0.0/20", "10.0.8.0/21"],
                },
                [
                    {
                        path: "privateSubnetCidrs[0]",
                        value: "10.0.0.0/20",
                        message: "overlaps publicSubnetCidrs[0] (10.0.0.0/24); subnets must not overlap",
                    },
                    {
                        path: "privateSubnetCidrs[0]",
                        value: "10.0.0.0/20",
                        message: "overlaps publicSubnetCidrs[1] (10.0.1.0/24); subnets must not overlap",
                    },
                    {
                        path: "privateSubnetCidrs[1]",
                        value: "10.0.8.0/21",
                        message: "overlaps privateSubnetCidrs[0] (10.0.0.0/20); subnets must not overlap",
                    },
                ],
            ],
            [
                "an entry that is not a CIDR",
                {
                    vpcCidr: "10.0.0.0/16",
                    zoneCount: 2,
                    publicSubnetCidrs: ["10.0.128.0/24", "10.0.129.0"],
                    privateSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
                },
                [
                    {
                        path: "publicSubnetCidrs[1]",
                        value: "10.0.129.0",
                        message:
                            "not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/19",
                    },
                ],
            ],
        ];
        for (const [title, input, problems] of bad) {
            it(title, () => {
                assert.deepStrictEqual(planSubnets(input), { problems });
            });
        }
    });
});

describe("components/network/ipv4: isEveryAddress, one rule for the endpoint check and the policy pack", () => {
    it("is any /0 block, IPv4 or IPv6, and nothing narrower", () => {
        assert.deepStrictEqual(
            ["0.0.0.0/0", "::/0", "10.0.0.0/0", "10.0.0.0/8", "203.0.113.0/24", "0.0.0.0"].map((b) => [
                b,
                isEveryAddress(b),
            ]),
            [
                ["0.0.0.0/0", true],
                ["::/0", true],
                ["10.0.0.0/0", true],
                ["10.0.0.0/8", false],
                ["203.0.113.0/24", false],
                ["0.0.0.0", false],
            ],
        );
    });
});

describe("components/network/ipv4: coverEveryAddress, the union of blocks", () => {
    it("is true for a /0 or blocks whose union is the whole IPv4 space, in any order and overlapping", () => {
        assert.strictEqual(coverEveryAddress(["0.0.0.0/1", "128.0.0.0/1"]), true);
        assert.strictEqual(coverEveryAddress(["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2", "10.0.0.0/8"]), true);
        assert.strictEqual(coverEveryAddress(["203.0.113.0/24", "::/0"]), true);
    });

    it("is false when any address is left out, and ignores blocks that do not parse", () => {
        assert.strictEqual(coverEveryAddress([]), false);
        assert.strictEqual(coverEveryAddress(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"]), false);
        assert.strictEqual(coverEveryAddress(["0.0.0.0/1", "128.0.0.1/1"]), false);
        assert.strictEqual(coverEveryAddress(["128.0.0.0/1"]), false);
    });
});
