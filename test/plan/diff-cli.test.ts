import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../../scripts/plan";
import { DiffReport } from "../../plan/diff-report";
import { PlanRun, git, gitProject, runPlan as plan } from "../helpers/git-project";

/** Rewrites `from` to `to` in a file of `dir` (it must be there). */
function edit(dir: string, file: string, from: string, to: string): void {
    const p = path.join(dir, file);
    const text = fs.readFileSync(p, "utf8");
    assert.ok(text.includes(from), `${file} has ${from}`);
    fs.writeFileSync(p, text.replace(from, to));
}

/**
 * The change the issue names, on the tests' dev: the VPC's CIDR, its zone count (3 to 2), the node
 * group's instance types, and the backend's callers (the frontend loses POST, the payment gains GET).
 */
function dayTwoChange(dir: string): void {
    edit(dir, "Pulumi.dev.yaml", "platform:vpcCidr: 10.20.0.0/16", "platform:vpcCidr: 10.30.0.0/16");
    edit(dir, "Pulumi.dev.yaml", "platform:availabilityZoneCount: 3", "platform:availabilityZoneCount: 2");
    edit(dir, "Pulumi.dev-common.yaml", 'instanceTypes: ["t3.large"]', 'instanceTypes: ["m6i.large"]');
    edit(
        dir,
        "Pulumi.dev-backend.yaml",
        '    - service: frontend\n      methods: [GET, POST]\n      paths: ["/api/*"]',
        '    - service: frontend\n      methods: [GET]\n      paths: ["/api/*"]\n    - service: payment\n      methods: [GET]\n      paths: ["/api/*"]',
    );
}

// Each diff plans both trees (about 20 s on 2 cores): both runs start before the whole suite runs,
// so that they run beside the other tests, and the tests below wait for them. Each has its own
// copy of the project (two worktrees of one repository would share its lock files).
const RISKY = ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:eks/nodeGroup:NodeGroup"];
let project: string;
let run: Promise<PlanRun>;
let acknowledgedRun: Promise<PlanRun>;
before(() => {
    const args = ["--env", "dev", "--diff", "HEAD", "--out", "out/plan"];
    project = gitProject("diff-cli");
    dayTwoChange(project);
    run = plan(project, [...args, "--json", "out/diff.json", "--markdown", "out/diff.md"]);
    const other = gitProject("diff-cli-ack");
    dayTwoChange(other);
    acknowledgedRun = plan(other, [...args, ...[...RISKY, "aws:kms/key:Key"].flatMap((a) => ["--allow-replace", a])]);
});

