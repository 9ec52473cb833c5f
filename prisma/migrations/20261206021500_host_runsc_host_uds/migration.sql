-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- A host reports whether runsc-host-uds is registered with its engine (agent.hello features.runscHostUds):
-- placement sends docker:host runs under gVisor only where it is.
ALTER TABLE "Host" ADD COLUMN "hasRunscHostUds" BOOLEAN NOT NULL DEFAULT false;

COMMIT;
