import { conformanceSuite } from "../src/testing";
import { dockerTestImage, requireDocker, requireRunsc } from "./support/engines";

conformanceSuite({
  name: "Docker (runsc, gVisor)",
  open: async () => {
    const runtime = await requireDocker();
    await requireRunsc(runtime);
    return runtime;
  },
  image: dockerTestImage,
  sandbox: "gvisor",
  expectedOciRuntime: "runsc",
});
