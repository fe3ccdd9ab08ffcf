import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readHostClaims } from "../../infra/hosts";
import { duplicateHostProblem } from "../../layers/service/hosts";
import { isConfigError } from "../../layers/config";
import { describeProblem } from "../../components/problems";
import { planEnvironment, planStack } from "../../plan/plan";
import { copyFixtureStacks } from "../helpers/stacks";
import { tempDir } from "../helpers/temp";

const ZONE = "dev.internal.example.com";

/** A copy of the fixture stacks where payment is exposed too, with `extra` lines under its config. */
function withExposedPayment(extra: string): string {
    const dir = copyFixtureStacks(tempDir("hosts"), { project: true });
    const file = path.join(dir, "Pulumi.dev-payment.yaml");
    fs.writeFileSync(
        file,
        fs.readFileSync(file, "utf8").replace("config:\n", `config:\n  platform:exposed: true\n${extra}`),
    );
    return dir;
}

/** The problems of a plan that must fail with a config error, and the error's heading. */
async function planProblems(plan: () => Promise<unknown>): Promise<{ heading: string; problems: string[] }> {
    try {
        await plan();
    } catch (err) {
        if (isConfigError(err)) {
            return { heading: err.message.split("\n")[0], problems: err.problems.map(describeProblem) };
        }
        throw err;
    }
    throw new Error("the plan did not fail");
}

describe("one host, one service (infra/hosts.ts)", function () {
    this.timeout(60000);

    it("reads the host each exposed service of the environment claims: publicHost, or <service>.<zone>", () => {
        const dir = withExposedPayment("  platform:publicHost: Pay.Dev.Internal.Example.com.\n");
        assert.deepStrictEqual(readHostClaims("dev", ZONE, dir), [
            { service: "frontend", file: "Pulumi.dev-frontend.yaml", host: `frontend.${ZONE}`, explicit: false },
            { service: "payment", file: "Pulumi.dev-payment.yaml", host: `pay.${ZONE}`, explicit: true },
        ]);
    });

    it("a second service claiming a host is refused, naming its key and the other service's file", () => {
        const claims = [
            { service: "frontend", file: "Pulumi.dev-frontend.yaml", host: `frontend.${ZONE}`, explicit: false },
        ];
        assert.strictEqual(duplicateHostProblem("dev", "frontend", `frontend.${ZONE}`, false, claims), undefined);
        assert.strictEqual(duplicateHostProblem("dev", "payment", `payment.${ZONE}`, false, claims), undefined);
        assert.deepStrictEqual(duplicateHostProblem("dev", "payment", `FRONTEND.${ZONE}.`, true, claims), {
            path: "platform:publicHost",
            value: `FRONTEND.${ZONE}.`,
            message: `the host frontend.${ZONE} is also claimed by Pulumi.dev-frontend.yaml (platform:exposed, its default host): two services cannot serve one host on the gateway (their Gateways would split its routes, and a JWT rule would hold on one of them only); allowed: a host no other service of environment "dev" claims, e.g. set platform:publicHost to another name`,
        });
    });

    it("the plan refuses both services before anything is created, each naming the other's file", async () => {
        const dir = withExposedPayment(`  platform:publicHost: frontend.${ZONE}\n`);
        const explain =
            'two services cannot serve one host on the gateway (their Gateways would split its routes, and a JWT rule would hold on one of them only); allowed: a host no other service of environment "dev" claims, e.g. set platform:publicHost to another name';
        assert.deepStrictEqual(await planProblems(() => planEnvironment("dev", dir)), {
            heading:
                'Configuration of stack "dev-frontend" (Pulumi.dev-frontend.yaml) is invalid; nothing was created:',
            problems: [
                `platform:exposed = true: the host frontend.${ZONE} (this service's default host) is also claimed by Pulumi.dev-payment.yaml (platform:publicHost): ${explain}`,
            ],
        });
        assert.deepStrictEqual(await planProblems(() => planStack("dev-payment", dir)), {
            heading: 'Configuration of stack "dev-payment" (Pulumi.dev-payment.yaml) is invalid; nothing was created:',
            problems: [
                `platform:publicHost = "frontend.${ZONE}": the host frontend.${ZONE} is also claimed by Pulumi.dev-frontend.yaml (platform:exposed, its default host): ${explain}`,
            ],
        });
    });

    it("a default host taken by another service's publicHost is refused in the service that keeps the default", async () => {
        const dir = withExposedPayment("");
        const frontend = path.join(dir, "Pulumi.dev-frontend.yaml");
        fs.writeFileSync(
            frontend,
            fs
                .readFileSync(frontend, "utf8")
                .replace(
                    "platform:exposed: true\n",
                    `platform:exposed: true\n  platform:publicHost: payment.${ZONE}\n`,
                ),
        );
        const { heading, problems } = await planProblems(() => planEnvironment("dev", dir));
        assert.strictEqual(
            heading,
            'Configuration of stack "dev-frontend" (Pulumi.dev-frontend.yaml) is invalid; nothing was created:',
        );
        assert.deepStrictEqual(problems, [
            `platform:publicHost = "payment.${ZONE}": the host payment.${ZONE} is also claimed by Pulumi.dev-payment.yaml (platform:exposed, its default host): two services cannot serve one host on the gateway (their Gateways would split its routes, and a JWT rule would hold on one of them only); allowed: a host no other service of environment "dev" claims, e.g. set platform:publicHost to another name`,
        ]);
    });
});
