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
      timeoutSeconds: true,
      waitReason: true,
      waitReasonAt: true,
      unplaceableSince: true,
    },
  });
  const page = rows.slice(0, limit);
  // Host names by a second query of only the distinct hosts on the page (none: no query), not
  // Prisma's relation load, which sends every row's hostId, nulls included (51 parameters a page).
  const hostIds = [...new Set(page.flatMap((run) => (run.hostId ? [run.hostId] : [])))];
  const hosts = hostIds.length ? await prisma.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } }) : [];
  const hostName = new Map(hosts.map((host) => [host.id, host.name]));
  const runs = page.map((run) => {
    const name = run.hostId ? hostName.get(run.hostId) : undefined;
    return { ...run, host: name === undefined ? null : { name } };
  });
  const last = page.at(-1);
  return { runs, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
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
