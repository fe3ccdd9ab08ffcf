export * from "./policies";
export * from "./key";
