// The platform's policy pack (CrossGuard): `pulumi preview --policy-pack policy` from the
// repository root. The policies live in ./policies.ts; see docs/operations.md "Policy pack".
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";
import { noPlaintextSecrets } from "./secrets";

new PolicyPack("platform", {
    policies: POLICIES.map((p) =>
        // Under the real engine @pulumi/policy hands a policy every Pulumi secret already
        // unwrapped, so this pack cannot tell a secret from plain text there: it would flag
        // every properly secret password. It stays mandatory in the offline plan, where secrets
        // are masked, and advises under the engine.
        p === noPlaintextSecrets ? { ...p, enforcementLevel: "advisory" as const } : p,
    ),
});
