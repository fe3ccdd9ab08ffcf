export * from "./spec";
export * from "./policies";
export * from "./workload";
export * from "./traffic";
export * from "./isolation";
export * from "./egress";
export * from "./access";
export * from "./service";
