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
  // Podman builds through its compat API with buildah (version 1 builds: it serves no BuildKit session).
  builds: true,
});

after(async () => service?.stop());
