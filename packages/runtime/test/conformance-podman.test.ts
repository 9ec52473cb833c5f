import { after } from "node:test";
import { createPodmanRuntime } from "../src/drivers/podman";
import { conformanceSuite } from "../src/testing";
import { podmanTestImage, startPodmanService, type PodmanService } from "./support/engines";

let service: PodmanService | undefined;

conformanceSuite({
  name: "Podman",
  open: async () => {
    service = await startPodmanService();
    return createPodmanRuntime(service.socketPath);
  },
  image: podmanTestImage,
  // Podman's compat API cannot select runsc per container (see sandbox-errors.test.ts).
  sandbox: "none",
  builds: false,
});

after(async () => service?.stop());
