import type { AgentConnection } from "@bailey/agent-client";
import type { PrismaClient } from "@bailey/db";
import { binaryChunksVersion, maxResultChunkBytes, RpcError, rpcErrorCodes } from "@bailey/protocol";
import { type BlobStore, runLogKey } from "../blobs/blob-store";
import { finalRunStates } from "../runs/state-machine";

/**
 * What the log shipper asks of a host's agent (a fake in tests): `run.logs.stream` where the agent
 * speaks protocol version 2 (binary chunks: no base64 copy of every MiB in the agent's memory),
 * else `run.logs.read`.
 */
export type LogsAgent = Pick<AgentConnection, "request"> & Partial<Pick<AgentConnection, "openStream" | "protocolVersion">>;

export interface ShipLogsOptions {
  prisma: PrismaClient;
  blobs: BlobStore;
  agent: LogsAgent;
  /** At most this many bytes per run per call, so a chatty run never holds up a tick; the rest next time. */
  budgetBytes?: number;
  /** Bytes per run.logs.read (the protocol's cap at most). */
  chunkBytes?: number;
}

export interface ShippedLog {
  /** Bytes stored by this call. */
  bytes: number;
  /** The log is all in the blob store now (logsCompleteAt is set). */
  complete: boolean;
  /** Another shipper holds the run right now (another control plane's tick, or a destroy): nothing done. */
  busy: boolean;
}

const defaultBudgetBytes = 8 * 1024 * 1024;
/** At most this many bytes from one host per call: the rest next tick, so a tick stays short. */
const hostBudgetBytes = 32 * 1024 * 1024;
/** Runs shipped at once by this process: each holds a database connection while it pulls. */
const maxConcurrentRuns = 2;
/** A run that ended this long ago without its log complete is given up (its host is gone, or never answers for it). */
const endedRunWindowMs = 60 * 60_000;

/**
 * Ships the logs of a host's runs that reached it and whose logs are not all stored: those
 * provisioning, running or stopping, and those that ended within the last hour (their last
 * bytes, and their completion). A few runs at a time, a bounded share each.
 */
