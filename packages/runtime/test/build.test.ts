import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import Docker from "dockerode";
import { DockerBuildManager } from "../src/drivers/docker/build-manager";
import { planBuild } from "../src/drivers/docker/build-plan";
import { dockerSocket, dockerTestImage, requireDocker } from "./support/engines";
import { removeImagesByPrefix } from "./support/images";

describe("the build fallback chain", () => {
  it("uses a given BuildKit endpoint first, then the engine's BuildKit", () => {
    const steps = planBuild({ buildkitHost: "tcp://buildkit:1234", buildkitDisabled: false, buildctlAvailable: true }).steps;
    assert.deepEqual(
      steps.map(({ builder, endpoint }) => ({ builder, endpoint })),
      [
        { builder: "buildkit-endpoint", endpoint: "tcp://buildkit:1234" },
        { builder: "engine-buildkit", endpoint: undefined },
      ],
    );
    assert.match(steps[1]?.reason ?? "", /endpoint tcp:\/\/buildkit:1234 failed: falling back to the engine's BuildKit/);
  });

  it("takes BUILDKIT_HOST when the run has no sidecar", () => {
    assert.deepEqual(planBuild({ environmentBuildkitHost: "tcp://10.0.0.5:1234", buildkitDisabled: false, buildctlAvailable: true }).steps[0], {
      builder: "buildkit-endpoint",
      endpoint: "tcp://10.0.0.5:1234",
      reason: "BuildKit endpoint tcp://10.0.0.5:1234 (BUILDKIT_HOST)",
    });
  });

  it("says why it skips an endpoint it cannot use", () => {
    const plan = planBuild({ buildkitHost: "tcp://buildkit:1234", buildkitDisabled: false, buildctlAvailable: false });
    assert.deepEqual(plan.steps, [{ builder: "engine-buildkit", reason: plan.reasons[0] }]);
    assert.match(plan.reasons[0] ?? "", /buildctl is not installed on this host: falling back to the engine's BuildKit/);
  });

  it("uses the legacy builder only when BuildKit is switched off", () => {
    const plan = planBuild({ buildkitHost: "tcp://buildkit:1234", buildkitDisabled: true, buildctlAvailable: true });
    assert.deepEqual(plan.steps, [{ builder: "legacy", reason: "BAILEY_DISABLE_BUILDKIT=1: using the legacy builder" }]);
    assert.match(plan.reasons[0] ?? "", /BAILEY_DISABLE_BUILDKIT=1/);
  });
});

describe("building on the real engine", () => {
  after(() => removeImagesByPrefix("bailey-build-test"));

  for (const disabled of [false, true]) {
    it(`${disabled ? "legacy builder (BAILEY_DISABLE_BUILDKIT=1)" : "engine BuildKit"} builds and logs its choice`, async () => {
      await requireDocker();
      const context = await mkdtemp(path.join(tmpdir(), "bailey-build-"));
      try {
        await writeFile(
          path.join(context, "Dockerfile"),
          `FROM ${dockerTestImage} AS wanted\nARG GREETING\nRUN echo "built $GREETING" > /built.txt && echo "said $GREETING"\nFROM wanted AS unwanted\nRUN exit 7\n`,
        );
        const log: string[] = [];
        const builders: string[] = [];
        const engine = new Docker({ socketPath: dockerSocket });
        const manager = new DockerBuildManager(engine, (line) => log.push(line), { buildkitDisabled: disabled });
        const tag = `bailey-build-test:${disabled ? "legacy" : "buildkit"}`;
        // The target stops before the stage that fails; the argument reaches RUN; RUN's output reaches the log.
        // A new greeting each time: a RUN step the engine has cached from an earlier build prints nothing.
        const greeting = `hi-${randomBytes(4).toString("hex")}`;
        const result = await manager.buildImage({ contextDir: context, tag, target: "wanted", buildArgs: { GREETING: greeting }, onBuilder: (builder) => builders.push(builder) });
        assert.equal(result.builder, disabled ? "legacy" : "engine-buildkit");
        assert.deepEqual(builders, [result.builder]);
        assert.equal(await manager.imageExists(tag), true);
        assert.ok(
          log.some((line) => line.includes(`said ${greeting}`)),
          `RUN's output is not in the build log:\n${log.join("\n")}`,
        );
        assert.ok(
          log.some((line) => line.includes(disabled ? "BAILEY_DISABLE_BUILDKIT=1" : "using the engine's BuildKit")),
          log.join("\n"),
        );
      } finally {
        await rm(context, { recursive: true, force: true });
      }
    });
  }

  it("the legacy builder leaves no untagged stage images of a multi-stage build, built or failed (docker images -a)", async () => {
    await requireDocker();
    const context = await mkdtemp(path.join(tmpdir(), "bailey-build-"));
    const engine = new Docker({ socketPath: dockerSocket });
    const untagged = async () => new Set((await engine.listImages({ all: true })).filter((image) => !(image.RepoTags ?? []).some((tag) => tag !== "<none>:<none>")).map((image) => image.Id));
    try {
      const manager = new DockerBuildManager(engine, () => undefined, { buildkitDisabled: true });
      const before = await untagged();
      const stages = `FROM ${dockerTestImage} AS one\nRUN echo ${randomBytes(4).toString("hex")} > /one\nFROM ${dockerTestImage}\nCOPY --from=one /one /one\n`;
      await writeFile(path.join(context, "Dockerfile"), stages);
      await manager.buildImage({ contextDir: context, tag: "bailey-build-test:stages" });
      await writeFile(path.join(context, "Dockerfile"), `${stages}RUN exit 4\n`.replace(/echo \w+/, `echo ${randomBytes(4).toString("hex")}`));
      await assert.rejects(manager.buildImage({ contextDir: context, tag: "bailey-build-test:stages-broken" }), /non-zero code: 4/);
      const left = [...(await untagged())].filter((id) => !before.has(id));
      // The built image's own parents are untagged too, and stay with it.
      const parents = new Set<string>();
      for (let id = (await engine.getImage("bailey-build-test:stages").inspect()).Parent; id; id = (await engine.getImage(id).inspect()).Parent) parents.add(id);
      assert.deepEqual(
        left.filter((id) => !parents.has(id)),
        [],
      );
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  });

  it("a broken Dockerfile fails with the engine's reason", async () => {
    await requireDocker();
    const context = await mkdtemp(path.join(tmpdir(), "bailey-build-"));
    try {
      const manager = new DockerBuildManager(new Docker({ socketPath: dockerSocket }), () => undefined, { buildkitDisabled: false });
      await writeFile(path.join(context, "Dockerfile"), `FROM ${dockerTestImage}\nRUN echo the-reason-it-broke && exit 9\n`);
      await assert.rejects(manager.buildImage({ contextDir: context, tag: "bailey-build-test:broken" }), (error: Error) => {
        assert.match(error.message, /exit code: 9|returned a non-zero code: 9/);
        assert.match(error.message, /the-reason-it-broke/, "the error carries the build's last output");
        return true;
      });
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  });
});
