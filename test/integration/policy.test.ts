// The policy pack under the real engine and the real analyzer (@pulumi/policy started by the
// engine): it refuses a forbidden change naming the policy, reports a password in plain text, and
// does not report one that is a Pulumi secret, which the engine hands the pack decrypted.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../plan/stack-config";
import { Backend, CommandResult, describe as describeCommand, programProject } from "../../plan/engine/engine";
import { programDir } from "./helpers/programs";
import { kubeconfigFile } from "../../plan/engine/kube";

/** Each `- [level]  policy  (type: name)` line of the engine's policy summary. */
function reported(r: CommandResult): string[] {
    return [...r.stdout.matchAll(/- \[(mandatory|advisory)\]\s+([a-z0-9-]+)\s+\(([^)]+)\)/g)]
        .map((m) => `${m[1]} ${m[2]} ${m[3]}`)
        .sort();
}

describe("the policy pack under the real engine", function () {
    this.timeout(10 * 60 * 1000);
    let result: CommandResult;

    before(async () => {
        const backend = new Backend("policy");
        const dir = programProject("forbidden", programDir("forbidden"), {
            config: null,
            files: { kubeconfig: fs.readFileSync(kubeconfigFile(), "utf8") },
        });
        await backend.ok(dir, ["stack", "init", "forbidden"]);
        result = await backend.run(dir, [
            "preview",
            "--stack",
            "forbidden",
            "--policy-pack",
            path.join(ROOT, "policy"),
        ]);
    });

    it("refuses an image tagged latest, naming the policy, and stops the preview", () => {
        assert.notStrictEqual(result.code, 0, describeCommand(result));
        assert.match(
            result.stdout,
            /k8s-pinned-images[\s\S]*image "registry\.example\.com\/shop\/app:latest" uses the mutable tag latest/,
            describeCommand(result),
        );
    });

    it("reports the password in plain text and not the one that is a Pulumi secret", () => {
        assert.deepStrictEqual(
            reported(result),
            [
                "mandatory k8s-hardened-security-context kubernetes:apps/v1:Deployment: forbidden",
                "mandatory k8s-pinned-images kubernetes:apps/v1:Deployment: forbidden",
                "mandatory k8s-requests-and-limits kubernetes:apps/v1:Deployment: forbidden",
                "mandatory no-plaintext-secrets kubernetes:core/v1:ConfigMap: plain-password",
            ],
            describeCommand(result),
        );
        assert.doesNotMatch(result.stdout + result.stderr, /not-shown-s3cret/);
    });
});
