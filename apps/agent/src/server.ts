import { chmod, mkdir, rm } from "node:fs/promises";
import net from "node:net";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { protocolVersion, RpcError, RpcPeer, rpcErrorCodes, type Handlers } from "@bailey/protocol";
import { runtimeFeatures, type Runtime } from "@bailey/runtime";
import type { HostCapability } from "./env";
import { ExecSessions } from "./exec/exec-sessions";
import { streamLogFile } from "./logs/stream-log-file";
import type { Journal } from "./journal/journal";
import type { RunManager } from "./runs/run-manager";
import { agentVersion } from "./version";

export interface AgentServerOptions {
  socketPath: string;
  /** BAILEY_AGENT_PROTOCOL_VERSION: the newest protocol version to speak (compatibility tests stand in for an older agent with it). */
  protocolVersion?: number;
  hostId: string;
  agentId: string;
  runtime: Runtime;
  runs: RunManager;
  journal: Journal;
  /** BAILEY_ALLOW, reported in agent.hello. */
  allowed?: readonly HostCapability[];
  /** The interactive sessions (exec.*); one registry per agent, made here unless given. */
  execSessions?: ExecSessions;
  log?: (line: string) => void;
}

export function agentHandlers({ hostId, agentId, runtime, runs, journal, allowed = [], execSessions, log }: Omit<AgentServerOptions, "socketPath">): Handlers {
  const sessions = execSessions ?? new ExecSessions({ runtime, runs, ...(log ? { log } : {}) });
  return {
    ...sessions.handlers(),
    // The peer has checked the offered version; ctx.protocolVersion is the one agreed for this connection.
    "agent.hello": async (_params, ctx) => {
      return {
        protocolVersion: ctx.protocolVersion ?? protocolVersion,
        agentVersion,
        hostId,
        runtime: runtime.type,
        features: {
          ...runtimeFeatures(runtime),
          runsc: await runtime.sandboxAvailable(),
          runscHostUds: await runtime.sandboxedEngineSocketAvailable(),
          workspaces: await runs.workspaces.supported(),
        },
        cpus: cpus().length,
        memoryBytes: totalmem(),
        runningRuns: runs.running(),
        agentId,
        allowed: [...allowed],
      };
    },
    "run.create": ({ runId, spec, registryAuth, credentials }) => runs.create(runId, spec, registryAuth, credentials),
    "run.start": ({ runId }) => runs.start(runId),
    "run.stop": ({ runId, graceSeconds }) => runs.stop(runId, graceSeconds),
    "run.destroy": ({ runId }) => runs.destroy(runId),
    "run.inspect": async ({ runId }) => runs.inspect(runId),
    "run.exec": ({ runId, command, tty }) => runtime.exec(runs.containerOf(runId), command, { tty }),
    "run.logs": async ({ runId, follow, since, tail }, ctx) => {
      // A built run's build output comes first, on stderr, when the whole log is read (no since or tail):
      // the container's log does not hold it, and a run whose build failed has no container at all.
      const buildOutput = since || tail !== undefined ? null : await runs.buildOutput(runId);
      if (buildOutput?.length) {
        for (let at = 0; at < buildOutput.length; at += 64 * 1024) await ctx.write({ fd: "stderr", data: buildOutput.subarray(at, at + 64 * 1024) });
        if (!runs.hasContainer(runId)) return { bytes: buildOutput.length };
      }
      const stream = await runtime.logs(runs.containerOf(runId), { follow, ...(since ? { since: new Date(since) } : {}), ...(tail !== undefined ? { tail } : {}) });
      ctx.signal.addEventListener("abort", () => stream.destroy(), { once: true });
      let bytes = buildOutput?.length ?? 0;
      try {
        for await (const chunk of stream) {
          bytes += chunk.data.length;
          await ctx.write({ fd: chunk.stream, data: chunk.data });
        }
      } catch (error) {
        if (!ctx.signal.aborted) throw error;
      }
      return { bytes };
    },
    "run.logs.read": async ({ runId, offset, length }) => {
      const { data, sizeBytes, complete } = await runs.readLog(runId, offset, length);
      return { data: data.toString("base64"), sizeBytes, complete };
    },
    "run.logs.stream": (params, ctx) => streamLogFile(runs, params, ctx),
    "run.results": ({ runId }) => runs.results(runId),
    "run.results.read": ({ runId, name, offset, length }) => runs.readResult(runId, name, offset, length),
    "host.reconcile": async ({ ownedRunIds, dryRun, removeOnly }) => ({ removed: await runs.reconcile(ownedRunIds, { ...(dryRun ? { dryRun } : {}), ...(removeOnly ? { removeOnly } : {}) }) }),
    "build.context.put": async (chunk) => {
      if (!runs.buildContexts)
        throw new RpcError(rpcErrorCodes.unsupportedFeature, "This agent keeps no build contexts (it was started without a state directory); start it with BAILEY_AGENT_STATE_DIR.");
      return runs.buildContexts.put(chunk);
    },
    "image.pull": async ({ image, policy, registryAuth }) => {
      const ensured = await runs.images.ensure({ image, policy, ...(registryAuth ? { auth: registryAuth } : {}) });
      return { image, digest: ensured.digest, pulled: ensured.pulled };
    },
    "image.list": async () => ({
      images: (await runtime.listImages()).map((image) => ({ id: image.id, tags: image.tags, digests: image.digests, sizeBytes: image.sizeBytes, createdAt: image.createdAt })),
    }),
    "pool.configure": async ({ pools }) => ({ pools: runs.pools.configure(pools) }),
    "pool.status": async () => ({ pools: runs.pools.status() }),
    "events.pull": async ({ afterSeq, limit }) => journal.pull(afterSeq, limit),
    "events.ack": async ({ seq }) => ({ ackedSeq: await journal.ack(seq) }),
  };
}

/** Listens on a Unix socket only its owner may use; each connection is one RpcPeer. */
export async function startAgentServer(options: AgentServerOptions): Promise<{ close(): Promise<void> }> {
  await mkdir(path.dirname(options.socketPath), { recursive: true, mode: 0o750 });
  await rm(options.socketPath, { force: true });
  const execSessions = options.execSessions ?? new ExecSessions({ runtime: options.runtime, runs: options.runs, ...(options.log ? { log: options.log } : {}) });
  const handlers = agentHandlers({ ...options, execSessions });
  const peers = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    peers.add(socket);
    socket.once("close", () => peers.delete(socket));
    socket.on("error", () => socket.destroy());
    new RpcPeer(socket, handlers, options.protocolVersion ? { protocolVersion: options.protocolVersion } : {});
  });
  const previousMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.socketPath, resolve);
    });
  } finally {
    process.umask(previousMask);
  }
  await chmod(options.socketPath, 0o600);
  return {
    close: async () => {
      for (const socket of peers) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A later agent cannot resume them: the processes they started are ended, not left behind.
      await execSessions.closeAll();
    },
  };
}
