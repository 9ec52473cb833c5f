import { createHash } from "node:crypto";
import type { AgentConnection } from "@bailey/agent-client";
import type { PrismaClient, RunState } from "@bailey/db";
import { maxResultChunkBytes, RpcError, type RunResults, rpcErrorCodes } from "@bailey/protocol";
import { type BlobStore, runResultKey } from "../blobs/blob-store";
import { transitionRun } from "../runs/transition-run";
import { type MissingResult, missingResults } from "./results-spec";

/** What the shipper asks of a host's agent: run.results and run.results.read (a fake in tests). */
export type ResultsAgent = Pick<AgentConnection, "request">;

export interface ShipOptions {
  prisma: PrismaClient;
  blobs: BlobStore;
  agent: ResultsAgent;
  /** At most this many bytes pulled per call, so one large artifact never holds up a tick; the rest next time. */
  budgetBytes?: number;
  /** Bytes per run.results.read (the protocol's cap at most). */
  chunkBytes?: number;
}

/** A restarted file is marked in resultsMissing while pending, so a second mismatch gives up on it (one restart, on any control plane). */
const restartedMark = "sha256 mismatch once; pulled again from the start";
const defaultBudgetBytes = 64 * 1024 * 1024;

export interface ShipReport {
  /** Bytes stored this call. */
  bytes: number;
  /** Runs whose results are now complete or partial, and that took their final state. */
  finished: string[];
}

/**
 * Ships the results of a host's runs that have ended and wait for them (resultsState pending):
 * asks the agent for the manifest, pulls each file in chunks from the offset Postgres recorded
 * into the blob store (a part per offset, the offset advanced by compare-and-set, so two control
 * planes never store a part twice and a cut pull resumes where it stopped), checks each file's
 * SHA-256 once stored, then ends the run with its results in one transaction.
 */
export async function shipHostResults({ hostId, ...options }: ShipOptions & { hostId: string }): Promise<ShipReport> {
  const report: ShipReport = { bytes: 0, finished: [] };
  const runs = await options.prisma.run.findMany({
    where: { hostId, resultsState: "pending", endedState: { not: null }, state: { in: ["running", "stopping"] } },
    select: { id: true },
    orderBy: { finishedAt: "asc" },
  });
  let budget = options.budgetBytes ?? defaultBudgetBytes;
  for (const { id } of runs) {
    if (budget <= 0) break;
    const shipped = await shipRunResults({ ...options, runId: id, budgetBytes: budget });
    budget -= shipped.bytes;
    report.bytes += shipped.bytes;
    if (shipped.finished) report.finished.push(id);
  }
  return report;
}

/** One run's results, as far as the budget goes; `finished` once the run took its final state. */
export async function shipRunResults({
  prisma,
  blobs,
  agent,
  runId,
  budgetBytes = defaultBudgetBytes,
  chunkBytes = maxResultChunkBytes,
}: ShipOptions & { runId: string }): Promise<{ bytes: number; finished: boolean }> {
  let manifest: RunResults;
  try {
    manifest = await agent.request("run.results", { runId }, { timeoutMs: 60_000 });
  } catch (error) {
    // The host no longer has the run (removed there by hand, or its state lost): the run ends with what is stored.
    if (error instanceof RpcError && error.code === rpcErrorCodes.runNotFound)
      return { bytes: 0, finished: await finishRunResults(prisma, runId, [], { reasonSuffix: "its host no longer has this run, so its results that were not stored are lost" }) };
    throw error;
  }
  if (manifest.state === "pending") return { bytes: 0, finished: false };
  if (manifest.state === "none") {
    const finished = await finishRunResults(prisma, runId, [{ name: "results", reason: "the host's agent collected none for this run (it may predate workspaces and results)" }]);
    return { bytes: 0, finished };
  }
  await recordManifest(prisma, runId, manifest);
  let bytes = 0;
  const failed: MissingResult[] = [];
  for (const file of manifest.files) {
    const outcome = await pullFile({ prisma, blobs, agent, runId, name: file.name, budgetBytes: budgetBytes - bytes, chunkBytes });
    bytes += outcome.bytes;
    if (outcome.failed) failed.push({ name: file.name, reason: outcome.failed });
    if (!outcome.complete && !outcome.failed) return { bytes, finished: false };
  }
  const finished = await finishRunResults(prisma, runId, [...manifest.missing, ...failed]);
  return { bytes, finished };
}

/** The manifest's files as RunResult rows (a file whose size or SHA-256 changed starts over), and its commits on the run. */
async function recordManifest(prisma: PrismaClient, runId: string, manifest: RunResults): Promise<void> {
  const existing = new Map((await prisma.runResult.findMany({ where: { runId } })).map((row) => [row.name, row]));
  for (const file of manifest.files) {
    const row = existing.get(file.name);
    if (!row) {
      await prisma.runResult.createMany({ data: [{ runId, name: file.name, kind: file.kind, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256 }], skipDuplicates: true });
    } else if (row.sha256 !== file.sha256 || row.sizeBytes !== BigInt(file.sizeBytes)) {
      await prisma.runResult.updateMany({
        where: { id: row.id, sha256: row.sha256 },
        data: { kind: file.kind, sizeBytes: BigInt(file.sizeBytes), sha256: file.sha256, storedBytes: 0n, completedAt: null },
      });
    }
  }
  await prisma.run.update({
    where: { id: runId },
    data: {
      headCommit: manifest.headCommit,
      ...(manifest.baseCommit ? { baseCommit: manifest.baseCommit } : {}),
      ...(manifest.pushed ? { pushedBranch: manifest.pushed.branch, pushedCommit: manifest.pushed.commit } : {}),
    },
  });
}

