export * from "./versions";
export * from "./specs";
export * from "./cluster";
export * from "./load-balancer-controller";
