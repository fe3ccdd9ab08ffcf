// Entry point of the Pulumi program (Pulumi.yaml: main: infra/index.ts). The stack's layer comes
// from `platform:layer`; its outputs become the stack outputs.
import { main } from "./program";

export = main();
