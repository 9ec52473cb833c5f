-- Bailey wraps every migration in one transaction: a failure leaves nothing half-applied.
BEGIN;

-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "unplaceableTimeoutSeconds" INTEGER NOT NULL DEFAULT 900;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "allowedCapabilities" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "cachedImages" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "cachedImagesAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "imageDigest" TEXT,
ADD COLUMN     "pullProgress" JSONB,
ADD COLUMN     "unplaceableSince" TIMESTAMP(3),
ADD COLUMN     "waitReason" TEXT,
ADD COLUMN     "waitReasonAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Secret" DROP COLUMN "keyVersion",
ADD COLUMN     "description" TEXT,
ADD COLUMN     "keyId" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "HostImagePull" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "digest" TEXT,
    "error" TEXT,
    "requestedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "HostImagePull_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistryCredential" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "registry" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "authTag" BYTEA NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "RegistryCredential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HostImagePull_state_createdAt_idx" ON "HostImagePull"("state", "createdAt");

-- CreateIndex
CREATE INDEX "HostImagePull_hostId_createdAt_idx" ON "HostImagePull"("hostId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "RegistryCredential_teamId_registry_key" ON "RegistryCredential"("teamId", "registry");

-- AddForeignKey
ALTER TABLE "HostImagePull" ADD CONSTRAINT "HostImagePull_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HostImagePull" ADD CONSTRAINT "HostImagePull_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegistryCredential" ADD CONSTRAINT "RegistryCredential_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMIT;
