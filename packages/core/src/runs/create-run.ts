import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent, canonicalJson } from "../audit";
import { auditActor, requireRole, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { validateRunSpec } from "./run-spec";

export interface CreateRunOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  spec: unknown;
  /** Idempotency-Key: a retry with the same key and body returns the first run. */
  idempotencyKey?: string;
  specFormat?: "json" | "yaml" | "moat";
}

const runSelect = { id: true, name: true, state: true, image: true, hostId: true, createdAt: true, spec: true } satisfies Prisma.RunSelect;

/** Queues a run (scheduling happens in the scheduler); the same Idempotency-Key never makes two. */
export async function createRun({ prisma, ctx, spec: input, idempotencyKey, specFormat = "json" }: CreateRunOptions) {
  requireRole(ctx, "member");
  if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
    throw new AppError("BAD_REQUEST", "Idempotency-Key must be 1-200 printable ASCII characters without spaces.");
  }
  const { spec, agentSpec } = validateRunSpec(input);
  const bodyHash = createHash("sha256").update(canonicalJson(spec)).digest("hex");
  if (idempotencyKey) {
    const existing = await findByKey(prisma, ctx.teamId, idempotencyKey, bodyHash);
    if (existing) return { run: existing, created: false };
  }
  return prisma.$transaction(async (tx) => {
    if (idempotencyKey) {
      // Same-key creators queue here instead of racing into the unique index: the first
      // inserts, the rest find its run. (An insert failing inside an interactive
      // transaction is what we avoid.)
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${ctx.teamId}:${idempotencyKey}`}, 0))`;
      const existing = await findByKey(tx, ctx.teamId, idempotencyKey, bodyHash);
      if (existing) return { run: existing, created: false };
    }
    const created = await tx.run.create({
      data: {
        teamId: ctx.teamId,
        createdById: ctx.actor.userId,
        apiTokenId: ctx.actor.type === "token" ? ctx.actor.tokenId : null,
        name: spec.name ?? null,
        spec: spec as Prisma.InputJsonValue,
        specFormat,
        image: spec.image,
        command: agentSpec.command ?? [],
        dependencies: agentSpec.dependencies,
        sandbox: agentSpec.sandbox,
        placement: spec.placement as Prisma.InputJsonValue,
        cpus: agentSpec.resources.cpus ?? null,
        memoryBytes: agentSpec.resources.memoryBytes === undefined ? null : BigInt(agentSpec.resources.memoryBytes),
        pidsLimit: agentSpec.resources.pids ?? null,
        timeoutSeconds: agentSpec.resources.timeoutSeconds ?? null,
        idempotencyKey: idempotencyKey ?? null,
        idempotencyHash: idempotencyKey ? bodyHash : null,
      },
      select: runSelect,
    });
    await tx.runTransition.create({ data: { runId: created.id, fromState: null, toState: "queued" } });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "run.created",
      targetType: "run",
      targetId: created.id,
      runId: created.id,
      data: { image: spec.image, dependencies: agentSpec.dependencies, sandbox: agentSpec.sandbox },
    });
    return { run: created, created: true };
  });
}

async function findByKey(prisma: PrismaClient | Prisma.TransactionClient, teamId: string, key: string, bodyHash: string) {
  const existing = await prisma.run.findUnique({ where: { teamId_idempotencyKey: { teamId, idempotencyKey: key } }, select: { ...runSelect, idempotencyHash: true } });
  if (!existing) return null;
  if (existing.idempotencyHash !== bodyHash) {
    throw new AppError("CONFLICT", `Idempotency-Key "${key}" was already used for a different run spec; use a new key for a new run.`);
  }
  const { idempotencyHash: _hash, ...run } = existing;
  return run;
}
