import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DockerRuntime } from "../src/drivers/docker/runtime";
import { createPodmanRuntime } from "../src/drivers/podman";
import { NoRuntimeError, SandboxUnavailableError } from "../src/errors";
import { detectRuntime, type RuntimeProbe } from "../src/detect";
import { MockRuntime } from "../src/testing";
import { dockerSocket, dockerTestImage, podmanTestImage, requireDocker, startPodmanService, type PodmanService } from "./support/engines";

describe("a sandbox that is not there is refused, never downgraded", () => {
  let podman: PodmanService;
  before(async () => {
    await requireDocker();
    podman = await startPodmanService();
  });
  after(async () => podman?.stop());

  it("Docker without runsc registered: the exact install, registration and opt-out steps", async () => {
    const runtime = new DockerRuntime({ socketPath: dockerSocket, sandboxRuntime: "runsc-not-registered" });
    // A label of this test's own: other test files create containers on the same engine meanwhile.
    const labels = { "bailey.sandbox-errors-test": `${process.pid}-${Date.now()}` };
    await assert.rejects(runtime.createContainer({ name: `bailey-no-runsc-${Date.now()}`, image: dockerTestImage, labels, sandbox: "gvisor", command: ["true"] }), (error: unknown) => {
      assert.ok(error instanceof SandboxUnavailableError);
      assert.equal(
        error.message,
        [
          'Cannot create a sandboxed container: the docker engine on this host has no "runsc" (gVisor) runtime registered.',
          "Bailey runs every container under gVisor unless the run opts out; it never falls back to runc silently.",
          "To install gVisor on Debian/Ubuntu:",
          "  sudo apt-get install -y runsc",
          '  sudo runsc install        # adds "runsc" to /etc/docker/daemon.json',
          "  sudo systemctl restart docker",
          '(or add {"runtimes":{"runsc":{"path":"/usr/bin/runsc"}}} to /etc/docker/daemon.json by hand and restart dockerd).',
          "To run this one without a sandbox instead, set `sandbox: none` in the run's spec.",
        ].join("\n"),
      );
      return true;
    });
    assert.deepEqual(await runtime.listContainers(labels), [], "no container was created");
  });

  it("Podman, whose compat API ignores a per-container runtime: refused unless runsc is its default", async () => {
    const runtime = createPodmanRuntime(podman.socketPath);
    await assert.rejects(
      runtime.createContainer({ name: `bailey-podman-sandbox-${Date.now()}`, image: podmanTestImage, labels: {}, sandbox: "gvisor", command: ["true"] }),
      (error: unknown) =>
        error instanceof SandboxUnavailableError &&
        error.message.startsWith(`Cannot create a sandboxed container: Podman's default OCI runtime on this host is not "runsc" (gVisor).`) &&
        error.message.includes(`printf '[engine]\\nruntime = "runsc"\\n' | sudo tee -a /etc/containers/containers.conf`) &&
        error.message.includes("set `sandbox: none`"),
    );
  });

  it("the Podman difference is real: asked for runsc through its compat API, it runs on the host kernel", async () => {
    const runtime = createPodmanRuntime(podman.socketPath);
    const engine = runtime.engine;
    const container = await engine.createContainer({
      Image: podmanTestImage,
      Cmd: ["sh", "-c", "dmesg 2>&1 | head -1"],
      HostConfig: {
        Runtime: "runsc",
        Ulimits: [
          { Name: "nofile", Soft: 1024, Hard: 1024 },
          { Name: "nproc", Soft: 256, Hard: 256 },
        ],
      },
    });
    try {
      await container.start();
      await container.wait();
      const output = String(await container.logs({ stdout: true, stderr: true }));
      assert.doesNotMatch(output, /gVisor/, "if this fails, Podman now honours HostConfig.Runtime: switch podmanProfile to per-container selection");
    } finally {
      await container.remove({ force: true });
    }
  });
});

describe("detection", () => {
  const failing = (name: RuntimeProbe["name"], target: string, fix: string): RuntimeProbe => ({
    name,
    target,
    fix,
    open: async () => {
      throw new Error("connect ECONNREFUSED");
    },
  });

  it("lists what it tried and how to fix each when nothing answers", async () => {
    await assert.rejects(detectRuntime({ probes: [failing("docker", "tcp-docker", "start docker"), failing("podman", "/no/such/podman.sock", "start podman")] }), (error: unknown) => {
      assert.ok(error instanceof NoRuntimeError);
      assert.equal(
        error.message,
        [
          "No container runtime is available on this host. Tried:",
          "  - docker at tcp-docker: connect ECONNREFUSED",
          "      fix: start docker",
          "  - podman at /no/such/podman.sock: no such socket",
          "      fix: start podman",
          "Or choose one explicitly with BAILEY_RUNTIME=docker|podman|apple.",
        ].join("\n"),
      );
      return true;
    });
  });

  it("probes in order and takes the first that answers", async () => {
    const mock = new MockRuntime();
    const runtime = await detectRuntime({ probes: [failing("docker", "tcp-docker", "x"), { name: "podman", target: "tcp-podman", fix: "", open: async () => mock }] });
    assert.equal(runtime, mock);
  });

  it("an explicit BAILEY_RUNTIME wins, and a wrong one is named", async () => {
    const runtime = await detectRuntime({ override: "mock", probes: [] });
    assert.equal(runtime.type, "mock");
    await assert.rejects(detectRuntime({ override: "lxc", probes: [] }), /BAILEY_RUNTIME=lxc is not one of: docker, podman, apple, mock/);
    const docker = await detectRuntime({ override: "docker" });
    assert.equal(docker.type, "docker");
  });
});
