import * as assert from "assert";
import {
    ISTIO_VERSION,
    compareIstioReleases,
    istioReleaseProblem,
    newestIstioRelease,
    revisionTagProblem,
    revisionTagWebhookName,
} from "../../../components/mesh";

describe("control-plane revisions and tags (components/mesh/revisions.ts)", () => {
    it("orders Istio releases as Istio does: minor, patch, then alpha < beta < rc < the release", () => {
        const ordered = [
            "1.29.9",
            "1.30.0-alpha.1",
            "1.30.0-beta.0",
            "1.30.0-rc.0",
            "1.30.0-rc.2",
            "1.30.0",
            "1.30.4",
            "1.30.10",
            "1.31.0-rc.0",
            "1.31.0",
        ];
        const shuffled = [...ordered].reverse();
        assert.deepStrictEqual(shuffled.sort(compareIstioReleases), ordered);
        assert.strictEqual(newestIstioRelease(["1.30.4", "1.31.0-rc.0"]), "1.31.0-rc.0");
        assert.strictEqual(newestIstioRelease(["1.31.0", "1.31.0-rc.0"]), "1.31.0");
        assert.throws(() => compareIstioReleases("1.30", "1.30.4"), /not an Istio release: 1\.30$/);
    });

    it("takes a release within one minor of the pinned one, and nothing else", () => {
        assert.strictEqual(ISTIO_VERSION, "1.30.4");
        for (const ok of ["", "1.29.0", "1.30.4", "1.31.0-rc.0", "1.31.12"]) {
            assert.strictEqual(istioReleaseProblem(ok), undefined, ok);
        }
        for (const [bad, start] of [
            ["1.28.3", "more than one minor from the pinned 1.30.4"],
            ["1.32.0", "more than one minor from the pinned 1.30.4"],
            ["v1.31.0", "not an Istio release"],
            ["1.31", "not an Istio release"],
            ["1.31.0-preview.1", "not an Istio release"],
            ["2.0.0", "not an Istio release"],
        ]) {
            assert.ok(istioReleaseProblem(bad)?.startsWith(start), `${bad}: ${istioReleaseProblem(bad)}`);
        }
    });

    it("takes a tag that is a DNS label, not default, not a revision's name, pointing at a revision the mesh runs", () => {
        const revisions = ["1-30", "1-31"];
        assert.strictEqual(revisionTagProblem("stable", "1-30", revisions), undefined);
        assert.strictEqual(revisionTagProblem("prod-canary", "1-31", revisions), undefined);
        assert.match(revisionTagProblem("Stable", "1-30", revisions)!, /^not a tag name/);
        assert.match(revisionTagProblem("default", "1-30", revisions)!, /^the tag 'default'/);
        assert.match(revisionTagProblem("1-30", "1-31", revisions)!, /^the name of a revision of the mesh/);
        assert.match(revisionTagProblem("stable", "1-29", revisions)!, /allowed: 1-30, 1-31$/);
        // A mesh without named revisions has nothing a tag could point at.
        assert.match(revisionTagProblem("stable", "", ["", ""])!, /allowed: none: set meshRevision first/);
        assert.strictEqual(revisionTagWebhookName("stable"), "istio-revision-tag-stable");
    });
});
