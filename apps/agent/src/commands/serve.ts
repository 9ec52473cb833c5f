import { detectRuntime } from "@bailey/runtime";
import type { AgentEnv } from "../env";
import { Journal } from "../journal/journal";
import { RunManager } from "../runs/run-manager";
import { RunStore } from "../runs/run-store";
import { startAgentServer } from "../server";

export async function serve(env: AgentEnv): Promise<void> {
  const log = (line: string) => console.log(`[bailey-agent] ${line}`);
  const runtime = await detectRuntime({ ...(env.BAILEY_RUNTIME ? { override: env.BAILEY_RUNTIME } : {}), log });
  const journal = await Journal.open(env.BAILEY_AGENT_STATE_DIR);
  const store = await RunStore.open(env.BAILEY_AGENT_STATE_DIR);
  const runs = new RunManager({
    runtime,
    journal,
    store,
    hostId: env.BAILEY_HOST_ID,
    buildkitImage: env.BAILEY_BUILDKIT_IMAGE,
    sidecarReadyTimeoutMs: env.BAILEY_SIDECAR_READY_TIMEOUT_MS,
    stepDelayMs: env.BAILEY_AGENT_FAULT_STEP_DELAY_MS,
    dindPrivileged: env.BAILEY_DIND_PRIVILEGED === "true",
    log,
  });
  await runs.resume();
  const server = await startAgentServer({ socketPath: env.BAILEY_AGENT_SOCKET, hostId: env.BAILEY_HOST_ID, runtime, runs, journal });
  log(`serving host ${env.BAILEY_HOST_ID} on ${env.BAILEY_AGENT_SOCKET} (runtime ${runtime.type}, journal at seq ${journal.lastSequence})`);
  const stop = async (signal: string) => {
    log(`${signal}: stopping (runs keep running and are picked up at the next start)`);
    await server.close();
    await journal.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
