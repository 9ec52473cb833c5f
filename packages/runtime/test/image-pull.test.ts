import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { DockerRuntime } from "../src/drivers/docker/runtime";
import { createPodmanRuntime } from "../src/drivers/podman";
import { ImagePullError } from "../src/errors";
import { pushUniqueTestImage, requireTestRegistries, type TestRegistries } from "../src/testing";
import type { PullProgress } from "../src/types";
import { requireDocker, startPodmanService, type PodmanService } from "./support/engines";

// Real engines against the loopback registries (infra/ci/setup-test-host.sh): what a pull records and how each failure reads.
for (const engineName of ["docker", "podman"] as const) {
  describe(`pullImage on ${engineName}`, () => {
    let runtime: DockerRuntime;
    let service: PodmanService | undefined;
    let registries: TestRegistries;
    const suffix = randomBytes(4).toString("hex");
    const pulled: string[] = [];

    before(async () => {
      registries = await requireTestRegistries();
      if (engineName === "docker") runtime = await requireDocker();
      else {
        service = await startPodmanService();
        runtime = createPodmanRuntime(service.socketPath);
      }
    });

    after(async () => {
      for (const reference of pulled)
        await runtime?.engine
          .getImage(reference)
          .remove({ force: true })
          .catch(() => undefined);
      await service?.stop();
    });

    it("pulls a never-seen image, records the pushed digest, and reports progress over its layers", async () => {
      const pushed = await pushUniqueTestImage(registries.open, `bailey/pull-${engineName}-${suffix}`, { padBytes: 2 * 1024 * 1024 });
      pulled.push(pushed.reference);
      assert.equal(await runtime.inspectImage(pushed.reference), null, "the pusher removed it locally");
      const progress: PullProgress[] = [];
      const result = await runtime.pullImage(pushed.reference, { onProgress: (update) => progress.push(update) });
      assert.equal(result.digest, pushed.digest);
      assert.equal(result.fetched, true);
      assert.ok(result.bytes > 2 * 1024 * 1024, `bytes ${result.bytes} cover the 2 MiB layer`);
      if (engineName === "docker") {
        assert.ok(progress.length > 0, "Docker reports byte progress");
        const last = progress.at(-1);
        assert.ok(last && last.bytesDone === last.bytesTotal && last.bytesTotal > 2 * 1024 * 1024);
      }
      const again = await runtime.pullImage(pushed.reference);
      assert.equal(again.fetched, false, "a second pull of the same content fetches nothing new");
      assert.equal(again.digest, pushed.digest);

      const pinned = `${registries.open.address}/${pushed.repository}@${pushed.digest}`;
      const byDigest = await runtime.pullImage(pinned);
      assert.equal(byDigest.digest, pushed.digest);
      const id = await runtime.createContainer({
        name: `bailey-pull-${engineName}-${suffix}`,
        image: byDigest.reference,
        command: ["cat", "/bailey-unique"],
        labels: { "bailey.test": suffix },
        sandbox: "none",
      });
      try {
        await runtime.startContainer(id);
        assert.equal(await runtime.waitContainer(id), 0, "a container runs from the pinned reference");
      } finally {
        await runtime.removeContainer(id);
      }
    });

    it("a private registry without credentials fails unauthorized, naming the registry; with them it pulls", async () => {
      const pushed = await pushUniqueTestImage(registries.private, `bailey/private-${engineName}-${suffix}`);
      pulled.push(pushed.reference);
      const failure = await runtime.pullImage(pushed.reference).catch((error: unknown) => error);
      assert.ok(failure instanceof ImagePullError, String(failure));
      assert.equal(failure.reason, "unauthorized");
      assert.equal(failure.registry, registries.private.address);
      assert.match(failure.message, /127\.0\.0\.1:5051/);
      assert.match(failure.message, /Team → Registries/);
      const credentials = registries.private.credentials;
      assert.ok(credentials);
      const wrong = await runtime.pullImage(pushed.reference, { auth: { username: credentials.username, password: "wrong" } }).catch((error: unknown) => error);
      assert.ok(wrong instanceof ImagePullError && wrong.reason === "unauthorized", String(wrong));
      assert.ok(!wrong.message.includes("wrong"), "the message does not echo the password");
      const result = await runtime.pullImage(pushed.reference, { auth: credentials });
      assert.equal(result.digest, pushed.digest);
    });

    it("a repository that does not exist fails not_found; a closed port fails unreachable", async () => {
      const missing = `${registries.open.address}/bailey/missing-${suffix}:1`;
      const notFound = await runtime.pullImage(missing).catch((error: unknown) => error);
      assert.ok(notFound instanceof ImagePullError, String(notFound));
      assert.equal(notFound.reason, "not_found");
      assert.match(notFound.message, new RegExp(`Could not pull ${missing.replace(/[.]/g, "\\.")} from 127\\.0\\.0\\.1:5050`));
      const unreachable = await runtime.pullImage(`127.0.0.1:1/bailey/nothing-${suffix}:1`).catch((error: unknown) => error);
      assert.ok(unreachable instanceof ImagePullError, String(unreachable));
      assert.equal(unreachable.reason, "unreachable");
      assert.match(unreachable.message, /127\.0\.0\.1:1 is up and reachable/);
    });

    it("lists the engine's images with tags, digests and sizes", async () => {
      const images = await runtime.listImages();
      const mine = images.find((image) => image.tags.some((tag) => tag.includes(`pull-${engineName}-${suffix}`)));
      assert.ok(mine, "the pulled image is listed");
      assert.ok(mine.digests.some((digest) => digest.includes("@sha256:")));
      assert.ok(mine.sizeBytes > 0);
    });
  });
}
