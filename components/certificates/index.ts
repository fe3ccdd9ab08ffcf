export * from "./specs";
export * from "./cert-manager";
