-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "drainedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "HostEnrollment" ADD COLUMN     "capacityRuns" INTEGER NOT NULL DEFAULT 4;

COMMIT;
