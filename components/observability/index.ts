export * from "./specs";
export * from "./observability";
export * from "./values";
