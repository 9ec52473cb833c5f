import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { RpcError, type RunResultFile, type RunResults, rpcErrorCodes } from "@bailey/protocol";
import { writeFileAtomic } from "../journal/atomic-write";
import type { WorkspaceLayout } from "./workspace-layout";

/** A run's collected results, as `run.results` answers them once they are final. */
export interface ResultsManifest {
  files: RunResultFile[];
  missing: { name: string; reason: string }[];
  baseCommit: string | null;
  headCommit: string | null;
  pushed: { branch: string; commit: string } | null;
  collectedAt: string;
}

export async function readManifest(layout: WorkspaceLayout): Promise<ResultsManifest | null> {
  const text = await readFile(layout.manifest, "utf8").catch(() => null);
  return text ? (JSON.parse(text) as ResultsManifest) : null;
}

export async function writeManifest(layout: WorkspaceLayout, manifest: ResultsManifest): Promise<void> {
  await writeFileAtomic(layout.manifest, JSON.stringify(manifest));
}

/** `run.results`' answer: none when the spec asks for no results, pending until the manifest is written. */
export function resultsAnswer(runId: string, wanted: boolean, manifest: ResultsManifest | null): RunResults {
  if (!wanted) return { runId, state: "none", files: [], missing: [], baseCommit: null, headCommit: null, pushed: null };
  if (!manifest) return { runId, state: "pending", files: [], missing: [], baseCommit: null, headCommit: null, pushed: null };
  return { runId, state: "ready", files: manifest.files, missing: manifest.missing, baseCommit: manifest.baseCommit, headCommit: manifest.headCommit, pushed: manifest.pushed };
}

/**
 * Bytes of one result file. The name must be one the manifest lists, exactly: it is never used
 * as a path before that (no `..`, no absolute path, nothing the run named reaches the host's files).
 */
export async function readResultChunk(layout: WorkspaceLayout, manifest: ResultsManifest | null, name: string, offset: number, length: number): Promise<{ data: string; eof: boolean }> {
  if (!manifest) throw new RpcError(rpcErrorCodes.conflict, `Run ${layout.runId}'s results are not collected yet; call run.results until its state is ready.`, { runId: layout.runId });
  const file = manifest.files.find((candidate) => candidate.name === name);
  if (!file) {
    throw new RpcError(rpcErrorCodes.invalidParams, `Run ${layout.runId} has no result named ${JSON.stringify(name)}; run.results lists its files.`, { runId: layout.runId, name });
  }
  const handle = await open(path.join(layout.results, file.name), "r");
  try {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, file.sizeBytes - offset)));
    const { bytesRead } = buffer.length ? await handle.read(buffer, 0, buffer.length, offset) : { bytesRead: 0 };
    return { data: buffer.subarray(0, bytesRead).toString("base64"), eof: offset + bytesRead >= file.sizeBytes };
  } finally {
    await handle.close();
  }
}

/** Size and lower-case hex SHA-256 of a file, streamed. */
export async function hashFile(file: string): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sizeBytes, sha256: hash.digest("hex") };
}
