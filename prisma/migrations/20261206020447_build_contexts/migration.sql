-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- CreateTable
CREATE TABLE "BuildContext" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BuildContext_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BuildContext_createdAt_idx" ON "BuildContext"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "BuildContext_teamId_sha256_key" ON "BuildContext"("teamId", "sha256");

-- AddForeignKey
ALTER TABLE "BuildContext" ADD CONSTRAINT "BuildContext_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BuildContext" ADD CONSTRAINT "BuildContext_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMIT;
