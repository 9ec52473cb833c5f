import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { AppleRuntime } from "../src/drivers/apple/runtime";
import { ContainerNotFoundError, UnsupportedFeatureError } from "../src/errors";

const fakeCli = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/fake-container-cli.mjs");

describe("Apple runtime against a fake `container` CLI", () => {
  let dir = "";
  let logFile = "";
  const calls = async () =>
    (await readFile(logFile, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string[]);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-apple-"));
    logFile = path.join(dir, "calls.log");
    process.env.FAKE_CONTAINER_LOG = logFile;
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("drives the lifecycle through the CLI with the arguments it expects", async () => {
    const runtime = new AppleRuntime(fakeCli);
    await runtime.ping();
    const id = await runtime.createContainer({
      name: "bailey-apple-test",
      image: "alpine:latest",
      command: ["sh", "-c", "echo hi; exit 7"],
      env: { FOO: "bar baz" },
      labels: { "bailey.run-id": "r1" },
      sandbox: "gvisor",
      resources: { cpus: 1.5, memoryBytes: 512 * 1024 ** 2 },
    });
    assert.equal(id, "fake-1");
    await runtime.startContainer(id);
    assert.equal(await runtime.waitContainer(id), 7);
    const info = await runtime.inspectContainer(id);
    assert.deepEqual({ status: info.status, exitCode: info.exitCode, labels: info.labels }, { status: "exited", exitCode: 7, labels: { "bailey.run-id": "r1" } });
    assert.deepEqual(
      (await runtime.listContainers({ "bailey.run-id": "r1" })).map((c) => c.id),
      ["fake-1"],
    );
    assert.deepEqual(await runtime.exec(id, ["echo", "x; rm -rf /"]), { exitCode: 3, stdout: "hello from exec\n", stderr: "" });
    await runtime.stopContainer(id, 5);
    await runtime.removeContainer(id);
    await runtime.removeContainer("gone-already");

    const recorded = await calls();
    assert.deepEqual(recorded[0], ["system", "status"]);
    assert.deepEqual(recorded[1], [
      "create",
      "--name",
      "bailey-apple-test",
      "--label",
      "bailey.run-id=r1",
      "--env",
      "FOO=bar baz",
      "--cpus",
      "2",
      "--memory",
      "512M",
      "alpine:latest",
      "sh",
      "-c",
      "echo hi; exit 7",
    ]);
    assert.ok(
      recorded.some((args) => args.join(" ") === "exec fake-1 echo x; rm -rf /"),
      "arguments pass through without a shell",
    );
    assert.ok(recorded.some((args) => args.join(" ") === "stop --time 5 fake-1"));
    assert.ok(recorded.some((args) => args.join(" ") === "delete --force gone-already"));
  });

  it("maps an unknown container to ContainerNotFoundError", async () => {
    await assert.rejects(new AppleRuntime(fakeCli).inspectContainer("nope"), ContainerNotFoundError);
  });

  it("refuses networks before running anything", async () => {
    await assert.rejects(new AppleRuntime(fakeCli).createContainer({ name: "n", image: "alpine", labels: {}, sandbox: "gvisor", network: "bailey-r1" }), /no user-defined networks/);
  });

  it("refuses docker:host (no engine socket on the host) naming the runtime and the alternative, before running anything", async () => {
    const runtime = new AppleRuntime(fakeCli);
    const before = await calls();
    const expected = (error: unknown) =>
      error instanceof UnsupportedFeatureError &&
      error.feature === "docker:host" &&
      error.message ===
        "The apple runtime does not support docker:host: its containers are VMs with no engine socket on the host to share; run it on a Docker or Podman host (placement labels), or use `docker:dind` there.";
    for (const sandbox of ["gvisor", "none"] as const) {
      await assert.rejects(runtime.createContainer({ name: "h", image: "alpine", labels: {}, sandbox, mountEngineSocket: true }), expected);
      await assert.rejects(runtime.engineSocketFor(sandbox), expected);
    }
    assert.deepEqual(await calls(), before, "the CLI was never run");
    assert.equal(await runtime.sandboxedEngineSocketAvailable(), false);
  });
});

// Genuinely platform-bound: Apple's `container` runs only on macOS on Apple silicon.
describe("Apple runtime on a real Mac", { skip: process.platform !== "darwin" && "Apple's container CLI exists only on macOS" }, () => {
  it("pings the real container service", async () => {
    await new AppleRuntime().ping();
  });
});
