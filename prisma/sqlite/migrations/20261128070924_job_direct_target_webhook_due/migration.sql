-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "intent" TEXT,
    "server" TEXT,
    "tool" TEXT,
    "version" TEXT,
    "arguments" JSONB NOT NULL,
    "environment" TEXT,
    "idempotencyKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "progressMessage" TEXT,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 1,
    "timeoutMs" INTEGER NOT NULL DEFAULT 60000,
    "runAfter" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "isTask" BOOLEAN NOT NULL DEFAULT false,
    "ttlMs" INTEGER,
    "pollIntervalMs" INTEGER,
    "webhookUrl" TEXT,
    "webhookStatus" TEXT,
    "webhookAttempts" INTEGER NOT NULL DEFAULT 0,
    "webhookNextAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);
INSERT INTO "new_Job" ("arguments", "attempts", "cancelRequested", "createdAt", "environment", "error", "finishedAt", "id", "idempotencyKey", "intent", "isTask", "leaseExpiresAt", "leaseOwner", "maxAttempts", "owner", "pollIntervalMs", "progress", "progressMessage", "result", "runAfter", "startedAt", "status", "timeoutMs", "ttlMs", "updatedAt", "webhookAttempts", "webhookStatus", "webhookUrl") SELECT "arguments", "attempts", "cancelRequested", "createdAt", "environment", "error", "finishedAt", "id", "idempotencyKey", "intent", "isTask", "leaseExpiresAt", "leaseOwner", "maxAttempts", "owner", "pollIntervalMs", "progress", "progressMessage", "result", "runAfter", "startedAt", "status", "timeoutMs", "ttlMs", "updatedAt", "webhookAttempts", "webhookStatus", "webhookUrl" FROM "Job";
DROP TABLE "Job";
ALTER TABLE "new_Job" RENAME TO "Job";
CREATE INDEX "Job_status_runAfter_idx" ON "Job"("status", "runAfter");
CREATE INDEX "Job_owner_createdAt_idx" ON "Job"("owner", "createdAt");
CREATE INDEX "Job_webhookStatus_webhookNextAt_idx" ON "Job"("webhookStatus", "webhookNextAt");
CREATE UNIQUE INDEX "Job_owner_idempotencyKey_key" ON "Job"("owner", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Finished jobs whose webhook was still pending: due now.
UPDATE "Job" SET "webhookNextAt" = "finishedAt" WHERE "webhookStatus" = 'pending' AND "finishedAt" IS NOT NULL;
