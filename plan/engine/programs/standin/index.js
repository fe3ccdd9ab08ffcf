// A stand-in for a stack of this project that cannot run here (the global stack needs the aws
// provider, the common stack an EKS cluster): it exports the outputs in outputs.json beside it,
// the ones in its `secret` list as secrets, so that the service stacks' StackReferences read them
// from a real backend. It creates no resource. Used by the integration suite only.
"use strict";
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "outputs.json"), "utf8"));
for (const [key, value] of Object.entries(spec.outputs)) {
    module.exports[key] = spec.secret.includes(key) ? pulumi.secret(value) : value;
}
