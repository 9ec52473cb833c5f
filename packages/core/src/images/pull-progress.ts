import type { Prisma } from "@bailey/db";
import { type AgentEvent, eventData } from "@bailey/protocol";

/** What Run.pullProgress holds while (and after) the agent pulls the run's image. */
export interface PullProgress {
  image: string;
  bytesDone: number;
  /** 0 while the registry has not said how big the image is. */
  bytesTotal: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** True when the host already had it and nothing was fetched. */
  cached?: boolean;
}

export const imageEventTypes = new Set<string>(["image.pull_started", "image.pull_progress", "image.pulled", "image.pull_failed"]);

/**
 * Applies one of a run's image.* journal events to the run row: the progress of its pull and,
 * once pulled, the digest the image resolved to. Progress never goes backwards (events of one
 * pull arrive in order, but a shared pull's progress may be ingested after its end).
 */
export async function applyRunImageEvent(tx: Prisma.TransactionClient, runId: string, event: AgentEvent): Promise<void> {
  const current = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { pullProgress: true } });
  const previous = (current.pullProgress ?? null) as PullProgress | null;
  const next = nextPullProgress(previous, event);
  if (!next) return;
  const pulled = eventData(event, "image.pulled");
  await tx.run.update({
    where: { id: runId },
    data: { pullProgress: next as unknown as Prisma.InputJsonValue, ...(pulled?.digest ? { imageDigest: pulled.digest } : {}) },
  });
}

/** The progress after `event`, or null when the event changes nothing. */
export function nextPullProgress(previous: PullProgress | null, event: AgentEvent): PullProgress | null {
  const started = eventData(event, "image.pull_started");
  if (started) return { image: started.image, bytesDone: 0, bytesTotal: 0, startedAt: event.at, finishedAt: null, error: null };
  const base = (image: string): PullProgress => (previous?.image === image ? previous : { image, bytesDone: 0, bytesTotal: 0, startedAt: event.at, finishedAt: null, error: null });
  const progress = eventData(event, "image.pull_progress");
  if (progress) {
    const from = base(progress.image);
    if (from.finishedAt) return null;
    return { ...from, bytesDone: Math.max(from.bytesDone, progress.bytesDone), bytesTotal: Math.max(from.bytesTotal, progress.bytesTotal) };
  }
  const pulled = eventData(event, "image.pulled");
  if (pulled) {
    const from = base(pulled.image);
    const bytes = pulled.bytes ?? Math.max(from.bytesTotal, from.bytesDone);
    const total = Math.max(from.bytesTotal, bytes);
    return { ...from, bytesDone: total, bytesTotal: total, finishedAt: event.at, error: null, ...(pulled.cached ? { cached: true } : {}) };
  }
  const failed = eventData(event, "image.pull_failed");
  if (failed) return { ...base(failed.image), finishedAt: event.at, error: failed.message };
  return null;
}
