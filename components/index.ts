// The public API of @platform/components: everything a program outside this repository may import,
// and nothing else. The root (`import { Service } from "@platform/components"`) is every entry at
// once and loads every provider SDK; each entry (`@platform/components/service`, `/network`, ...)
// is one area's part of it and loads only the SDKs that area uses, so a stack of services starts
// without the AWS SDKs. Each entry's file (`<area>/public.ts`) names its exports one by one; what an
// area exports beyond them (pure builders, checkers, specs, internal settings) is internal: not
// reachable through the package's `exports` map, free to change in any release. docs/package.md
// lists the same names, and test/package/exports.test.ts checks that the packed package exports
// exactly them, entry by entry.
export * from "./conventions/public";
export * from "./config/public";
export * from "./network/public";
export * from "./cluster/public";
export * from "./mesh/public";
export * from "./observability/public";
export * from "./certificates/public";
export * from "./addons/public";
export * from "./service/public";
