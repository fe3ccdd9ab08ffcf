import * as assert from "assert";
import {
    GlobalConfig,
    ProblemError,
    ServiceConfig,
    describeProblem,
    isConfigError,
    parseConfig,
} from "../../infra/config";
import { awsRegions } from "../../components/conventions";
import { DEV_GLOBAL_CONFIG, KMS_KEY_ADMIN_ARNS, MINIMAL_COMMON_CONFIG } from "../helpers/config";

/** The allowed regions as the region check lists them (the list itself is tested below). */
const REGIONS = awsRegions().join(", ");

/** The least a service stack must set. */
const SERVICE = { layer: "service", versions: [{ name: "v1", image: "registry.example.com/app:1.0.0", weight: 100 }] };

/** The engine's string form of short-keyed values. */
function raw(values: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        out[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/** The problems (as printed) that parsing `values` for `stack` reports. */
function problems(stack: string, values: Record<string, unknown>): string[] {
    try {
        parseConfig(stack, raw(values));
    } catch (err) {
        if (isConfigError(err)) {
            return err.problems.map(describeProblem);
        }
        throw err;
    }
    return [];
}

describe("config (infra/config.ts)", () => {
    it("parses a global stack into the environment's settings", () => {
        const config = parseConfig("dev", raw(DEV_GLOBAL_CONFIG)) as GlobalConfig;
        assert.strictEqual(config.layer, "global");
        assert.deepStrictEqual(config.environment, {
            env: "dev",
            region: "eu-central-1",
            team: "platform-team",
            contact: "platform-team@example.com",
            timeZone: "Europe/Berlin",
            startTime: "07:00",
            stopTime: "19:00",
        });
        assert.strictEqual(config.vpcCidr, "10.20.0.0/16");
    });

    it("applies the declared defaults", () => {
        const config = parseConfig(
            "int",
            raw({
                layer: "global",
                region: "us-east-1",
                team: "payments",
                contact: "payments@example.com",
                kmsKeyAdminArns: KMS_KEY_ADMIN_ARNS,
            }),
        ) as GlobalConfig;
        assert.strictEqual(config.environment.timeZone, "UTC");
        assert.strictEqual(config.environment.startTime, "08:00");
        assert.strictEqual(config.environment.stopTime, "20:00");
        assert.strictEqual(config.vpcCidr, "10.0.0.0/16");
    });

    it("accepts current IANA names that ICU knows under a legacy alias, whatever the Node version", () => {
        for (const timeZone of [
            "Asia/Kolkata",
            "Europe/Kyiv",
            "Etc/UTC",
            "UTC",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ]) {
            const config = parseConfig("dev", raw({ ...DEV_GLOBAL_CONFIG, timeZone })) as GlobalConfig;
            assert.strictEqual(config.environment.timeZone, timeZone);
        }
    });

    it("splits a service stack name one way only: <env>-<service>", () => {
        const config = parseConfig("dev-customer-svc", raw(SERVICE)) as ServiceConfig;
        assert.strictEqual(config.env, "dev");
        assert.strictEqual(config.service, "customer-svc");
        assert.strictEqual(config.organization, "organization");
    });

    it("the error names the stack and its file, and says nothing was created", () => {
        assert.throws(() => parseConfig("dev", raw({ ...DEV_GLOBAL_CONFIG, vpcCidr: "10.0.0.0/33" })), {
            name: "ConfigError",
            message:
                'Configuration of stack "dev" (Pulumi.dev.yaml) is invalid; nothing was created:\n' +
                '  - platform:vpcCidr = "10.0.0.0/33": not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16',
        });
    });

    const cases: [string, string, Record<string, unknown>, string[]][] = [
        [
            "a bad CIDR",
            "dev",
            { ...DEV_GLOBAL_CONFIG, vpcCidr: "10.0.0.1/16" },
            [
                'platform:vpcCidr = "10.0.0.1/16": not an IPv4 CIDR block; allowed: a.b.c.d/n with the address at the start of the block, e.g. 10.0.0.0/16',
            ],
        ],
        [
            "a VPC CIDR too large",
            "dev",
            { ...DEV_GLOBAL_CONFIG, vpcCidr: "10.0.0.0/8" },
            ['platform:vpcCidr = "10.0.0.0/8": prefix /8 is out of range; allowed: /16 to /24'],
        ],
        [
            "an unknown layer",
            "dev",
            { ...DEV_GLOBAL_CONFIG, layer: "network" },
            [
                'platform:layer = "network": unknown layer; allowed: global (stack <env>), common (stack <env>-common), service (stack <env>-<service>); stack "dev" is named as a global stack',
            ],
        ],
        [
            "a bad e-mail in contact",
            "dev",
            { ...DEV_GLOBAL_CONFIG, contact: "platform-team" },
            [
                'platform:contact = "platform-team": not an e-mail address; allowed: name@domain, e.g. platform-team@example.com',
            ],
        ],
        [
            "bad HH:MM times",
            "dev",
            { ...DEV_GLOBAL_CONFIG, startTime: "7:00", stopTime: "24:00" },
            [
                'platform:startTime = "7:00": not a time; allowed: HH:MM on a 24-hour clock, e.g. 08:00 or 19:30',
                'platform:stopTime = "24:00": not a time; allowed: HH:MM on a 24-hour clock, e.g. 08:00 or 19:30',
            ],
        ],
        [
            "an unknown time zone",
            "dev",
            { ...DEV_GLOBAL_CONFIG, timeZone: "Europe/Atlantis" },
            [
                'platform:timeZone = "Europe/Atlantis": unknown time zone; allowed: an IANA time zone, e.g. Europe/Berlin, America/New_York or UTC',
            ],
        ],
        [
            "a time zone in the wrong case",
            "dev",
            { ...DEV_GLOBAL_CONFIG, timeZone: "europe/berlin" },
            ['platform:timeZone = "europe/berlin": not the tz database\'s spelling; use "Europe/Berlin"'],
        ],
        [
            "a time zone in lower case whose ICU name differs",
            "dev",
            { ...DEV_GLOBAL_CONFIG, timeZone: "asia/kolkata" },
            [
                `platform:timeZone = "asia/kolkata": not the tz database's spelling; allowed: each part capitalised as in the tz database, e.g. Asia/Kolkata`,
            ],
        ],
        [
            "a bad region",
            "dev",
            { ...DEV_GLOBAL_CONFIG, region: "Frankfurt" },
            [`platform:region = "Frankfurt": unknown AWS region; allowed: ${REGIONS}`],
        ],
        [
            "a misspelt region, with a suggestion",
            "dev",
            { ...DEV_GLOBAL_CONFIG, region: "eu-centrl-1" },
            [`platform:region = "eu-centrl-1": unknown AWS region; did you mean eu-central-1? allowed: ${REGIONS}`],
        ],
        [
            "a stop time equal to the start time",
            "dev",
            { ...DEV_GLOBAL_CONFIG, startTime: "08:00", stopTime: "08:00" },
            [
                'platform:stopTime = "08:00": equal to startTime: the start and stop schedules would fire at the same minute; allowed: any HH:MM other than 08:00',
            ],
        ],
        [
            "a bad team name",
            "dev",
            { ...DEV_GLOBAL_CONFIG, team: "Platform Team" },
            [
                `platform:team = "Platform Team": not a team name; allowed: lower-case letters, digits and single '-', at most 63 characters, e.g. platform-team`,
            ],
        ],
        [
            "a service called common",
            "dev-common",
            SERVICE,
            [
                `platform:layer = "service": stack "dev-common" is the environment's common stack (its name ends in "-common"), so its layer is common; set platform:layer: common in Pulumi.dev-common.yaml (a service needs a stack <env>-<service> with a name other than global or common)`,
            ],
        ],
        [
            "a service called global",
            "dev-global",
            SERVICE,
            [
                `platform:layer = "service": stack "dev-global" names the service "global", which is reserved for the global layer; choose another service name (allowed: lower-case letters, digits and '-', not global or common)`,
            ],
        ],
        [
            "missing required keys",
            "dev",
            { layer: "global" },
            [
                'platform:region = (not set): required in stack "dev"; set it with pulumi config set region <value>',
                'platform:team = (not set): required in stack "dev"; set it with pulumi config set team <value>',
                'platform:contact = (not set): required in stack "dev"; set it with pulumi config set contact <value>',
                "platform:kmsKeyAdminArns = []: at least one key administrator is needed, and the role that runs pulumi up must be one of them (AWS refuses a key policy that locks its creator out); allowed: IAM role or user ARNs, e.g. arn:aws:iam::123456789012:role/platform-admins",
            ],
        ],
        [
            "a missing layer",
            "dev",
            { region: "eu-central-1" },
            [
                'platform:layer = (not set): required; allowed: global (stack <env>), common (stack <env>-common), service (stack <env>-<service>); stack "dev" is named as a global stack: set platform:layer: global in Pulumi.dev.yaml',
            ],
        ],
        [
            "a missing layer in a service stack",
            "dev-orders",
            { versions: SERVICE.versions },
            [
                'platform:layer = (not set): required; allowed: global (stack <env>), common (stack <env>-common), service (stack <env>-<service>); stack "dev-orders" is named as a service stack: set platform:layer: service in Pulumi.dev-orders.yaml',
            ],
        ],
        [
            "a global stack name with a service part",
            "dev-backend",
            { ...DEV_GLOBAL_CONFIG },
            [
                `platform:layer = "global": stack name "dev-backend" does not fit the global layer: it has a part after the environment ("backend"); a global stack is named <env>, e.g. dev (environment names are lower-case letters and digits, no '-')`,
            ],
        ],
        [
            "a common stack not ending in -common",
            "dev",
            { layer: "common" },
            [
                `platform:layer = "common": stack name "dev" does not fit the common layer: it does not end in "-common"; a common stack is named <env>-common, e.g. dev-common (environment names are lower-case letters and digits, no '-')`,
            ],
        ],
        [
            "an environment name with upper case",
            "Dev",
            { ...DEV_GLOBAL_CONFIG },
            [
                `platform:layer = "global": stack name "Dev" does not fit the global layer: "Dev" is not an environment name; a global stack is named <env>, e.g. dev (environment names are lower-case letters and digits, no '-')`,
            ],
        ],
        [
            "a service name with an underscore",
            "dev-my_svc",
            SERVICE,
            [
                `platform:layer = "service": stack name "dev-my_svc" does not fit the service layer: "my_svc" is not a service name (lower-case letters, digits and single '-', starting with a letter, at most 40 characters); a service stack is named <env>-<service>, e.g. dev-backend (environment names are lower-case letters and digits, no '-')`,
            ],
        ],
        [
            "an unknown key, with a suggestion",
            "dev",
            { ...DEV_GLOBAL_CONFIG, vpcCdir: "10.0.0.0/16" },
            [
                'platform:vpcCdir = "10.0.0.0/16": unknown key; did you mean platform:vpcCidr? the keys are declared in Pulumi.yaml',
            ],
        ],
    ];
    for (const [why, stack, values, expected] of cases) {
        it(`rejects ${why} with the exact message`, () => {
            assert.deepStrictEqual(problems(stack, values), expected);
        });
    }

    it("refuses keys of another layer instead of ignoring them", () => {
        assert.deepStrictEqual(
            problems("dev-common", { ...MINIMAL_COMMON_CONFIG, region: "us-east-1", vpcCidr: "10.9.0.0/16" }),
            [
                'platform:region = "us-east-1": not read by the common layer; it belongs to the global layer: set it in Pulumi.dev.yaml instead',
                'platform:vpcCidr = "10.9.0.0/16": not read by the common layer; it belongs to the global layer: set it in Pulumi.dev.yaml instead',
            ],
        );
        assert.deepStrictEqual(problems("dev", { ...DEV_GLOBAL_CONFIG, organization: "acme" }), [
            'platform:organization = "acme": not read by the global layer; it belongs to the common and service layers: set it in Pulumi.dev-common.yaml and each Pulumi.dev-<service>.yaml instead',
        ]);
        // Pulumi.yaml's defaults reach every stack; they are not "set".
        assert.deepStrictEqual(problems("dev-common", { ...MINIMAL_COMMON_CONFIG, region: "", timeZone: "UTC" }), []);
    });

    it("refuses a key of another layer that the stack file sets, even at its default value", () => {
        const values = { ...DEV_GLOBAL_CONFIG, retries: 2 };
        const inFile = new Set([...Object.keys(DEV_GLOBAL_CONFIG), "retries"]);
        assert.throws(
            () => parseConfig("dev", raw(values), {}, [], inFile),
            (err: ProblemError) => {
                assert.deepStrictEqual(err.problems.map(describeProblem), [
                    "platform:retries = 2: not read by the global layer; it belongs to the service layer: set it in each Pulumi.dev-<service>.yaml instead",
                ]);
                return true;
            },
        );
        // The same value from Pulumi.yaml's defaults (not in the file) is no problem.
        assert.doesNotThrow(() => parseConfig("dev", raw(values), {}, [], new Set(Object.keys(DEV_GLOBAL_CONFIG))));
    });

    it("reports a required key its stack file sets to an empty string as empty, one it leaves out as not set", () => {
        const values = { ...DEV_GLOBAL_CONFIG, team: "", contact: "" };
        const inFile = new Set([...Object.keys(DEV_GLOBAL_CONFIG).filter((k) => k !== "contact"), "team"]);
        assert.throws(() => parseConfig("dev", raw(values), {}, [], inFile), {
            name: "ConfigError",
            message:
                'Configuration of stack "dev" (Pulumi.dev.yaml) is invalid; nothing was created:\n' +
                '  - platform:team = "": empty; required in stack "dev"; set it with pulumi config set team <value>\n' +
                '  - platform:contact = (not set): required in stack "dev"; set it with pulumi config set contact <value>',
        });
        assert.throws(() => parseConfig("dev", raw({ ...DEV_GLOBAL_CONFIG, layer: "" }), {}, [], inFile), {
            name: "ConfigError",
            message:
                'Configuration of stack "dev" (Pulumi.dev.yaml) is invalid; nothing was created:\n' +
                '  - platform:layer = "": empty; required; allowed: global (stack <env>), common (stack <env>-common), service (stack <env>-<service>); stack "dev" is named as a global stack: set platform:layer: global in Pulumi.dev.yaml',
        });
    });

    it("collects every problem of a stack in one error", () => {
        assert.deepStrictEqual(
            problems("dev", { ...DEV_GLOBAL_CONFIG, contact: "x", vpcCidr: "nope", timeZone: "Mars/Olympus" }).map(
                (p) => p.split(" = ")[0],
            ),
            ["platform:contact", "platform:timeZone", "platform:vpcCidr"],
        );
    });
});
