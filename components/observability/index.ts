export * from "./crds";
export * from "./specs";
export * from "./observability";
export * from "./settings";
export * from "./values";
export * from "./fence";
