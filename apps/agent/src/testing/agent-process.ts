import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { negotiateHello, RpcPeer } from "@bailey/protocol";
import { removeByHost, requireDocker } from "./docker";

/** The agent's entry point, run with tsx straight from the source. */
export const agentMain = fileURLToPath(new URL("../main.ts", import.meta.url));
/** The repository root: where tsx resolves, and the agent's working directory. */
export const repoRoot = path.resolve(path.dirname(agentMain), "../../..");
export const agentBundle = path.join(repoRoot, "apps/agent/dist/bailey-agent.cjs");

/** What may change from one start of the agent to the next. */
export interface AgentSettings {
  /** BAILEY_RUNTIME; default "docker" (checked to answer before the agent starts). */
  runtime?: "docker" | "mock";
  /** BAILEY_BUILDKIT_IMAGE, e.g. standinImage; unset, the agent's own default. */
  buildkitImage?: string;
  /** BAILEY_DIND_PRIVILEGED=false where the kernel withholds capabilities from dockerd. */
  dindPrivileged?: boolean;
  /** BAILEY_ALLOW: the escalations the host accepts (docker:dind, sandbox:none, docker:host); none when unset, as on a fresh install. */
  allow?: readonly ("docker:dind" | "sandbox:none" | "docker:host")[];
  /** BAILEY_AGENT_FAULT_STEP_DELAY_MS: a pause after each provisioning step, to kill the agent mid-way; 0 for none. */
  faultStepDelayMs?: number;
  /** BAILEY_AGENT_PROTOCOL_VERSION: speak at most this protocol version, as an older release's agent does. */
  protocolVersion?: number;
  /** BAILEY_SPARE_NETWORKS: run networks the agent keeps made ahead; 0 when unset (tests that count a host's networks see only runs'). */
  spareNetworks?: number;
  /** More environment for the agent, applied last. */
  env?: Record<string, string>;
  /** Run the built bundle hosts install (apps/agent/dist/bailey-agent.cjs) instead of the source under tsx: for measuring what ships (its memory). */
  bundle?: boolean;
}

export interface StartAgentOptions extends AgentSettings {
  /** BAILEY_HOST_ID: the label on everything the agent creates. */
  hostId: string;
  /**
   * Where its socket (`<hostId>.sock`) and state (`<hostId>-state`) go, so several agents
   * may share one directory. Unset: a fresh directory that stop() removes.
   */
  dir?: string;
  socketPath?: string;
  stateDir?: string;
}

export interface AgentProcess {
  readonly hostId: string;
  /** The directory its socket and state are in. */
  readonly dir: string;
  readonly socketPath: string;
  readonly stateDir: string;
  /** The current process; a new one after restart(). */
  readonly child: ChildProcess;
  /** What the current process printed (its last 256 KiB). */
  output(): string;
  /** A protocol peer on the socket, past agent.hello. */
  connect(): Promise<RpcPeer>;
  /** Signals the process and waits for it to exit (SIGTERM by default); nothing if it is gone already. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Stops it if it still runs (SIGTERM) and starts it again on the same socket and state,
   * with the settings it was first started with overridden by these.
   */
  restart(settings?: AgentSettings): Promise<void>;
  /** kill(), then remove its labelled Docker resources and the directory it made (not a `dir` it was given). */
  stop(): Promise<void>;
}

const maxOutput = 256 * 1024;

/** A real bailey-agent daemon serving `hostId` on a Unix socket (the `local` transport). */
export async function startAgent(options: StartAgentOptions): Promise<AgentProcess> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), "bailey-agent-")));
  // As root the agent may be entered by other users (e.g. sshd's forced command, Postgres).
  if (ownDir) await chmod(dir, 0o755);
  const socketPath = options.socketPath ?? path.join(dir, `${options.hostId}.sock`);
  const stateDir = options.stateDir ?? path.join(dir, `${options.hostId}-state`);
  const initial: AgentSettings = {
    runtime: options.runtime,
    buildkitImage: options.buildkitImage,
    dindPrivileged: options.dindPrivileged,
    allow: options.allow,
    faultStepDelayMs: options.faultStepDelayMs,
    protocolVersion: options.protocolVersion,
    env: options.env,
    bundle: options.bundle,
    spareNetworks: options.spareNetworks,
  };

  let child: ChildProcess;
  let output = "";
  const launch = async (settings: AgentSettings): Promise<void> => {
    const runtime = settings.runtime ?? "docker";
    if (runtime === "docker") await requireDocker();
    await rm(socketPath, { force: true }); // a killed agent leaves its socket file behind
    const env: Record<string, string> = { BAILEY_AGENT_SOCKET: socketPath, BAILEY_AGENT_STATE_DIR: stateDir, BAILEY_HOST_ID: options.hostId, BAILEY_RUNTIME: runtime };
    if (settings.buildkitImage) env.BAILEY_BUILDKIT_IMAGE = settings.buildkitImage;
    if (settings.dindPrivileged !== undefined) env.BAILEY_DIND_PRIVILEGED = String(settings.dindPrivileged);
    if (settings.allow) env.BAILEY_ALLOW = settings.allow.join(",");
    if (settings.faultStepDelayMs) env.BAILEY_AGENT_FAULT_STEP_DELAY_MS = String(settings.faultStepDelayMs);
    if (settings.protocolVersion) env.BAILEY_AGENT_PROTOCOL_VERSION = String(settings.protocolVersion);
    env.BAILEY_SPARE_NETWORKS = String(settings.spareNetworks ?? 0);
    output = "";
    if (settings.bundle && !existsSync(agentBundle)) throw new Error(`${agentBundle} is missing: build it with \`npm run build -w @bailey/agent\`.`);
    child = spawn(process.execPath, [...(settings.bundle ? [agentBundle] : ["--import", "tsx", agentMain]), "serve"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env, ...settings.env },
    });
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (output.length > maxOutput) output = output.slice(-maxOutput);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    for (let i = 0; i < 400 && !output.includes("serving host"); i++) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the agent exited at start-up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!output.includes("serving host") || !existsSync(socketPath)) {
      child.kill("SIGKILL");
      throw new Error(`the agent did not listen on ${socketPath} within 20 s:\n${output}`);
    }
  };
  const kill = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  };

  try {
    await launch(initial);
  } catch (error) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    hostId: options.hostId,
    dir,
    socketPath,
    stateDir,
    get child() {
      return child;
    },
    output: () => output,
    connect: async () => {
      const socket = net.connect(socketPath);
      await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
      const peer = new RpcPeer(socket);
      await negotiateHello(peer, "test");
      return peer;
    },
    kill,
    restart: async (settings = {}) => {
      await kill();
      await launch({ ...initial, ...settings });
    },
    stop: async () => {
      await kill();
      if ((initial.runtime ?? "docker") === "docker") await removeByHost(options.hostId);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
