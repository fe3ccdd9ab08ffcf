export * from "./versions";
export * from "./specs";
export * from "./cluster";
export * from "./load-balancer-controller";
export * from "./external-dns";
export * from "./pod-identity";
export * from "./settings";
