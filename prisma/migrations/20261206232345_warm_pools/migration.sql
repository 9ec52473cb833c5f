-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "poolStatus" JSONB,
ADD COLUMN     "poolStatusAt" TIMESTAMP(3),
ADD COLUMN     "poolsPushedHash" TEXT;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "warmPoolId" TEXT;

-- CreateTable
CREATE TABLE "WarmPool" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "sandbox" "Sandbox" NOT NULL DEFAULT 'gvisor',
    "resources" JSONB NOT NULL DEFAULT '{}',
    "size" INTEGER NOT NULL,
    "idleCommand" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WarmPool_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WarmPool_teamId_hostId_idx" ON "WarmPool"("teamId", "hostId");

-- CreateIndex
CREATE INDEX "WarmPool_hostId_idx" ON "WarmPool"("hostId");

-- AddForeignKey
ALTER TABLE "WarmPool" ADD CONSTRAINT "WarmPool_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WarmPool" ADD CONSTRAINT "WarmPool_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WarmPool" ADD CONSTRAINT "WarmPool_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMIT;
