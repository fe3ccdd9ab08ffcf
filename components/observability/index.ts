export * from "./versions";
export * from "./specs";
export * from "./observability";
