import type { PrismaClient } from "@bailey/db";

/** One step of a run's image build as its host reported it (build.* events), for the run's timeline. */
export interface RunBuildStep {
  /** The event's place in its host's journal. */
  seq: number;
  type: "build.started" | "build.builder" | "build.finished" | "build.failed";
  at: Date;
  builder: string | null;
  reason: string | null;
  durationMs: number | null;
  message: string | null;
}

const maxSteps = 50;
const text = (value: unknown, max = 4000) => (typeof value === "string" ? value.slice(0, max) : null);

/** The build.* events of a run on its host, oldest first; none for a run that names an image. */
export async function runBuildSteps(prisma: PrismaClient, run: { id: string; hostId: string | null }): Promise<RunBuildStep[]> {
  if (!run.hostId) return [];
  const events = await prisma.hostEvent.findMany({
    where: { runId: run.id, hostId: run.hostId, type: { startsWith: "build." } },
    orderBy: { seq: "asc" },
    take: maxSteps,
    select: { seq: true, type: true, payload: true, occurredAt: true },
  });
  return events.flatMap(({ seq, type, payload, occurredAt }) => {
    if (type !== "build.started" && type !== "build.builder" && type !== "build.finished" && type !== "build.failed") return [];
    const data = (typeof payload === "object" && payload !== null ? payload : {}) as Record<string, unknown>;
    return [
      {
        seq: Number(seq),
        type,
        at: occurredAt,
        builder: text(data.builder, 64),
        reason: text(data.reason),
        durationMs: typeof data.durationMs === "number" ? data.durationMs : null,
        message: text(data.message, 16_000),
      },
    ];
  });
}
