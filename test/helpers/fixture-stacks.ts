// Loaded by `npm test`'s mocha (.mocharc.json "require"), not by the integration or oracle suites:
// the program under test reads its environment's access graph from the fixture stacks, not from
// the example stack files at the repository root.
import { STACK_CONFIG_DIR_VARIABLE } from "../../infra/environment";
import { FIXTURE_STACKS } from "./stacks";

process.env[STACK_CONFIG_DIR_VARIABLE] = FIXTURE_STACKS;
