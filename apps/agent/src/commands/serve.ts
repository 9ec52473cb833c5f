import { detectRuntime } from "@bailey/runtime";
import { type AgentEnv, logLimitsOf } from "../env";
import { loadOrCreateAgentId } from "../identity";
import { Journal } from "../journal/journal";
import { RunManager } from "../runs/run-manager";
import { RunStore } from "../runs/run-store";
import { startAgentServer } from "../server";

export async function serve(env: AgentEnv): Promise<void> {
  const log = (line: string) => console.log(`[bailey-agent] ${line}`);
  const runtime = await detectRuntime({ ...(env.BAILEY_RUNTIME ? { override: env.BAILEY_RUNTIME } : {}), logLimits: logLimitsOf(env), runSubnets: env.BAILEY_RUN_SUBNETS, log });
  const agentId = await loadOrCreateAgentId(env.BAILEY_AGENT_STATE_DIR);
  const journal = await Journal.open(env.BAILEY_AGENT_STATE_DIR);
  const store = await RunStore.open(env.BAILEY_AGENT_STATE_DIR);
  const runs = new RunManager({
    runtime,
    journal,
    store,
    hostId: env.BAILEY_HOST_ID,
    buildkitImage: env.BAILEY_BUILDKIT_IMAGE,
    sidecarReadyTimeoutMs: env.BAILEY_SIDECAR_READY_TIMEOUT_MS,
    pullTimeoutMs: env.BAILEY_PULL_TIMEOUT * 1000,
    stepDelayMs: env.BAILEY_AGENT_FAULT_STEP_DELAY_MS,
    spareNetworks: env.BAILEY_SPARE_NETWORKS,
    stateDir: env.BAILEY_AGENT_STATE_DIR,
    dindPrivileged: env.BAILEY_DIND_PRIVILEGED === "true",
    allowed: env.BAILEY_ALLOW,
    ...(env.BAILEY_EGRESS_NETWORK ? { egressNetwork: env.BAILEY_EGRESS_NETWORK } : {}),
    ...(env.BAILEY_EGRESS_EXTRA_CA_FILE ? { egressExtraCaFile: env.BAILEY_EGRESS_EXTRA_CA_FILE } : {}),
    ...(env.BAILEY_AGENT_GIT_CA_FILE ? { gitCaFile: env.BAILEY_AGENT_GIT_CA_FILE } : {}),
    ...(env.BAILEY_AGENT_BUNDLE ? { agentBundlePath: env.BAILEY_AGENT_BUNDLE } : {}),
    log,
  });
  await runs.resume();
  const server = await startAgentServer({
    socketPath: env.BAILEY_AGENT_SOCKET,
    hostId: env.BAILEY_HOST_ID,
    agentId,
    runtime,
    runs,
    journal,
    allowed: env.BAILEY_ALLOW,
    log,
    ...(env.BAILEY_AGENT_PROTOCOL_VERSION ? { protocolVersion: env.BAILEY_AGENT_PROTOCOL_VERSION } : {}),
  });
  log(
    `serving host ${env.BAILEY_HOST_ID} (agent ${agentId}) on ${env.BAILEY_AGENT_SOCKET} (runtime ${runtime.type}, journal at seq ${journal.lastSequence}, allowing ${env.BAILEY_ALLOW.length ? env.BAILEY_ALLOW.join(",") : "no docker:dind, docker:host or sandbox:none"}, container logs capped at ${env.BAILEY_LOG_MAX_FILES} × ${env.BAILEY_LOG_MAX_SIZE})`,
  );
  const stop = async (signal: string) => {
    log(`${signal}: stopping (runs keep running and are picked up at the next start)`);
    await server.close();
    runs.close();
    await journal.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