interface PullOutcome {
  bytes: number;
  complete: boolean;
  /** Why the file will not be stored (its SHA-256 twice wrong). */
  failed?: string;
}

async function pullFile({
  prisma,
  blobs,
  agent,
  runId,
  name,
  budgetBytes,
  chunkBytes,
}: {
  prisma: PrismaClient;
  blobs: BlobStore;
  agent: ResultsAgent;
  runId: string;
  name: string;
  budgetBytes: number;
  chunkBytes: number;
}): Promise<PullOutcome> {
  const key = runResultKey(runId, name);
  let bytes = 0;
  for (;;) {
    const row = await prisma.runResult.findUniqueOrThrow({ where: { runId_name: { runId, name } } });
    if (row.completedAt) return { bytes, complete: true };
    const size = Number(row.sizeBytes);
    const offset = Number(row.storedBytes);
    if (offset >= size) {
      const verdict = await verifyStored(prisma, blobs, runId, row);
      if (verdict === "stored") return { bytes, complete: true };
      if (verdict === "failed") return { bytes, complete: false, failed: `its SHA-256 did not match the host's twice (pulled twice from the start); the host's copy may have changed` };
      continue;
    }
    if (bytes >= budgetBytes) return { bytes, complete: false };
    const length = Math.min(chunkBytes, size - offset, Math.max(1, budgetBytes - bytes));
    const chunk = await agent.request("run.results.read", { runId, name, offset, length }, { timeoutMs: 120_000 });
    const data = Buffer.from(chunk.data, "base64");
    if (!data.length) throw new Error(`host returned no bytes of ${name} at ${offset} of ${size}${chunk.eof ? " (end of file): the file is shorter than its manifest says" : ""}`);
    const part = data.subarray(0, size - offset);
    await blobs.putPart(key, offset, part);
    // Compare-and-set on the offset: a second control plane that stored this part first has
    // moved it on, and this one then continues from wherever that one got.
    await prisma.runResult.updateMany({ where: { id: row.id, storedBytes: BigInt(offset), sha256: row.sha256 }, data: { storedBytes: BigInt(offset + part.length) } });
    bytes += part.length;
  }
}

/** Hashes the stored bytes: a match completes the file; a mismatch restarts it from 0 once, then gives up on it. */
async function verifyStored(prisma: PrismaClient, blobs: BlobStore, runId: string, row: { id: string; name: string; sizeBytes: bigint; sha256: string }): Promise<"stored" | "restarted" | "failed"> {
  const hash = createHash("sha256");
  for await (const chunk of blobs.read(runResultKey(runId, row.name), Number(row.sizeBytes))) hash.update(chunk as Buffer);
  if (hash.digest("hex") === row.sha256) {
    await prisma.runResult.updateMany({ where: { id: row.id, completedAt: null }, data: { completedAt: new Date() } });
    return "stored";
  }
  return prisma.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ resultsMissing: unknown }[]>`SELECT "resultsMissing" FROM "Run" WHERE id = ${runId} FOR UPDATE`;
    const marks = missingResults(run?.resultsMissing);
    if (marks.some((mark) => mark.name === row.name && mark.reason === restartedMark)) return "failed" as const;
    await tx.run.update({ where: { id: runId }, data: { resultsMissing: [...marks, { name: row.name, reason: restartedMark }] } });
    await tx.runResult.updateMany({ where: { id: row.id, storedBytes: row.sizeBytes }, data: { storedBytes: 0n } });
    return "restarted" as const;
  });
}

/**
 * Ends a run that waited for its results, in one transaction: resultsState complete (nothing
 * missing) or partial with what is missing and why, and the state its end said it is (audited
 * by transitionRun). False when another control plane finished it first.
 */
export async function finishRunResults(prisma: PrismaClient, runId: string, missing: MissingResult[], { reasonSuffix }: { reasonSuffix?: string } = {}): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ state: RunState; resultsState: string; endedState: RunState | null; endedReason: string | null; hostId: string | null }[]>`
      SELECT state, "resultsState", "endedState", "endedReason", "hostId" FROM "Run" WHERE id = ${runId} FOR UPDATE`;
    if (run?.resultsState !== "pending") return false;
    const unstored = await tx.runResult.findMany({ where: { runId, completedAt: null }, select: { name: true } });
    const named = new Set(missing.map((entry) => entry.name));
    const all = [...missing, ...unstored.filter((file) => !named.has(file.name)).map((file) => ({ name: file.name, reason: reasonSuffix ?? "not stored" }))];
    const resultsState = all.length ? "partial" : "complete";
    const data = { resultsState, resultsMissing: all.length ? all : [] };
    const to = run.endedState ?? "failed";
    const reason = `${run.endedReason ?? "ended"}${reasonSuffix ? `; ${reasonSuffix}` : ""}`;
    const moved = await transitionRun(tx, { runId, from: ["running", "stopping"], to, reason, actor: { actorType: "system" }, data });
    if (!moved) await tx.run.update({ where: { id: runId }, data });
    return true;
  });
}
