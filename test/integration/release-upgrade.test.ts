// The upgrade of an environment from the previous release to this tree (docs/releasing.md). The
// previous release is CHANGELOG.md's latest: its tree is checked out into a temporary git worktree
// (the tag's commit, else the commit the changelog records) with its own node_modules (npm ci once
// per lockfile, cached outside the clone: plan/release-tree.ts). First, offline, its own plan and
// this tree's of its fixture environment must differ exactly as the Unreleased list declares for
// dev, dev-common (EKS mode) and the services (plan/release-diff.ts; npm run release-changes).
// Then under the real engine on the suite's API server: its own program deploys dev's common stack
// in existing-cluster mode (every chart from the offline set, the suite's istiod and cert-manager
// webhooks, as in common.test.ts) and dev's three services, from its own fixture stack files; on
// the same state, this tree's `pulumi preview` of each stack must show exactly the list's steps
// (plan/upgrade.ts), replacing or deleting nothing protected; `pulumi up` applies them and a
// preview right after shows no changes; the state's protection and the stacks' outputs must have
// changed exactly as the list declares; the common stack is unprotected (as a review
// environment's teardown does) and everything destroyed, leaving nothing behind. The global stack
// is a STAND-IN STACK (plan/engine/programs/standin) exporting what each tree's offline plan
// computes for it: it needs the aws provider, which cannot be had here, so the global layer's and
// the EKS cluster's changes are checked offline only.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Release, UpgradeList, readChangelog } from "../../plan/changelog";
import { Backend, CommandResult, describe as describeCommand, projectCopy } from "../../plan/engine/engine";
import { standInOutputs } from "../../plan/engine/standin";
import { StackPlan, planEnvironment } from "../../plan/plan";
import { ROOT } from "../../plan/stack-config";
import { ReleaseTree, checkoutRelease, planRelease } from "../../plan/release-tree";
import {
    PlannedStack,
    compareUpgradeWithList,
    listOfUpgrade,
    plannedStacks,
    upgradeOfPlans,
} from "../../plan/release-diff";
import {
    ENGINE_STACKS,
    ObservedChange,
    PreviewStep,
    ProtectionOf,
    compareOutputs,
    compareProtection,
    compareWithDeclared,
    declarationsOf,
    observedChanges,
    outputChanges,
    protectedUrns,
    protectionChanges,
    protectionDeclarationsOf,
    protectionOfState,
} from "../../plan/upgrade";
import { kubectl } from "../../plan/engine/kube";
import { recordTiming } from "./helpers/timings";
import {
    CERT_MANAGER_CRDS,
    SHARED_CHARTS,
    beforeCommonDestroy,
    chartMirror,
    existingClusterConfig,
    handCrdsToCharts,
    initCommonStack,
    items,
    takeBack,
    whileChartsInstall,
    writeStackFile,
} from "./helpers/common-stack";

const ENV = "dev";
const COMMON = "dev-common";
const SERVICES = ["dev-backend", "dev-frontend", "dev-payment"];
const NAMESPACES = ["istio-system", "istio-ingress", "observability", "cert-manager"];

/** Where each stack's preview at this tree is written, for a maintainer updating the list. */
const PREVIEWS = path.join(ROOT, "out", "integration", "release-upgrade");

/** Where tool caches live outside the clone (scripts/integration.sh's PLATFORM_CI_CACHE). */
const CACHE = process.env.PLATFORM_CI_CACHE ?? path.join(os.homedir(), ".cache", "platform-ci");

