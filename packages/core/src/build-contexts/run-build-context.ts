import type { Prisma, PrismaClient } from "@bailey/db";
import { AppError } from "../errors";

const uploadFirst = (sha256: string) =>
  new AppError(
    "BAD_REQUEST",
    `The run spec is invalid: build.context: this team has no build context ${sha256}; upload it first (POST /api/v1/build-contexts with the tar as the body) and use the sha256 it returns.`,
    {
      fields: [{ field: "build.context", message: `no build context ${sha256} in this team; upload it first with POST /api/v1/build-contexts` }],
    },
  );

/** A run may only build from a context its own team uploaded: checked at submission. */
export async function requireBuildContext(prisma: PrismaClient | Prisma.TransactionClient, teamId: string, sha256: string): Promise<void> {
  const found = await prisma.buildContext.findUnique({ where: { teamId_sha256: { teamId, sha256 } }, select: { id: true } });
  if (!found) throw uploadFirst(sha256);
}

/** The context's bytes, for putting it on the run's host; absent (pruned, or its team's) is the same refusal. */
export async function buildContextBytes(prisma: PrismaClient, teamId: string, sha256: string): Promise<Buffer> {
  const found = await prisma.buildContext.findUnique({ where: { teamId_sha256: { teamId, sha256 } }, select: { data: true } });
  if (!found) throw uploadFirst(sha256);
  return Buffer.from(found.data);
}
