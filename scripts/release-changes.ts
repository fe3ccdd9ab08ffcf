// What an environment deployed from the latest release sees when it is updated to this tree, as
// the offline plans of both trees tell it (plan/release-diff.ts), against CHANGELOG.md's
// Unreleased list (docs/releasing.md, "The declared changes"):
//
//   npm run release-changes
//
// checks the latest release out into a temporary git worktree (node_modules cached by lockfile
// hash in $PLATFORM_CI_CACHE/release-node-modules, default ~/.cache/platform-ci: the first run
// takes minutes for `npm ci`), plans environment `dev` from the release's fixture stack files in
// both trees, prints the list's sections for those stacks as the plans show them, and compares.
// The existing-cluster common stack is seen by the engine only: the release-upgrade test
// (test/integration/release-upgrade.test.ts) prints its entry.
//
// Exit code: 0 the list says exactly that, 1 it differs (each difference printed), 2 the release
// could not be checked out or planned, 64 a usage error.
import { Command, CommanderError } from "commander";
import * as os from "os";
import * as path from "path";
import { readChangelog } from "../plan/changelog";
import { compareUpgradeWithList, listOfUpgrade, offlineUpgrade } from "../plan/release-diff";
import { checkoutRelease } from "../plan/release-tree";

const ENV = "dev";

async function run(): Promise<number> {
    try {
        new Command("release-changes")
            .description(
                "Prints what an environment of the latest release sees on update to this tree (offline plans of both trees) and compares it with CHANGELOG.md's Unreleased list.",
            )
            .exitOverride()
            .parse();
    } catch (err) {
        // Commander has printed the help or the usage error.
        return err instanceof CommanderError && err.code === "commander.helpDisplayed" ? 0 : 64;
    }
    const changelog = readChangelog();
    const previous = changelog.releases[0];
    if (previous === undefined) {
        console.error("release-changes: CHANGELOG.md has no release to compare with");
        return 2;
    }
    const cacheDir = process.env.PLATFORM_CI_CACHE ?? path.join(os.homedir(), ".cache", "platform-ci");
    const tree = checkoutRelease(previous, { cacheDir, log: (line) => console.error(line) });
    try {
        const upgrades = await offlineUpgrade(tree, ENV);
        console.log(
            `What ${ENV} (${previous.tag}'s test/fixtures/stacks) sees on update from ${previous.tag} (${tree.commit.slice(0, 12)}) to this tree, by the offline plans:`,
        );
        console.log(JSON.stringify(listOfUpgrade(upgrades), null, 4));
        if (changelog.unreleased === undefined) {
            console.log("CHANGELOG.md's Unreleased section has no ```json upgrade list yet: write one from the above.");
            return 1;
        }
        const problems = compareUpgradeWithList(changelog.unreleased, upgrades);
        if (problems.length === 0) {
            console.log("CHANGELOG.md's Unreleased list says exactly this for these stacks.");
            return 0;
        }
        console.log(`CHANGELOG.md's Unreleased list differs:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        return 1;
    } finally {
        tree.remove();
    }
}

run().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(`release-changes: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(2);
    },
);
