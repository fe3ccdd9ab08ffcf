import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DASHBOARDS_DIR, ISTIO_DASHBOARDS } from "../../../components/observability";

describe("Istio's dashboards shipped with the project (components/observability/dashboards)", () => {
    it("has exactly the four dashboards, each a Grafana dashboard with its Istio title", () => {
        const files = fs
            .readdirSync(DASHBOARDS_DIR)
            .filter((f) => f.endsWith(".json"))
            .sort();
        assert.deepStrictEqual(files, Object.values(ISTIO_DASHBOARDS).sort());
        const titles = Object.fromEntries(
            files.map((f) => {
                const dashboard = JSON.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, f), "utf8"));
                assert.ok(Array.isArray(dashboard.panels) && dashboard.panels.length > 0, f);
                return [f, dashboard.title];
            }),
        );
        assert.deepStrictEqual(titles, {
            "istio-control-plane.json": "Istio Control Plane Dashboard",
            "istio-mesh.json": "Istio Mesh Dashboard",
            "istio-service.json": "Istio Service Dashboard",
            "istio-workload.json": "Istio Workload Dashboard",
        });
    });

    it("names the pinned upstream of every file in SOURCE.md", () => {
        const source = fs.readFileSync(path.join(DASHBOARDS_DIR, "SOURCE.md"), "utf8");
        assert.match(source, /tag `1\.30\.3`, commit `56df41f63e513f834c9a3af33d8aed82d1d961f2`/);
        for (const file of Object.values(ISTIO_DASHBOARDS)) {
            assert.match(
                source,
                new RegExp(`^\\| \`${file.replace(".", "\\.")}\` \\| \`[a-z-]+(\\.gen)?\\.json\` \\| [0-9]+ \\|$`, "m"),
                file,
            );
        }
    });

    it("fetches nothing: no dashboard refers to grafana.com", () => {
        for (const file of Object.values(ISTIO_DASHBOARDS)) {
            assert.doesNotMatch(fs.readFileSync(path.join(DASHBOARDS_DIR, file), "utf8"), /grafana\.com/, file);
        }
    });
});