export async function shipHostLogs({ hostId, ...options }: ShipLogsOptions & { hostId: string }): Promise<{ bytes: number; completed: string[] }> {
  const runs = await options.prisma.run.findMany({
    where: {
      hostId,
      logsCompleteAt: null,
      blobsExpiredAt: null,
      OR: [{ state: { in: ["provisioning", "running", "stopping"] } }, { finishedAt: { gte: new Date(Date.now() - endedRunWindowMs) } }],
    },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  const report = { bytes: 0, completed: [] as string[] };
  // In a random order: with more chatty runs than one tick's budget, none waits behind the others every time.
  const queue = runs.map((run) => run.id).sort(() => Math.random() - 0.5);
  await Promise.all(
    Array.from({ length: Math.min(maxConcurrentRuns, queue.length) }, async () => {
      for (let runId = queue.shift(); runId && report.bytes < hostBudgetBytes; runId = queue.shift()) {
        const shipped = await withShippingSlot(() => shipRunLogs({ ...options, runId }));
        report.bytes += shipped.bytes;
        if (shipped.complete) report.completed.push(runId);
      }
    }),
  );
  return report;
}

/**
 * Pulls one run's log from the agent, from the byte count Postgres recorded, into the blob store:
 * each chunk is a part keyed by its offset, then the count advances by compare-and-set on its
 * old value. One shipper per run at a time (a transaction-scoped advisory lock, so a second
 * control plane skips the run rather than racing it: a shorter part written over a longer one at
 * the same offset would leave a hole); the compare-and-set still refuses a count that moved.
 * An ended run the agent no longer knows (destroyed, or a new agent) keeps what was stored, and
 * is marked complete: nothing more will come. A live one is not on its host yet (dispatch moves
 * it to provisioning before run.create), and is asked again next tick.
 */
export async function shipRunLogs({ prisma, blobs, agent, runId, budgetBytes = defaultBudgetBytes, chunkBytes = maxResultChunkBytes }: ShipLogsOptions & { runId: string }): Promise<ShippedLog> {
  const chunk = Math.min(chunkBytes, maxResultChunkBytes);
  return prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext(${`bailey.ship-logs:${runId}`})) AS locked`;
      if (!lock?.locked) return { bytes: 0, complete: false, busy: true };
      const run = await tx.run.findUnique({ where: { id: runId }, select: { logBytesStored: true, logsCompleteAt: true, state: true } });
      if (!run || run.logsCompleteAt) return { bytes: 0, complete: run?.logsCompleteAt != null, busy: false };
      let offset = Number(run.logBytesStored);
      let shipped = 0;
      const pieces = logPieces(agent, runId, offset, budgetBytes, chunk)[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<LogPiece>;
          try {
            next = await pieces.next();
          } catch (error) {
            if (error instanceof RpcError && error.code === rpcErrorCodes.runNotFound) {
              // A run being dispatched is not on its host yet: only an ended one is given up.
              if (!finalRunStates.includes(run.state)) return { bytes: shipped, complete: false, busy: false };
              await advance(tx, runId, offset, offset, true);
              return { bytes: shipped, complete: true, busy: false };
            }
            // An agent from before durable logs: its runs' logs stay on the host (read live).
            if (error instanceof RpcError && error.code === rpcErrorCodes.methodNotFound) return { bytes: 0, complete: false, busy: false };
            // Unreachable: what was shipped stays, the rest next tick.
            if (shipped === 0) throw error;
            return { bytes: shipped, complete: false, busy: false };
          }
          if (next.done) break;
          const { data, complete } = next.value;
          if (!data.length && !complete) break;
          if (data.length) await blobs.putPart(runLogKey(runId), offset, data);
          if (!(await advance(tx, runId, offset, offset + data.length, complete))) return { bytes: shipped, complete: false, busy: true };
          offset += data.length;
          shipped += data.length;
          if (complete) return { bytes: shipped, complete: true, busy: false };
        }
      } finally {
        await pieces.return?.(undefined);
      }
      return { bytes: shipped, complete: false, busy: false };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}

interface LogPiece {
  data: Buffer;
  /** The log is complete with this piece: the container has stopped and nothing more will come. */
  complete: boolean;
}

/**
 * The run's log from `offset`, at most `budget` bytes, in pieces of about `chunk` bytes: streamed
 * from an agent of protocol version 2 or later, read piece by piece from an older one. Ends early
 * (without a complete piece) where the log ends for now.
 */
async function* logPieces(agent: LogsAgent, runId: string, offset: number, budget: number, chunk: number): AsyncGenerator<LogPiece> {
  if (agent.openStream && agent.protocolVersion && (await agent.protocolVersion()) >= binaryChunksVersion) {
    const stream = await agent.openStream("run.logs.stream", { runId, offset, until: offset + budget });
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let end = offset;
      for await (const { data } of stream) {
        pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        pendingBytes += data.byteLength;
        end += data.byteLength;
        if (pendingBytes >= chunk) {
          yield { data: Buffer.concat(pending, pendingBytes), complete: false };
          pending = [];
          pendingBytes = 0;
        }
      }
      const { sizeBytes, complete } = await stream.result;
      yield { data: Buffer.concat(pending, pendingBytes), complete: complete && end >= sizeBytes };
    } finally {
      stream.cancel();
    }
    return;
  }
  for (let read = 0; read < budget; ) {
    const answer = await agent.request("run.logs.read", { runId, offset, length: Math.min(chunk, budget - read) }, { timeoutMs: 60_000 });
    const data = Buffer.from(answer.data, "base64");
    const complete = answer.complete && offset + data.length >= answer.sizeBytes;
    if (data.length === 0 && !complete) return;
    yield { data, complete };
    if (complete) return;
    offset += data.length;
    read += data.length;
  }
}

/** The tick ships every host at once: the slots bound how many database connections the shippers hold across them. */
let slotsInUse = 0;
const slotWaiters: (() => void)[] = [];
async function withShippingSlot<T>(step: () => Promise<T>): Promise<T> {
  while (slotsInUse >= maxConcurrentRuns) await new Promise<void>((resolve) => slotWaiters.push(resolve));
  slotsInUse += 1;
  try {
    return await step();
  } finally {
    slotsInUse -= 1;
    slotWaiters.shift()?.();
  }
}

/** Compare-and-set of the stored byte count; false when another shipper moved it first (its part at `from` holds the same bytes). */
async function advance(tx: Pick<PrismaClient, "run">, runId: string, from: number, to: number, complete: boolean): Promise<boolean> {
  const { count } = await tx.run.updateMany({
    where: { id: runId, logBytesStored: BigInt(from), logsCompleteAt: null },
    data: { logBytesStored: BigInt(to), ...(complete ? { logsCompleteAt: new Date() } : {}) },
  });
  return count === 1;
}
