export * from "./specs";
export * from "./observability";
