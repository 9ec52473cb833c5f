import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { protocolVersion, RpcError, type RpcPeer, rpcErrorCodes, runSpec } from "@bailey/protocol";
import { DockerRuntime } from "@bailey/runtime";
import { dockerSocket, ensureDockerClientImage, ensurePodmanDockerClientImage, requireDocker, requireRunsc } from "@bailey/runtime/testing";
import { Journal } from "../src/journal/journal";
import { RunManager } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";
import { type AgentProcess, docker, resourcesOf, startAgent } from "../src/testing";

async function waitForState(peer: RpcPeer, runId: string, states: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await peer.request("run.inspect", { runId });
    if (states.includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${run.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function logsOf(peer: RpcPeer, runId: string): Promise<string> {
  let text = "";
  for await (const chunk of peer.openStream("run.logs", { runId }).chunks) text += chunk.data.toString();
  return text;
}

/** Runs a spec to its end through the agent; its final state, exit code and output. */
async function runToEnd(peer: RpcPeer, runId: string, spec: { image: string } & Record<string, unknown>) {
  await peer.request("run.create", { runId, spec }, { timeoutMs: 60_000 });
  await peer.request("run.start", { runId });
  const finished = await waitForState(peer, runId, ["exited", "failed"]);
  return { state: finished.state, exitCode: finished.exitCode, output: await logsOf(peer, runId) };
}

const listNames = ["sh", "-c", "echo DOCKER_HOST=$DOCKER_HOST; docker ps --format '{{.Names}}'"];

describe("docker:host through the agent, on the real Docker engine under gVisor", () => {
  const hostId = `dh-host-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let image: string;

  before(async () => {
    const runtime = await requireDocker();
    await requireRunsc(runtime);
    image = await ensureDockerClientImage(runtime);
    agent = await startAgent({ hostId, allow: ["docker:host"] });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
  });

  it("reports runsc-host-uds as a host feature in agent.hello", async () => {
    const registered = Boolean(((await docker.info()) as { Runtimes?: Record<string, unknown> }).Runtimes?.["runsc-host-uds"]);
    assert.ok(registered, "runsc-host-uds is not registered with dockerd: run infra/ci/setup-test-host.sh as root");
    const hello = await peer.request("agent.hello", { protocolVersion, client: "docker-host-test" });
    assert.deepEqual(hello.features, { networks: true, sidecars: true, builds: true, runsc: true, runscHostUds: true, workspaces: true });
  });

  it("a docker:host run under the default gVisor sandbox lists the host's containers with the Docker client and finds itself", async () => {
    const runId = `dh-${randomBytes(4).toString("hex")}`;
    const result = await runToEnd(peer, runId, { image, command: listNames, dependencies: ["docker:host"] });
    assert.equal(result.state, "exited", result.output);
    assert.equal(result.exitCode, 0, result.output);
    assert.match(result.output, /^DOCKER_HOST=unix:\/\/\/var\/run\/docker\.sock$/m);
    assert.ok(result.output.split("\n").includes(`bailey-${runId}`), `docker ps inside the run listed its own container bailey-${runId}; it printed:\n${result.output}`);
    const host = (await docker.getContainer(`bailey-${runId}`).inspect()).HostConfig as { Runtime?: string; Binds?: string[] };
    assert.equal(host.Runtime, "runsc-host-uds");
    assert.deepEqual(host.Binds, [`${dockerSocket}:/var/run/docker.sock`]);
    await peer.request("run.destroy", { runId });
  });

  it("a gVisor run without docker:host keeps plain runsc and gets no socket", async () => {
    const runId = `nodh-${randomBytes(4).toString("hex")}`;
    const result = await runToEnd(peer, runId, { image, command: ["sh", "-c", "test -e /var/run/docker.sock && echo HAS-SOCKET; docker ps; echo exit=$?"] });
    assert.equal(result.state, "exited", result.output);
    assert.doesNotMatch(result.output, /HAS-SOCKET/);
    assert.match(result.output, /exit=1/);
    const host = (await docker.getContainer(`bailey-${runId}`).inspect()).HostConfig as { Runtime?: string; Binds?: string[] | null };
    assert.equal(host.Runtime, "runsc");
    assert.deepEqual(host.Binds ?? [], []);
    await peer.request("run.destroy", { runId });
  });
});

describe("docker:host refused before anything is created where the engine has no runsc-host-uds", () => {
  let dir = "";
  let journal: Journal;
  before(async () => {
    await requireDocker();
    dir = await mkdtemp(path.join(tmpdir(), "bailey-dh-"));
    journal = await Journal.open(dir);
  });
  after(async () => {
    await journal?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("names the daemon.json line to add and restarting dockerd, or sandbox: none", async () => {
    const hostId = `dh-refuse-${randomBytes(3).toString("hex")}`;
    const runtime = new DockerRuntime({ socketPath: dockerSocket, hostUdsRuntime: "runsc-host-uds-missing" });
    const runs = new RunManager({ runtime, journal, store: await RunStore.open(dir), hostId, buildkitImage: "unused", sidecarReadyTimeoutMs: 1000, allowed: ["docker:host"] });
    const runId = `dhr-${randomBytes(4).toString("hex")}`;
    await assert.rejects(runs.create(runId, runSpec.parse({ image: "bailey-test/busybox:latest", dependencies: ["docker:host"] })), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, rpcErrorCodes.unsupportedFeature);
      assert.match(error.message, /no "runsc-host-uds-missing" runtime registered/);
      assert.ok(error.message.includes('  "runsc-host-uds-missing": {"path":"/usr/bin/runsc","runtimeArgs":["--network=host","--host-uds=open"]}'), error.message);
      assert.match(error.message, /restart dockerd/);
      assert.match(error.message, /set `sandbox: none`/);
      return true;
    });
    assert.deepEqual(await resourcesOf(runId), { containers: [], networks: [] }, "nothing was created");
    assert.throws(() => runs.containerOf(runId), "the run was never recorded");
  });
});

describe("docker:host through the agent on Podman: the socket the agent connected to", () => {
  const hostId = `dh-podman-${randomBytes(3).toString("hex")}`;
  let agent: AgentProcess;
  let peer: RpcPeer;
  let image: string;
  let runtimeDir = "";
  let stopService: () => Promise<void> = async () => undefined;

  before(async () => {
    image = await ensurePodmanDockerClientImage(await requireDocker());
    // The rootless probe's path ($XDG_RUNTIME_DIR/podman/podman.sock), so the agent finds this service by detection.
    runtimeDir = await mkdtemp(path.join(tmpdir(), "bailey-dh-xdg-"));
    await mkdir(path.join(runtimeDir, "podman"));
    const socketPath = path.join(runtimeDir, "podman/podman.sock");
    const service = spawn("podman", ["system", "service", "--time=0", `unix://${socketPath}`], { stdio: "ignore" });
    stopService = async () => {
      const exited = new Promise((resolve) => service.once("exit", resolve));
      service.kill("SIGTERM");
      await exited;
    };
    for (let i = 0; i < 100 && !existsSync(socketPath); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!existsSync(socketPath)) throw new Error("podman system service did not create its socket within 10 s: install Podman (apt-get install -y podman).");
    agent = await startAgent({ hostId, allow: ["docker:host", "sandbox:none"], env: { BAILEY_RUNTIME: "podman", XDG_RUNTIME_DIR: runtimeDir } });
    peer = await agent.connect();
  });
  after(async () => {
    peer?.close();
    await agent?.stop();
    await stopService();
    await rm(runtimeDir, { recursive: true, force: true });
  });

  it("an unsandboxed docker:host run reaches Podman's socket and finds itself", async () => {
    const runId = `dhp-${randomBytes(4).toString("hex")}`;
    const result = await runToEnd(peer, runId, { image, command: listNames, dependencies: ["docker:host"], sandbox: "none" });
    assert.equal(result.state, "exited", `${result.output}\nagent: ${agent.output().slice(-2000)}`);
    assert.equal(result.exitCode, 0, result.output);
    assert.ok(result.output.split("\n").includes(`bailey-${runId}`), `docker ps against Podman listed its own container bailey-${runId}; it printed:\n${result.output}`);
    await peer.request("run.destroy", { runId });
  });

  it("a gVisor docker:host run is refused naming sandbox: none, before anything is created", async () => {
    const runId = `dhpg-${randomBytes(4).toString("hex")}`;
    await assert.rejects(
      peer.request("run.create", { runId, spec: { image, command: listNames, dependencies: ["docker:host"] } }),
      (error: Error & { code?: number }) => error.code === rpcErrorCodes.unsupportedFeature && /Podman's socket \(docker:host\)/.test(error.message) && /`sandbox: none`/.test(error.message),
    );
    await assert.rejects(peer.request("run.inspect", { runId }), "the run was never recorded");
  });
});
