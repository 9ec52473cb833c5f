-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "defaultEgressPolicy" TEXT NOT NULL DEFAULT 'open';

-- CreateTable
CREATE TABLE "Grant" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "hosts" TEXT[],
    "injectKind" TEXT NOT NULL,
    "injectName" TEXT,
    "description" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunEgress" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "decision" TEXT NOT NULL,
    "via" TEXT,
    "reason" TEXT,
    "connections" INTEGER NOT NULL DEFAULT 0,
    "bytesIn" BIGINT NOT NULL DEFAULT 0,
    "bytesOut" BIGINT NOT NULL DEFAULT 0,
    "firstAt" TIMESTAMP(3) NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RunEgress_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Grant_secretId_idx" ON "Grant"("secretId");

-- CreateIndex
CREATE UNIQUE INDEX "Grant_teamId_name_key" ON "Grant"("teamId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "RunEgress_runId_host_port_decision_key" ON "RunEgress"("runId", "host", "port", "decision");

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_secretId_fkey" FOREIGN KEY ("secretId") REFERENCES "Secret"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunEgress" ADD CONSTRAINT "RunEgress_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
