-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "blobRetentionDays" INTEGER NOT NULL DEFAULT 30;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "hasWorkspaces" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "baseCommit" TEXT,
ADD COLUMN     "blobsExpiredAt" TIMESTAMP(3),
ADD COLUMN     "endedReason" TEXT,
ADD COLUMN     "endedState" "RunState",
ADD COLUMN     "headCommit" TEXT,
ADD COLUMN     "logBytesStored" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "logsCompleteAt" TIMESTAMP(3),
ADD COLUMN     "pushedBranch" TEXT,
ADD COLUMN     "pushedCommit" TEXT,
ADD COLUMN     "resultsMissing" JSONB,
ADD COLUMN     "resultsState" TEXT NOT NULL DEFAULT 'none';

-- CreateTable
CREATE TABLE "RunResult" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "storedBytes" BIGINT NOT NULL DEFAULT 0,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunResult_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RunResult_runId_name_key" ON "RunResult"("runId", "name");

-- AddForeignKey
ALTER TABLE "RunResult" ADD CONSTRAINT "RunResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
