// Entry point of the Pulumi program. The engine runs it built (Pulumi.yaml: main:
// bin/infra/index.js, made by `npm run build`), and the built program first checks that its
// sources have not changed since (infra/build.ts). The stack's layer comes from `platform:layer`;
// its outputs become the stack outputs.
import { checkBuild } from "./build";

if (__filename.endsWith(".js")) {
    checkBuild(__dirname);
}

// Loaded after the check: a stale build must not run any of its program.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require("./program") as typeof import("./program");

export = main();
