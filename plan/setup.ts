// Loaded first (by mocha through test/helpers/setup.ts, by the scripts as their first import): sets
// the Pulumi mocks once, before the program or any component is imported.
import { useMocks } from "./evaluate";

useMocks("dev");