describe("release upgrade: the previous release deployed, then this tree previewed (exactly the CHANGELOG's Unreleased list), applied and previewed again, under the real engine", function () {
    this.timeout(60 * 60 * 1000);
    const backend = new Backend("upgrade");
    let previous: Release;
    let declared: UpgradeList;
    let tree: ReleaseTree | undefined;
    let fixtures: string;
    let previousPlan: Map<string, PlannedStack>;
    let previousGlobal: Record<string, unknown>;
    let head: string;
    /** This tree's offline plans of the release's fixture environment. */
    let headPlans: StackPlan[];
    let crds: string[] = [];
    const protectedByStack = new Map<string, string[]>();
    const protectionBefore = new Map<string, ProtectionOf[]>();
    const outputsBefore = new Map<string, Record<string, unknown>>();
    const observed = new Map<string, ObservedChange[]>();

    const run = async (project: string, stack: string, step: string, args: string[]): Promise<CommandResult> => {
        // The release's program was type-checked by its own tests; under the engine it runs
        // transpile-only (its Pulumi.yaml runs TypeScript; this tree's runs its build).
        const transpileOnly = project === tree?.dir ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {};
        const r = await backend.run(project, [...args, "--stack", stack], transpileOnly);
        recordTiming(`${stack} (release upgrade)`, step, r.seconds);
        return r;
    };
    const ok = async (project: string, stack: string, step: string, args: string[]): Promise<CommandResult> => {
        const r = await run(project, stack, step, args);
        assert.strictEqual(r.code, 0, describeCommand(r));
        return r;
    };
    /** A stack's outputs as `pulumi stack output --json` shows them (secrets as "[secret]"). */
    const stackOutputs = async (project: string, stack: string): Promise<Record<string, unknown>> =>
        JSON.parse((await backend.ok(project, ["stack", "output", "--json", "--stack", stack])).stdout) as Record<
            string,
            unknown
        >;
    /** `pulumi up` of the common stack, then of the services at once, in `project`. */
    const upAll = async (project: string, step: string): Promise<void> => {
        const { result, copied } = await whileChartsInstall(() =>
            run(project, COMMON, step, ["up", "--yes", "--skip-preview"]),
        );
        assert.strictEqual(result.code, 0, describeCommand(result));
        assert.ok(
            copied,
            "the istiod chart made no ConfigMap istio-sidecar-injector to copy to the istiod outside the cluster",
        );
        await Promise.all(SERVICES.map((s) => ok(project, s, step, ["up", "--yes", "--skip-preview"])));
    };

    before(async function () {
        if (!fs.existsSync(SHARED_CHARTS)) {
            // A fresh clone has no offline chart set; CI has ../shared.
            this.skip();
        }
        const changelog = readChangelog();
        assert.ok(changelog.releases.length > 0, "CHANGELOG.md has no release to upgrade from");
        assert.ok(
            changelog.unreleased !== undefined,
            "CHANGELOG.md's Unreleased section has no ```json upgrade list (docs/releasing.md)",
        );
        previous = changelog.releases[0];
        declared = changelog.unreleased;
        const started = Date.now();
        tree = checkoutRelease(previous, { cacheDir: CACHE, log: (l) => console.log(`      ${l}`) });
        recordTiming(
            `${previous.tag} tree`,
            `worktree and node_modules (${tree.modules})`,
            (Date.now() - started) / 1000,
        );
        // The release's own fixture environment: what its tests deployed, and what this tree must upgrade.
        fixtures = path.join(tree.dir, "test", "fixtures", "stacks");
        previousPlan = await planRelease(tree, ENV, fixtures);
        const global = previousPlan.get(ENV);
        assert.ok(global, `${previous.tag}'s offline plan wrote no outputs for ${ENV}`);
        previousGlobal = global.outputs;
        assert.ok(
            !Object.values(previousGlobal).includes("[secret]"),
            `${ENV}'s outputs hold a secret, which a stand-in cannot take from the plan's files`,
        );
        headPlans = await planEnvironment(ENV, fixtures);
        await standInOutputs(backend, ENV, previousGlobal);
        for (const stack of SERVICES) {
            fs.copyFileSync(path.join(fixtures, `Pulumi.${stack}.yaml`), path.join(tree.dir, `Pulumi.${stack}.yaml`));
        }
        const mirror = chartMirror([path.join(tree.dir, "test", "fixtures", "chart-values")]);
        writeStackFile(tree.dir, COMMON, existingClusterConfig(path.join(fixtures, `Pulumi.${COMMON}.yaml`), mirror));
        // The release's example stack files at its root are not this environment's.
        fs.rmSync(path.join(tree.dir, `Pulumi.${ENV}.yaml`), { force: true });
        await initCommonStack(backend, tree.dir, COMMON);
        for (const stack of SERVICES) {
            await backend.ok(tree.dir, ["stack", "init", stack]);
        }
    });

    after(() => {
        takeBack([...crds, ...CERT_MANAGER_CRDS]);
        tree?.remove();
    });

    it("the offline plans of the previous release and of this tree show exactly the Unreleased list's entries for the environment's stacks (EKS mode included): changes, protection, outputs", () => {
        const upgrades = upgradeOfPlans(previousPlan, plannedStacks(headPlans));
        assert.deepStrictEqual(upgrades.map((u) => u.stack).sort(), [ENV, COMMON, ...SERVICES].sort());
        const problems = compareUpgradeWithList(declared, upgrades);
        assert.deepStrictEqual(
            problems,
            [],
            `the offline update from ${previous.tag} differs from CHANGELOG.md's Unreleased list:\n${problems.join("\n")}\n` +
                `What the plans show, as the list writes it (npm run release-changes prints it; check it is what the change means before pasting it):\n${JSON.stringify(listOfUpgrade(upgrades), null, 2)}`,
        );
    });

    it("the previous release deploys with its own program: dev-common on the existing cluster, then dev's services", async () => {
        crds = handCrdsToCharts();
        await upAll(tree!.dir, `up at ${previous.tag}`);
        const releases = items(["secrets", "-A", "-l", "owner=helm,status=deployed"]).map(
            (s) => s.metadata.labels.name,
        );
        assert.ok(releases.length > 0, "no Helm release is deployed");
        for (const stack of [COMMON, ...SERVICES]) {
            const exported = await backend.ok(tree!.dir, ["stack", "export", "--stack", stack]);
            protectedByStack.set(stack, protectedUrns(JSON.parse(exported.stdout)));
            protectionBefore.set(stack, protectionOfState(JSON.parse(exported.stdout)));
            outputsBefore.set(stack, await stackOutputs(tree!.dir, stack));
        }
    });

    it("this tree's preview of each stack, on that state, shows exactly the Unreleased list's changes and replaces or deletes nothing protected", async () => {
        // The same stack files (and their secrets) in a copy of this tree: a user's upgrade.
        const stackFiles = fs
            .readdirSync(tree!.dir)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")
            .map((f) => path.join(tree!.dir, f));
        head = projectCopy("upgrade-head", stackFiles);
        // The global stack as this tree would leave it (its own changes are not seen here).
        const headGlobal = headPlans.find((p) => p.config.stack === ENV)!.evaluation.rawOutputs;
        if (JSON.stringify(headGlobal) !== JSON.stringify(previousGlobal)) {
            await standInOutputs(backend, ENV, headGlobal);
        }
        const preview = async (stack: string): Promise<string[]> => {
            const r = await ok(head, stack, "preview at HEAD", ["preview", "--json"]);
            fs.mkdirSync(PREVIEWS, { recursive: true });
            fs.writeFileSync(path.join(PREVIEWS, `${stack}.json`), r.stdout);
            const steps = (JSON.parse(r.stdout) as { steps?: PreviewStep[] }).steps ?? [];
            const changes = observedChanges(steps);
            observed.set(stack, changes);
            const key = ENGINE_STACKS[stack] ?? stack;
            return compareWithDeclared(key, declared.stacks[key], changes, protectedByStack.get(stack));
        };
        // In layer order, as npm run env -- preview runs them: the services at once.
        const problems = [...(await preview(COMMON)), ...(await Promise.all(SERVICES.map(preview))).flat()];
        const asDeclared = Object.fromEntries(
            [COMMON, ...SERVICES].map((s) => [ENGINE_STACKS[s] ?? s, declarationsOf(observed.get(s) ?? [])]),
        );
        assert.deepStrictEqual(
            problems,
            [],
            `the update from ${previous.tag} differs from CHANGELOG.md's Unreleased list:\n${problems.join("\n")}\n` +
                `What the engine shows (previews in ${PREVIEWS}), as the list writes it (check it is what the change means before pasting it):\n${JSON.stringify(asDeclared, null, 2)}`,
        );
    });

    it("pulumi up of this tree applies them, and a preview right after shows no changes", async () => {
        await upAll(head, "up at HEAD");
        const noChanges = (stack: string) =>
            ok(head, stack, "preview at HEAD after up", ["preview", "--expect-no-changes", "--diff"]);
        await noChanges(COMMON);
        await Promise.all(SERVICES.map(noChanges));
    });

    it("after that up, the state holds exactly the protection changes and the stacks exactly the output changes the list declares", async () => {
        const problems: string[] = [];
        const seen: Record<string, unknown> = {};
        for (const stack of [COMMON, ...SERVICES]) {
            const key = ENGINE_STACKS[stack] ?? stack;
            const exported = await backend.ok(head, ["stack", "export", "--stack", stack]);
            const protection = protectionChanges(
                protectionBefore.get(stack)!,
                protectionOfState(JSON.parse(exported.stdout)),
            );
            const outputs = outputChanges(outputsBefore.get(stack)!, await stackOutputs(head, stack));
            seen[key] = { protection: protectionDeclarationsOf(protection), outputs };
            problems.push(
                ...compareProtection(key, declared.protection[key], protection),
                ...compareOutputs(key, declared.outputs[key], outputs),
            );
        }
        assert.deepStrictEqual(
            problems,
            [],
            `the update from ${previous.tag} differs from CHANGELOG.md's Unreleased list:\n${problems.join("\n")}\n` +
                `What the engine's state and outputs show:\n${JSON.stringify(seen, null, 2)}`,
        );
    });

    it("destroy, services then common, leaves none of the stacks' objects behind", async () => {
        beforeCommonDestroy();
        await Promise.all(SERVICES.map((s) => ok(head, s, "destroy", ["destroy", "--yes", "--skip-preview"])));
        // The common stack's namespaces and CA are protected now: unprotected on purpose, as the
        // teardown of a review environment does (npm run env -- destroy --unprotect).
        await ok(head, COMMON, "unprotect", ["state", "unprotect", "--all", "--yes"]);
        await ok(head, COMMON, "destroy", ["destroy", "--yes", "--skip-preview"]);
        const left = [
            ...NAMESPACES.filter((ns) => kubectl(["get", "namespace", ns]).code === 0).map((ns) => `namespace/${ns}`),
            ...items(["secrets", "-A", "-l", "owner=helm"]).map((s) => `helm release ${s.metadata.labels.name}`),
        ];
        assert.deepStrictEqual(left, []);
    });
});
