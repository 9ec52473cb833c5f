// The engines moved to the public testing entry point, for the benches too.
export * from "../../src/testing/engines";
