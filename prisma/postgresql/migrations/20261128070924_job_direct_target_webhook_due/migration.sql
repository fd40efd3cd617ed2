-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "server" TEXT,
ADD COLUMN     "tool" TEXT,
ADD COLUMN     "version" TEXT,
ADD COLUMN     "webhookNextAt" TIMESTAMP(3),
ALTER COLUMN "intent" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "Job_webhookStatus_webhookNextAt_idx" ON "Job"("webhookStatus", "webhookNextAt");

-- Finished jobs whose webhook was still pending: due now.
UPDATE "Job" SET "webhookNextAt" = "finishedAt" WHERE "webhookStatus" = 'pending' AND "finishedAt" IS NOT NULL;
