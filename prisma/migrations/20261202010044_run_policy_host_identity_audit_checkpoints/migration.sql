-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "defaultRunTimeoutSeconds" INTEGER NOT NULL DEFAULT 14400,
ADD COLUMN     "maxQueuedRuns" INTEGER NOT NULL DEFAULT 500,
ADD COLUMN     "minRoleDockerDind" "Role" NOT NULL DEFAULT 'admin',
ADD COLUMN     "minRoleDockerHost" "Role" NOT NULL DEFAULT 'admin',
ADD COLUMN     "minRoleSandboxNone" "Role" NOT NULL DEFAULT 'admin';

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "agentId" TEXT;

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" BIGSERIAL NOT NULL,
    "teamId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimitBucket" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blockedUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RateLimitBucket_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "AuditCheckpoint_teamId_signedAt_idx" ON "AuditCheckpoint"("teamId", "signedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_teamId_seq_key" ON "AuditCheckpoint"("teamId", "seq");

-- CreateIndex
CREATE INDEX "RateLimitBucket_updatedAt_idx" ON "RateLimitBucket"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Host_agentId_key" ON "Host"("agentId");

-- AddForeignKey
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
