import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DockerRuntime } from "../src/drivers/docker/runtime";
import { createPodmanRuntime } from "../src/drivers/podman";
import { SandboxedEngineSocketError } from "../src/errors";
import { ensureDockerClientImage, ensurePodmanDockerClientImage } from "../src/testing";
import type { ContainerSpec } from "../src/types";
import { dockerSocket, type PodmanService, requireDocker, requireRunsc, startPodmanService } from "./support/engines";

const tag = randomBytes(3).toString("hex");
const labels = { "bailey.engine-socket-test": tag };

/** Creates, starts and waits for a container; its output and what the engine recorded for it. */
async function runToEnd(runtime: DockerRuntime, spec: Omit<ContainerSpec, "labels">) {
  const id = await runtime.createContainer({ ...spec, labels });
  try {
    const host = (await runtime.engine.getContainer(id).inspect()).HostConfig as { Runtime?: string; Binds?: string[] };
    await runtime.startContainer(id);
    const exitCode = await runtime.waitContainer(id);
    let output = "";
    for await (const chunk of await runtime.logs(id)) output += chunk.data.toString();
    return { exitCode, output, runtime: host.Runtime, binds: host.Binds ?? [] };
  } finally {
    await runtime.removeContainer(id);
  }
}

describe("docker:host on Docker with gVisor: the engine's socket through runsc-host-uds, for those containers only", () => {
  let runtime: DockerRuntime;
  let clientImage: string;
  before(async () => {
    runtime = await requireDocker();
    await requireRunsc(runtime);
    assert.ok(await runtime.sandboxedEngineSocketAvailable(), 'The Docker engine has no "runsc-host-uds" runtime registered. Run infra/ci/setup-test-host.sh as root (npm test does) to register it.');
    clientImage = await ensureDockerClientImage(runtime);
  });
  after(async () => {
    for (const container of await runtime.listContainers(labels)) await runtime.removeContainer(container.id);
  });

  it("a sandboxed container with the engine socket lists the host's containers and finds itself", async () => {
    const name = `bailey-docker-host-${tag}`;
    const result = await runToEnd(runtime, {
      name,
      image: clientImage,
      sandbox: "gvisor",
      mountEngineSocket: true,
      env: { DOCKER_HOST: "unix:///var/run/docker.sock" },
      command: ["sh", "-c", "dmesg | head -1; docker ps --format '{{.Names}}'"],
    });
    assert.equal(result.runtime, "runsc-host-uds");
    assert.deepEqual(result.binds, [`${dockerSocket}:/var/run/docker.sock`]);
    assert.match(result.output, /Starting gVisor/, "it ran on gVisor's kernel");
    assert.equal(result.exitCode, 0, result.output);
    assert.ok(result.output.split("\n").includes(name), `docker ps inside listed its own name ${name}; it printed:\n${result.output}`);
  });

  it("every other sandboxed container keeps plain runsc, and cannot reach a host Unix socket mounted into it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-uds-probe-"));
    const socketPath = path.join(dir, "probe.sock");
    let connections = 0;
    const server = net.createServer((socket) => {
      connections += 1;
      socket.end("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const probe = ["sh", "-c", "docker -H unix:///probe/probe.sock version; echo exit=$?"];
      const sandboxed = await runToEnd(runtime, { name: `bailey-uds-closed-${tag}`, image: clientImage, sandbox: "gvisor", readOnlyBinds: [{ source: dir, target: "/probe" }], command: probe });
      assert.equal(sandboxed.runtime, "runsc");
      assert.equal(connections, 0, `a gVisor container without docker:host connected to a host socket:\n${sandboxed.output}`);
      assert.match(sandboxed.output, /exit=1/);
      // The probe itself works: the same mount without a sandbox does connect.
      const unsandboxed = await runToEnd(runtime, { name: `bailey-uds-open-${tag}`, image: clientImage, sandbox: "none", readOnlyBinds: [{ source: dir, target: "/probe" }], command: probe });
      assert.ok(connections > 0, `the unsandboxed probe never reached the socket:\n${unsandboxed.output}`);
    } finally {
      // Not awaited: its callback never came here (it waits on the unsandboxed probe's connection); the test process ends it.
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("without runsc-host-uds registered, refused with the exact daemon.json line, and nothing created", async () => {
    const missing = new DockerRuntime({ socketPath: dockerSocket, hostUdsRuntime: "runsc-host-uds-not-registered" });
    await assert.rejects(missing.createContainer({ name: `bailey-no-host-uds-${tag}`, image: clientImage, labels, sandbox: "gvisor", mountEngineSocket: true }), (error: unknown) => {
      assert.ok(error instanceof SandboxedEngineSocketError);
      assert.equal(
        error.message,
        [
          'Cannot give a gVisor-sandboxed container the docker engine\'s socket (docker:host): the engine has no "runsc-host-uds-not-registered" runtime registered.',
          'runsc refuses host Unix sockets unless started with --host-uds=open, and Bailey uses that runsc for docker:host runs only, under its own name. To register it, add this line to "runtimes" in /etc/docker/daemon.json:',
          '  "runsc-host-uds-not-registered": {"path":"/usr/bin/runsc","runtimeArgs":["--network=host","--host-uds=open"]}',
          "then restart dockerd (sudo systemctl restart docker). infra/install.sh adds it where runsc is registered.",
          "To run this one without a sandbox instead, set `sandbox: none` in the run's spec.",
        ].join("\n"),
      );
      return true;
    });
    assert.equal((await missing.listContainers(labels)).filter((container) => container.name === `bailey-no-host-uds-${tag}`).length, 0, "no container was created");
    assert.equal(await missing.sandboxedEngineSocketAvailable(), false);
  });
});

describe("docker:host on Podman: the socket the agent talks to", () => {
  let podman: PodmanService;
  let runtime: DockerRuntime;
  let clientImage: string;
  before(async () => {
    const docker = await requireDocker();
    podman = await startPodmanService();
    runtime = createPodmanRuntime(podman.socketPath);
    clientImage = await ensurePodmanDockerClientImage(docker);
  });
  after(async () => {
    for (const container of (await runtime?.listContainers(labels)) ?? []) await runtime.removeContainer(container.id);
    await podman?.stop();
  });

  it("an unsandboxed container gets Podman's own socket at /var/run/docker.sock and finds itself through it", async () => {
    const name = `bailey-podman-host-${tag}`;
    const result = await runToEnd(runtime, {
      name,
      image: clientImage,
      sandbox: "none",
      mountEngineSocket: true,
      env: { DOCKER_HOST: "unix:///var/run/docker.sock" },
      command: ["sh", "-c", "docker ps --format '{{.Names}}'"],
    });
    assert.ok(
      result.binds.some((bind) => bind.startsWith(`${podman.socketPath}:/var/run/docker.sock`)),
      `binds: ${result.binds.join(", ")}`,
    );
    assert.equal(result.exitCode, 0, result.output);
    assert.ok(result.output.split("\n").includes(name), `docker ps against Podman listed its own name ${name}; it printed:\n${result.output}`);
  });

  it("a sandboxed one is refused, naming sandbox: none, before anything is created", async () => {
    await assert.rejects(
      runtime.createContainer({ name: `bailey-podman-gvisor-host-${tag}`, image: clientImage, labels, sandbox: "gvisor", mountEngineSocket: true }),
      (error: unknown) =>
        error instanceof SandboxedEngineSocketError &&
        error.message.startsWith("Cannot give a gVisor-sandboxed container Podman's socket (docker:host)") &&
        error.message.includes("Set `sandbox: none` in the run's spec"),
    );
    assert.equal((await runtime.listContainers(labels)).filter((container) => container.name === `bailey-podman-gvisor-host-${tag}`).length, 0, "no container was created");
    assert.equal(await runtime.sandboxedEngineSocketAvailable(), false);
  });
});
