import { z } from "zod";
import type { PrismaClient } from "@bailey/db";
import { imageReference } from "@bailey/protocol";
import { appendAuditEvents } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { hostLabels } from "../hosts/host-fields";
import { parseInput } from "../zod-issues";

export const imagePullRequest = z
  .object({
    image: imageReference,
    /** One host… */
    hostId: z.string().min(1).max(64).optional(),
    /** …or every host of the team with all of these labels. */
    labels: hostLabels.optional(),
  })
  .strict()
  .refine((input) => (input.hostId === undefined) !== (input.labels === undefined), {
    message: "Name either hostId (one host) or labels (every host with them), not both and not neither.",
    path: ["hostId"],
  });
export type ImagePullRequest = z.input<typeof imagePullRequest>;

export type ImagePullState = "pending" | "pulling" | "done" | "failed";

const imagePullSelect = { id: true, hostId: true, image: true, state: true, digest: true, error: true, requestedById: true, createdAt: true, startedAt: true, finishedAt: true } as const;

/**
 * An admin asks hosts to pull an image ahead of runs: one HostImagePull per host, carried out by
 * the scheduler (image-pulls.ts). A host already pulling that image keeps its request (no twin).
 */
export async function requestImagePull({ prisma, ctx, input: raw }: { prisma: PrismaClient; ctx: TeamContext; input: unknown }) {
  requireRole(ctx, "admin");
  const input = parseInput(imagePullRequest, "image pull", raw);
  const hosts = await targetHosts(prisma, ctx, input);
  return prisma.$transaction(async (tx) => {
    const open = await tx.hostImagePull.findMany({
      where: teamScope(ctx, { hostId: { in: hosts.map((host) => host.id) }, image: input.image, state: { in: ["pending", "pulling"] } }),
      select: imagePullSelect,
    });
    const created = [];
    for (const host of hosts.filter((host) => !open.some((pull) => pull.hostId === host.id))) {
      created.push(await tx.hostImagePull.create({ data: { teamId: ctx.teamId, hostId: host.id, image: input.image, requestedById: ctx.actor.userId }, select: imagePullSelect }));
    }
    await appendAuditEvents(
      tx,
      created.map((pull) => ({
        teamId: ctx.teamId,
        ...auditActor(ctx),
        action: "host.image_pull_requested",
        targetType: "host",
        targetId: pull.hostId,
        hostId: pull.hostId,
        data: { image: pull.image, pullId: pull.id, host: hosts.find((host) => host.id === pull.hostId)?.name, ...(input.labels ? { labels: input.labels } : {}) },
      })),
    );
    return [...created, ...open].sort((a, b) => a.hostId.localeCompare(b.hostId)).map(typedPull);
  });
}

async function targetHosts(prisma: PrismaClient, ctx: TeamContext, input: z.infer<typeof imagePullRequest>) {
  const hosts = await prisma.host.findMany({
    where: teamScope(ctx, { status: { not: "removed" as const }, ...(input.hostId ? { id: input.hostId } : {}) }),
    select: { id: true, name: true, labels: true },
  });
  if (input.hostId) {
    if (!hosts.length) throw AppError.notFound("Host");
    return hosts;
  }
  const wanted = Object.entries(input.labels ?? {});
  const matching = hosts.filter((host) => wanted.every(([key, value]) => (host.labels as Record<string, string>)[key] === value));
  if (!matching.length) {
    const selector = wanted.map(([key, value]) => `${key}=${value}`).join(", ") || "(none)";
    throw new AppError("UNPROCESSABLE", `No host of this team has the labels ${selector}; the Hosts page shows each host's labels.`);
  }
  return matching;
}

/** The team's recent pre-pulls, newest first; one host's when hostId is given. */
export async function listImagePulls({ prisma, ctx, hostId, limit = 100 }: { prisma: PrismaClient; ctx: Pick<TeamContext, "teamId">; hostId?: string; limit?: number }) {
  const pulls = await prisma.hostImagePull.findMany({ where: teamScope(ctx, hostId ? { hostId } : {}), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit, select: imagePullSelect });
  return pulls.map(typedPull);
}

/** The state column is text in Postgres; only these four are ever written. */
function typedPull<T extends { state: string }>(pull: T): T & { state: ImagePullState } {
  return pull as T & { state: ImagePullState };
}
