import { MockRuntime, conformanceSuite } from "../src/testing";

conformanceSuite({ name: "Mock", open: async () => new MockRuntime(), image: "busybox", sandbox: "gvisor", expectedOciRuntime: "runsc" });
