// Loaded by mocha before any test (.mocharc.json "require"): sets the Pulumi mocks once, before
// the program or any component is imported.
import { useMocks } from "./evaluate";

useMocks("dev");
