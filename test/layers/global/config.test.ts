import * as assert from "assert";
import { GlobalConfig, isConfigError, parseConfig } from "../../../layers/config";
import { validateNetworkArgs } from "../../../components/network";
import { DEV_GLOBAL_CONFIG } from "../../helpers/config";
import { readStackConfig } from "../../../plan/stack-config";
import { FIXTURE_STACKS } from "../../helpers/stacks";

/** The raw config of a global stack (short keys), as parseConfig takes it. */
function raw(values: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...DEV_GLOBAL_CONFIG, ...values })) {
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

/** The problem lines of the ConfigError that parsing `values` throws. */
function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parseConfig("dev", raw(values));
    } catch (err) {
        assert.ok(isConfigError(err), String(err));
        const [first, ...lines] = err.message.split("\n");
        assert.strictEqual(first, 'Configuration of stack "dev" (Pulumi.dev.yaml) is invalid; nothing was created:');
        return lines;
    }
    assert.fail("expected a ConfigError");
}

describe("layers/global/config: the network's config", () => {
    it("Pulumi.dev.yaml parses into the dev network: single NAT, 3 zones, 7 days, 4 endpoints", () => {
        const { config } = readStackConfig("dev", FIXTURE_STACKS);
        const short: Record<string, string> = {};
        for (const [key, value] of Object.entries(config)) {
            if (key.startsWith("platform:")) {
                short[key.slice("platform:".length)] = value;
            }
        }
        const parsed = parseConfig("dev", short) as GlobalConfig;
        // What config sets beside the zones and subnets, in both forms below.
        const rest = {
            natStrategy: "single",
            flowLogRetentionDays: 7,
            kmsKeyAdminArns: ["arn:aws:iam::123456789012:role/platform-admins"],
            interfaceEndpointServices: ["ecr.api", "ecr.dkr", "sts", "logs"],
            privateZoneName: "dev.internal.example.com",
            publicZoneName: "",
        };
        // The Network's arguments as config gives them, passed to it whole ...
        assert.deepStrictEqual(parsed.network, {
            vpcCidr: "10.20.0.0/16",
            availabilityZoneCount: 3,
            availabilityZones: [],
            publicSubnetCidrs: [],
            privateSubnetCidrs: [],
            ...rest,
        });
        // ... and what it builds from them: the subnets derived from the VPC.
        assert.deepStrictEqual(validateNetworkArgs(parsed.network, "dev", "eu-central-1").settings, {
            vpcCidr: "10.20.0.0/16",
            availabilityZones: [],
            zoneCount: 3,
            subnets: {
                publicSubnetCidrs: ["10.20.128.0/22", "10.20.132.0/22", "10.20.136.0/22"],
                privateSubnetCidrs: ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"],
            },
            ...rest,
        });
    });

    const cases: [string, Record<string, unknown>, string[]][] = [
        [
            "a KMS key admin that is a group, and one listed twice",
            {
                kmsKeyAdminArns: [
                    "arn:aws:iam::123456789012:group/admins",
                    "arn:aws:iam::123456789012:user/alice",
                    "arn:aws:iam::123456789012:user/alice",
                ],
            },
            [
                '  - platform:kmsKeyAdminArns[0] = "arn:aws:iam::123456789012:group/admins": not an IAM role or user ARN; allowed: arn:aws:iam::<12-digit account id>:role/<name> or :user/<name>, e.g. arn:aws:iam::123456789012:role/platform-admins',
                '  - platform:kmsKeyAdminArns[2] = "arn:aws:iam::123456789012:user/alice": listed twice; each administrator once',
            ],
        ],
        [
            "a zone count out of range",
            { availabilityZoneCount: 7 },
            ["  - platform:availabilityZoneCount = 7: out of range; allowed: 2 to 6 availability zones"],
        ],
        [
            "a zone count that is not a number",
            { availabilityZoneCount: "three" },
            ['  - platform:availabilityZoneCount = "three": expected a whole number'],
        ],
        [
            "zones of another region, and a single zone",
            { availabilityZones: ["us-east-1a"] },
            [
                '  - platform:availabilityZones[0] = "us-east-1a": not in the environment\'s region eu-central-1; allowed: eu-central-1a, eu-central-1b, ...',
                '  - platform:availabilityZones = ["us-east-1a"]: out of range; allowed: 2 to 6 availability zones',
            ],
        ],
        [
            "bad explicit subnets",
            {
                publicSubnetCidrs: ["10.20.128.0/24", "10.21.0.0/24", "10.20.130.0/29"],
                privateSubnetCidrs: ["10.20.0.0/19", "10.20.16.0/20", "10.20.64.0/25"],
            },
            [
                '  - platform:publicSubnetCidrs[1] = "10.21.0.0/24": outside the VPC 10.20.0.0/16; allowed: a block inside vpcCidr',
                '  - platform:publicSubnetCidrs[2] = "10.20.130.0/29": too small (/29); allowed: /28 or larger (the smallest subnet AWS allows)',
                '  - platform:privateSubnetCidrs[2] = "10.20.64.0/25": too small (/25); allowed: /24 or larger (room for EKS pod IPs)',
                '  - platform:privateSubnetCidrs[1] = "10.20.16.0/20": overlaps privateSubnetCidrs[0] (10.20.0.0/19); subnets must not overlap',
            ],
        ],
        [
            "a VPC too small to derive subnets",
            { vpcCidr: "10.20.0.0/23" },
            [
                '  - platform:vpcCidr = "10.20.0.0/23": too small to derive subnets for 3 availability zones: private subnets would be /26; they must be /24 or larger for EKS pod IPs; use a /21 or larger VPC, or set publicSubnetCidrs and privateSubnetCidrs',
            ],
        ],
        [
            "a bad VPC CIDR is reported once",
            { vpcCidr: "10.20.0.0/33" },
            [
                '  - platform:vpcCidr = "10.20.0.0/33": not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16',
            ],
        ],
        ["an unknown NAT strategy", { natStrategy: "ha" }, ['  - platform:natStrategy = "ha": allowed: perAz, single']],
        [
            "a retention CloudWatch does not offer",
            { flowLogRetentionDays: 10 },
            [
                "  - platform:flowLogRetentionDays = 10: not a CloudWatch Logs retention period; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)",
            ],
        ],
        [
            "bad endpoint names",
            { interfaceEndpointServices: ["ecr.api", "com.amazonaws.eu-central-1.sts", "s3"] },
            [
                '  - platform:interfaceEndpointServices[1] = "com.amazonaws.eu-central-1.sts": unknown endpoint service; allowed: ecr.api, ecr.dkr, sts, logs, ec2, elasticloadbalancing, autoscaling, eks, eks-auth, kms, ssm, ssmmessages, ec2messages, secretsmanager, monitoring, xray, aps-workspaces, sqs, sns',
                '  - platform:interfaceEndpointServices[2] = "s3": s3 is always created as a gateway endpoint; remove it from the list',
            ],
        ],
        [
            "bad zone names",
            { privateZoneName: "internal", publicZoneName: "dev..example.com" },
            [
                "  - platform:privateZoneName = \"internal\": not a domain name; allowed: lower-case DNS labels (a-z, 0-9, '-') joined by '.', at least two, no trailing dot, e.g. dev.internal.example.com",
                "  - platform:publicZoneName = \"dev..example.com\": not a domain name; allowed: lower-case DNS labels (a-z, 0-9, '-') joined by '.', at least two, no trailing dot, e.g. dev.internal.example.com",
            ],
        ],
        [
            "the same name for the public and the private zone",
            { privateZoneName: "dev.example.com", publicZoneName: "dev.example.com" },
            [
                '  - platform:publicZoneName = "dev.example.com": the same as privateZoneName; a public and a private zone of one name split DNS; choose another name',
            ],
        ],
    ];
    for (const [title, values, expected] of cases) {
        it(`rejects ${title}, naming the key, the value and what is allowed`, () => {
            assert.deepStrictEqual(problemsOf(values), expected);
        });
    }

    it("reports every network problem at once", () => {
        assert.strictEqual(
            problemsOf({ natStrategy: "x", flowLogRetentionDays: 2, availabilityZoneCount: 1 }).length,
            3,
        );
    });
});

describe("layers/global/config: platform:production", () => {
    it("is true unless the global stack says false: a file without the key is production", () => {
        assert.strictEqual((parseConfig("dev", raw({})) as GlobalConfig).production, true);
        assert.strictEqual((parseConfig("dev", raw({ production: false })) as GlobalConfig).production, false);
        assert.strictEqual((parseConfig("dev", raw({ production: true })) as GlobalConfig).production, true);
    });

    it("refuses what is not a boolean, naming the key and the value", () => {
        assert.deepStrictEqual(problemsOf({ production: "no" }), [
            '  - platform:production = "no": expected true or false',
        ]);
    });
});
