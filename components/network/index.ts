export * from "./cidr";
export * from "./dns";
export * from "./endpoints";
export * from "./flow-logs";
export * from "./nacl";
export * from "./network";
export * from "./settings";
export * from "./zones";
