// Loaded by mocha before any test (.mocharc.json "require"): the plan's mocks, set before anything else loads.
import "../../plan/setup";
