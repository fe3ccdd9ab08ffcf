export * from "./keys";
export * from "./slice";
