import { createHash } from "node:crypto";
import type { PrismaClient } from "@bailey/db";
import { maxBuildContextBytes } from "@bailey/protocol";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { isUniqueViolation } from "../unique-violation";
import { buildContextFormat } from "./tar-format";

export interface BuildContextSummary {
  id: string;
  sha256: string;
  sizeBytes: number;
  createdAt: Date;
}

export const buildContextSelect = { id: true, sha256: true, sizeBytes: true, createdAt: true } as const;

/** The limit in words, for the 413. */
export const buildContextLimitWords = `${maxBuildContextBytes / 1024 / 1024} MiB`;

export function buildContextTooLarge(): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `A build context may be at most ${buildContextLimitWords} (${maxBuildContextBytes} bytes); leave out what the build does not need (a .dockerignore does not apply to uploads: tar only the files the Dockerfile copies) or gzip it.`,
    { maxBytes: maxBuildContextBytes },
  );
}

/**
 * Stores a team's build context (a tar, plain or gzip). Idempotent by content: the same bytes
 * again are the same context (`created: false`); the first upload is audited.
 */
export async function uploadBuildContext({ prisma, ctx, bytes }: { prisma: PrismaClient; ctx: TeamContext; bytes: Uint8Array }): Promise<{ context: BuildContextSummary; created: boolean }> {
  requireRole(ctx, "member");
  if (bytes.length === 0) throw new AppError("BAD_REQUEST", "The body is empty; send the build context as a tar (Content-Type: application/x-tar) or a gzipped tar (application/gzip).");
  if (bytes.length > maxBuildContextBytes) throw buildContextTooLarge();
  const format = buildContextFormat(bytes);
  if (!format) throw new AppError("BAD_REQUEST", "The body is not a tar or a gzip; make one with e.g. `tar -czf context.tgz -C <directory> .` and send it as application/gzip.");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const existing = await prisma.buildContext.findUnique({ where: { teamId_sha256: { teamId: ctx.teamId, sha256 } }, select: buildContextSelect });
  if (existing) return { context: existing, created: false };
  try {
    const context = await prisma.$transaction(async (tx) => {
      const created = await tx.buildContext.create({
        data: { teamId: ctx.teamId, sha256, sizeBytes: bytes.length, data: Buffer.from(bytes), createdById: ctx.actor.userId },
        select: buildContextSelect,
      });
      await appendAuditEvent(tx, {
        teamId: ctx.teamId,
        ...auditActor(ctx),
        action: "build_context.uploaded",
        targetType: "build_context",
        targetId: created.id,
        data: { sha256, sizeBytes: bytes.length, format },
      });
      return created;
    });
    return { context, created: true };
  } catch (error) {
    // Another upload of the same bytes won the race: that one is this context.
    if (!isUniqueViolation(error)) throw error;
    const winner = await prisma.buildContext.findUniqueOrThrow({ where: { teamId_sha256: { teamId: ctx.teamId, sha256 } }, select: buildContextSelect });
    return { context: winner, created: false };
  }
}
