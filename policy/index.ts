// The platform's policy pack (CrossGuard): `pulumi preview --policy-pack policy` from the
// repository root. The policies live in ./policies.ts; see docs/operations.md "Policy pack".
// Every policy runs at its own enforcement level, in the offline plan as under the engine: under
// the engine, no-plaintext-secrets learns which values are Pulumi secrets from secret-values-seen
// (./secrets.ts), and is proven free of false positives by the integration suite.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("platform", { policies: POLICIES });
