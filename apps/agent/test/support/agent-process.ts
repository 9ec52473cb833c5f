import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { protocolVersion, RpcPeer } from "@bailey/protocol";

export const agentMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/main.ts");
export const standinImage = "bailey-test/buildkit-standin:latest";
export const docker = new Docker({ socketPath: "/var/run/docker.sock" });

/** Builds the local BuildKit stand-in once; fails with what to do when Docker is missing. */
export async function ensureStandinImage(): Promise<void> {
  try {
    await docker.ping();
  } catch {
    throw new Error("These tests need a running Docker engine: run infra/ci/setup-test-host.sh as root (npm test does).");
  }
  const context = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/buildkit-standin");
  const stream = await docker.buildImage({ context, src: ["Dockerfile", "buildkitd"] }, { t: standinImage, version: "2" } as Docker.ImageBuildOptions);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) => {
      const failed = error ?? output.find((line) => line.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(failed.error));
      else resolve();
    }),
  );
}

export interface AgentProcess {
  child: ChildProcess;
  socketPath: string;
  stateDir: string;
  hostId: string;
  output(): string;
  connect(): Promise<RpcPeer>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function makeAgentDirs(): Promise<{ root: string; socketPath: string; stateDir: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), "bailey-agent-"));
  await chmod(root, 0o755);
  return { root, socketPath: path.join(root, "run/agent.sock"), stateDir: path.join(root, "state"), cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function startAgent(options: { socketPath: string; stateDir: string; hostId: string; env?: Record<string, string> }): Promise<AgentProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", agentMain, "serve"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      BAILEY_AGENT_SOCKET: options.socketPath,
      BAILEY_AGENT_STATE_DIR: options.stateDir,
      BAILEY_HOST_ID: options.hostId,
      BAILEY_BUILDKIT_IMAGE: standinImage,
      BAILEY_RUNTIME: "docker",
      ...options.env,
    },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
  for (let i = 0; i < 200 && !output.includes("serving host"); i++) {
    if (child.exitCode !== null) throw new Error(`the agent exited at start-up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!existsSync(options.socketPath)) throw new Error(`the agent did not listen on ${options.socketPath}:\n${output}`);
  return {
    child,
    ...options,
    output: () => output,
    connect: async () => {
      const socket = net.connect(options.socketPath);
      await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
      const peer = new RpcPeer(socket);
      await peer.request("agent.hello", { protocolVersion, client: "test" });
      return peer;
    },
    kill: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
  };
}

export async function resourcesOf(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`bailey.run-id=${runId}`] };
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => (c.Names[0] ?? "").replace(/^\//, ""));
  const networks = (await docker.listNetworks({ filters })).map((n) => n.Name);
  return { containers, networks };
}

export async function removeByHost(hostId: string): Promise<void> {
  const filters = { label: [`bailey.host-id=${hostId}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}
