import type { PrismaClient } from "@bailey/db";
import type { TeamContext } from "../authz";
import { AppError } from "../errors";
import type { HostConnections } from "../scheduler/host-connections";
import { getRun } from "./run-operations";

interface RunLogsOptions {
  prisma: PrismaClient;
  ctx: Pick<TeamContext, "teamId">;
  connections: HostConnections;
  runId: string;
}

/**
 * A run's output as it comes from its host's agent (follow: until the run ends). A host that
 * cannot be reached is UNAVAILABLE, whoever asks (the dashboard's tail, REST's stream).
 */
export async function openRunLogs({ prisma, ctx, connections, runId, follow }: RunLogsOptions & { follow: boolean }) {
  const run = await getRun({ prisma, ctx, runId });
  if (!run.host) return { run, stream: null };
  const host = await prisma.host.findUniqueOrThrow({ where: { id: run.host.id } });
  try {
    return { run, stream: await connections.get(host).openStream("run.logs", { runId, follow }) };
  } catch (error) {
    throw new AppError("UNAVAILABLE", `The logs are on host ${host.name}, which cannot be reached right now: ${(error as Error).message}`);
  }
}

/** The end of a run's output as text (at most maxBytes), read from its host's agent. */
export async function readRunLogs({ maxBytes = 1024 * 1024, ...options }: RunLogsOptions & { maxBytes?: number }) {
  const { run, stream } = await openRunLogs({ ...options, follow: false });
  if (!stream) return { text: "", truncated: false, state: run.state };
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream.chunks) {
    chunks.push(Buffer.from(chunk.data));
    size += chunk.data.length;
    // Keep only the tail: older chunks go once the newest ones alone fill the budget.
    while (size - (chunks[0]?.length ?? 0) >= maxBytes && chunks.length > 1) {
      size -= chunks.shift()!.length;
      truncated = true;
    }
  }
  let text = Buffer.concat(chunks);
  if (text.length > maxBytes) {
    text = text.subarray(text.length - maxBytes);
    truncated = true;
  }
  return { text: text.toString("utf8"), truncated, state: run.state };
}
