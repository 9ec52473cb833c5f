-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "dispatchLeaseUntil" TIMESTAMP(3);

COMMIT;
