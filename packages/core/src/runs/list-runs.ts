import type { PrismaClient, RunState } from "@bailey/db";
import { teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";

export interface ListRunsOptions {
  prisma: PrismaClient;
  ctx: Pick<TeamContext, "teamId">;
  state?: RunState;
  hostId?: string;
  createdById?: string;
  /** Matches the run's id, name or image, case-insensitively. */
  text?: string;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

/** A team's runs, newest first, paged on (createdAt, id) so inserts never shift a page. */
export async function listRuns({ prisma, ctx, state, hostId, createdById, text, limit, cursor }: ListRunsOptions) {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = await prisma.run.findMany({
    where: teamScope(ctx, {
      ...(state ? { state } : {}),
      ...(hostId ? { hostId } : {}),
      ...(createdById ? { createdById } : {}),
      ...(text ? { AND: [{ OR: [{ id: text }, { name: { contains: text, mode: "insensitive" as const } }, { image: { contains: text, mode: "insensitive" as const } }] }] } : {}),
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    }),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: {
      id: true,
      name: true,
      image: true,
      state: true,
      hostId: true,
      createdById: true,
      apiTokenId: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      exitCode: true,
      waitReason: true,
      waitReasonAt: true,
      unplaceableSince: true,
      host: { select: { name: true } },
    },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { runs: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

function encodeCursor(run: { createdAt: Date; id: string }): string {
  return Buffer.from(`${run.createdAt.toISOString()}|${run.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) throw new AppError("BAD_REQUEST", "The cursor is not one this API returned; start again without it.");
  return { createdAt, id };
}
