import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runSpec } from "@bailey/protocol";
import { createPodmanRuntime, DockerRuntime } from "@bailey/runtime";
import { pushUniqueTestImage, requireTestRegistries, startPodmanService, type PodmanService, type TestRegistries } from "@bailey/runtime/testing";
import { Journal } from "../src/journal/journal";
import { RunManager } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";

// The agent's run path (pull, create, start) on each real engine, pulling from the open loopback registry.
const targets = [
  { name: "Docker, runc", sandbox: "none" as const, open: async () => ({ runtime: new DockerRuntime({ socketPath: "/var/run/docker.sock" }), stop: async () => undefined }) },
  { name: "Docker, runsc", sandbox: "gvisor" as const, open: async () => ({ runtime: new DockerRuntime({ socketPath: "/var/run/docker.sock" }), stop: async () => undefined }) },
  {
    name: "Podman",
    sandbox: "none" as const,
    open: async () => {
      const service: PodmanService = await startPodmanService();
      return { runtime: createPodmanRuntime(service.socketPath), stop: () => service.stop() };
    },
  },
];

for (const target of targets) {
  describe(`a run pulls its image (${target.name})`, () => {
    const suffix = randomBytes(4).toString("hex");
    const hostId = `pull-engines-${suffix}`;
    let runtime: DockerRuntime;
    let stop: () => Promise<void>;
    let registries: TestRegistries;
    let dir = "";
    let journal: Journal;
    let runs: RunManager;
    const references: string[] = [];

    before(async () => {
      registries = await requireTestRegistries();
      ({ runtime, stop } = await target.open());
      await runtime.ping();
      if (target.sandbox === "gvisor" && !(await runtime.sandboxAvailable())) throw new Error("Docker has no runsc runtime: run infra/ci/setup-test-host.sh as root.");
      dir = await mkdtemp(path.join(tmpdir(), "bailey-pull-engines-"));
      journal = await Journal.open(dir);
      runs = new RunManager({ runtime, journal, store: await RunStore.open(dir), hostId, buildkitImage: "unused", sidecarReadyTimeoutMs: 10_000, allowed: ["sandbox:none"] });
    });

    after(async () => {
      for (const runId of runs?.runIds() ?? []) await runs.destroy(runId).catch(() => undefined);
      for (const reference of references)
        await runtime?.engine
          .getImage(reference)
          .remove({ force: true })
          .catch(() => undefined);
      await journal?.close();
      await rm(dir, { recursive: true, force: true });
      await stop?.();
    });

    const runToExit = async (runId: string, image: string) => {
      const created = await runs.create(runId, runSpec.parse({ image, command: ["cat", "/bailey-unique"], sandbox: target.sandbox }));
      await runs.start(runId);
      for (let i = 0; i < 600 && !["exited", "failed"].includes(runs.inspect(runId).state); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      return { created, finished: runs.inspect(runId) };
    };

    it("a never-seen tag is pulled, runs, and the run records the pushed digest; the digest-pinned reference runs too", async () => {
      const pushed = await pushUniqueTestImage(registries.open, `bailey/engines-${suffix}`);
      references.push(pushed.reference);
      assert.equal(await runtime.inspectImage(pushed.reference), null, "the engine has not seen it");
      const tagged = await runToExit(`tag-${suffix}`, pushed.reference);
      assert.equal(tagged.created.imageDigest, pushed.digest);
      assert.equal(tagged.finished.state, "exited");
      assert.equal(tagged.finished.exitCode, 0);
      const pinned = await runToExit(`pin-${suffix}`, `${registries.open.address}/${pushed.repository}@${pushed.digest}`);
      assert.equal(pinned.created.imageDigest, pushed.digest);
      assert.equal(pinned.finished.exitCode, 0);
      const { events } = await journal.pull(0, 1000);
      const pulled = events.filter((event) => event.type === "image.pulled" && event.runId === `tag-${suffix}`);
      assert.equal(pulled.length, 1);
      assert.equal(pulled[0]?.data.digest, pushed.digest);
      assert.equal(pulled[0]?.data.cached, false);
    });
  });
}
