-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "drainedAt" TIMESTAMP(3);

COMMIT;
