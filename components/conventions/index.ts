export * from "./environment";
export * from "./naming";
export * from "./tags";
export * from "./labels";
export * from "./regions";
export * from "./images";
