export * from "./helm";
export * from "./compose";
