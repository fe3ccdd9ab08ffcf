// Writes the config the engine hands a program of this project, exactly as the program sees it:
// every key's string form (pulumi.runtime.allConfig) and the keys marked secret. Registers
// nothing. Run by test/integration/engine-config.test.ts with PLATFORM_CAPTURE_FILE set.
"use strict";
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");

const config = pulumi.runtime.allConfig();
const secretKeys = Object.keys(config)
    .filter((k) => pulumi.runtime.isConfigSecret(k))
    .sort();
fs.writeFileSync(
    process.env.PLATFORM_CAPTURE_FILE,
    JSON.stringify({ stack: pulumi.getStack(), config, secretKeys }, null, 2),
);