describe("npm run plan -- --env dev --diff <ref>: a day-two change of dev, both trees planned", function () {
    this.timeout(180000);
    let report: DiffReport;
    let result: PlanRun;

    before(async () => {
        result = await run;
        report = JSON.parse(fs.readFileSync(path.join(project, "out", "diff.json"), "utf8")) as DiffReport;
    });

    it("exits 3: the VPC, the subnets and the node group are replaced or deleted, unacknowledged", () => {
        assert.strictEqual(result.status, EXIT.unacknowledged, result.stderr);
        const risky = report.stacks.flatMap((s) =>
            s.changes.filter((c) => c.risk && !c.risk.acknowledged).map((c) => `${s.stack} ${c.op} ${c.name}`),
        );
        assert.deepStrictEqual(risky.sort(), [
            "dev delete dev-global-private-subnet-2",
            "dev delete dev-global-public-subnet-2",
            "dev replace dev-global-private-subnet-0",
            "dev replace dev-global-private-subnet-1",
            "dev replace dev-global-public-subnet-0",
            "dev replace dev-global-public-subnet-1",
            "dev replace dev-global-vpc",
            "dev-common replace dev-common-general-node-group",
        ]);
        assert.strictEqual(report.unacknowledged, 8);
        assert.match(
            result.stdout,
            /8 replacement\(s\) or deletion\(s\) of protected or stateful resources not acknowledged: the plan exits 3/,
        );
    });

    it("says why each is replaced: its own replace-on-change input, or one that comes from a replaced resource", () => {
        const dev = report.stacks.find((s) => s.stack === "dev")!;
        const change = (name: string) => dev.changes.find((c) => c.name === name)!;
        assert.deepStrictEqual(change("dev-global-vpc").reasons, ["cidrBlock changes (replace-on-change property)"]);
        assert.deepStrictEqual(change("dev-global-private-subnet-0").reasons, [
            "cidrBlock changes (replace-on-change property)",
            "vpcId comes from dev-global-vpc, which is replaced",
        ]);
        assert.deepStrictEqual(change("dev-global-flow-log").reasons, [
            "vpcId comes from dev-global-vpc, which is replaced",
        ]);
        assert.deepStrictEqual(change("dev-global-private-zone"), {
            op: "update",
            urn: change("dev-global-private-zone").urn,
            type: "aws:route53/zone:Zone",
            name: "dev-global-private-zone",
            inputs: ["vpcs (known after apply)"],
            reasons: [],
        });
        const common = report.stacks.find((s) => s.stack === "dev-common")!;
        assert.deepStrictEqual(
            common.changes.map((c) => `${c.op} ${c.name}: ${(c.op === "replace" ? c.reasons : c.inputs).join("; ")}`),
            [
                "replace dev-common-general-start-schedule: autoscalingGroupName comes from dev-common-general-node-group, which is replaced",
                "replace dev-common-general-stop-schedule: autoscalingGroupName comes from dev-common-general-node-group, which is replaced",
                "replace dev-common-general-node-group: instanceTypes[0] changes (replace-on-change property); subnetIds[2] changes (replace-on-change property)",
                "update dev-common-eks-cluster: privateSubnetIds[2]",
                "update istio-ingressgateway: values.service.loadBalancerSourceRanges[0]",
            ],
        );
    });

    it("lists the access edges the callers' change adds and narrows, and the service stacks it changes", () => {
        assert.deepStrictEqual(report.access, [
            { change: "changed", from: "frontend", to: "backend", allowedNow: [], refusedNow: ["POST /api/example"] },
            { change: "added", from: "payment", to: "backend", allowedNow: ["GET /api/example"], refusedNow: [] },
        ]);
        // The backend's own policies change, and so do its callers' egress (payment's Sidecar: it may call the backend now).
        assert.deepStrictEqual(report.changedStacks, [
            "dev",
            "dev-common",
            "dev-backend",
            "dev-frontend",
            "dev-payment",
        ]);
        const payment = report.stacks.find((s) => s.stack === "dev-payment")!;
        assert.deepStrictEqual(
            payment.changes.map((c) => `${c.op} ${c.type} ${c.name}`),
            [
                "update kubernetes:networking.istio.io/v1:Sidecar payment-sidecar",
                "update kubernetes:networking.k8s.io/v1:NetworkPolicy payment-allow-egress",
            ],
        );
        assert.deepStrictEqual(report.removedStacks, []);
    });

    it("prints per stack what is replaced, deleted, created and updated, and writes the Markdown comment", () => {
        assert.match(result.stdout, /^diff of environment dev: HEAD \([0-9a-f]{12}\) -> this tree$/m);
        assert.match(
            result.stdout,
            /^dev \(global\): 28 to replace, 6 to delete, 0 to create, 2 to update, 8 unchanged$/m,
        );
        assert.match(
            result.stdout,
            /^ {2}\+- aws:ec2\/vpc:Vpc dev-global-vpc\n {7}because cidrBlock changes \(replace-on-change property\)\n {7}RISK: protected \(protect: the engine refuses it until the resource is unprotected\); stateful: every subnet/m,
        );
        assert.match(
            result.stdout,
            /^ {2}~ {2}aws:route53\/zone:Zone dev-global-private-zone: vpcs \(known after apply\)$/m,
        );
        assert.match(result.stdout, /^ {2}- {2}aws:ec2\/subnet:Subnet dev-global-private-subnet-2$/m);
        assert.match(
            result.stdout,
            /^ {2}\+ frontend -> payment|^ {2}\+ payment -> backend: now allowed: GET \/api\/example$/m,
        );
        assert.match(result.stdout, /^note: AWS resources are planned under Pulumi's mocks/m);
        const markdown = fs.readFileSync(path.join(project, "out", "diff.md"), "utf8");
        assert.match(markdown, /^### Plan diff of `dev`: `HEAD` \([0-9a-f]{12}\) → this change$/m);
        assert.match(
            markdown,
            /^\| `dev` \| replace \| `aws:ec2\/vpc:Vpc` dev-global-vpc \| cidrBlock changes \(replace-on-change property\) \| protected \(protect: the engine refuses it until the resource is unprotected\); stateful: every subnet.*\[acknowledge with --allow-replace aws:ec2\/vpc:Vpc\] \|$/m,
        );
        assert.match(markdown, /^- `\+ payment -> backend: now allowed: GET \/api\/example`$/m);
    });

    it("plans the ref's tree from a temporary worktree with this checkout's node_modules, and removes it", () => {
        assert.doesNotMatch(result.stderr, /npm ci/);
        assert.strictEqual(git(project, "worktree", "list").split("\n").length, 1);
    });

    it("with --allow-replace naming each risky type it exits 0, and warns about one that names nothing", async () => {
        const acknowledged = await acknowledgedRun;
        assert.strictEqual(acknowledged.status, EXIT.ok, acknowledged.stdout + acknowledged.stderr);
        assert.match(
            acknowledged.stdout,
            /^ {7}protected \(protect: the engine refuses it until the resource is unprotected\); stateful: every subnet.* \[acknowledged by --allow-replace\]$/m,
        );
        assert.doesNotMatch(acknowledged.stdout, /RISK:/);
        assert.match(
            acknowledged.stderr,
            /^warning: --allow-replace aws:kms\/key:Key acknowledges nothing in this diff: no replacement or deletion of a protected or stateful resource has that URN or type$/m,
        );
    });

    it("a ref that names no commit is a usage error, before anything is planned", async () => {
        const bad = await plan(project, ["--env", "dev", "--diff", "no-such-branch"]);
        assert.strictEqual(bad.status, EXIT.usage);
        assert.match(
            bad.stderr,
            /^plan: --diff no-such-branch: not a commit of the repository in \S+; allowed: a branch, tag or commit \(e\.g\. main, origin\/main, HEAD~1\); in CI, fetch it first \(actions\/checkout with fetch-depth: 0\)$/m,
        );
    });
});
