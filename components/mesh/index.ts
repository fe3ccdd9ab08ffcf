export * from "./versions";
export * from "./specs";
export * from "./istio";
export * from "./settings";
export * from "./webhooks";
export * from "./dataplane";
