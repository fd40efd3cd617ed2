-- CreateTable
CREATE TABLE "ServerVersion" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "isLatest" BOOLEAN NOT NULL DEFAULT false,
    "deletedAt" TIMESTAMP(3),
    "transportType" TEXT NOT NULL,
    "transport" JSONB NOT NULL,
    "secrets" TEXT,
    "secretKeys" JSONB NOT NULL,
    "repositoryUrl" TEXT,
    "websiteUrl" TEXT,
    "tags" JSONB NOT NULL,
    "priority" TEXT NOT NULL DEFAULT 'medium',
    "isRequired" BOOLEAN NOT NULL DEFAULT false,
    "dependencies" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "searchText" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL DEFAULT 'manual',
    "packId" TEXT,
    "costPerCall" DOUBLE PRECISION,
    "createdBy" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "health" TEXT NOT NULL DEFAULT 'unknown',
    "lastCheckedAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3),
    "lastError" TEXT,
    "responseTimeMs" INTEGER,
    "successCount" INTEGER NOT NULL DEFAULT 0,
    "failureCount" INTEGER NOT NULL DEFAULT 0,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ServerVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DiscoveredTool" (
    "id" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "inputSchema" JSONB NOT NULL,
    "outputSchema" JSONB,
    "annotations" JSONB,
    "discoveredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DiscoveredTool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Route" (
    "id" TEXT NOT NULL,
    "intentPattern" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT '*',
    "serverName" TEXT NOT NULL,
    "versionRange" TEXT NOT NULL DEFAULT '*',
    "toolName" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "weight" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT,
    "costPerCall" DOUBLE PRECISION,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "packId" TEXT,
    "createdBy" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Route_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Policy" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "effect" TEXT NOT NULL,
    "principals" JSONB NOT NULL,
    "actions" JSONB NOT NULL,
    "resources" JSONB NOT NULL,
    "environments" JSONB NOT NULL,
    "conditions" JSONB NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "packId" TEXT,
    "createdBy" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "principalId" TEXT NOT NULL,
    "roles" JSONB NOT NULL,
    "attributes" JSONB NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "useCount" INTEGER NOT NULL DEFAULT 0,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
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
    "runAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "isTask" BOOLEAN NOT NULL DEFAULT false,
    "ttlMs" INTEGER,
    "pollIntervalMs" INTEGER,
    "webhookUrl" TEXT,
    "webhookStatus" TEXT,
    "webhookAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Trace" (
    "id" TEXT NOT NULL,
    "traceId" TEXT NOT NULL,
    "spanId" TEXT NOT NULL,
    "parentSpanId" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "principal" TEXT NOT NULL,
    "sessionId" TEXT,
    "transport" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "tool" TEXT,
    "intent" TEXT,
    "serverName" TEXT,
    "serverVersion" TEXT,
    "routeId" TEXT,
    "environment" TEXT,
    "decision" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "errorType" TEXT,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "upstreamLatencyMs" DOUBLE PRECISION,
    "cost" DOUBLE PRECISION,
    "jobId" TEXT,
    "request" TEXT,
    "response" TEXT,
    "redactions" INTEGER NOT NULL DEFAULT 0,
    "truncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Trace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "principal" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "detail" JSONB NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Pack" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "installedBy" TEXT NOT NULL,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Pack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "RateLimitCounter" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RateLimitCounter_pkey" PRIMARY KEY ("key","windowStart")
);

-- CreateTable
CREATE TABLE "ChangeCounter" (
    "topic" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChangeCounter_pkey" PRIMARY KEY ("topic")
);

-- CreateIndex
CREATE INDEX "ServerVersion_name_idx" ON "ServerVersion"("name");

-- CreateIndex
CREATE INDEX "ServerVersion_status_idx" ON "ServerVersion"("status");

-- CreateIndex
CREATE INDEX "ServerVersion_packId_idx" ON "ServerVersion"("packId");

-- CreateIndex
CREATE UNIQUE INDEX "ServerVersion_name_version_key" ON "ServerVersion"("name", "version");

-- CreateIndex
CREATE INDEX "DiscoveredTool_name_idx" ON "DiscoveredTool"("name");

-- CreateIndex
CREATE UNIQUE INDEX "DiscoveredTool_serverId_name_key" ON "DiscoveredTool"("serverId", "name");

-- CreateIndex
CREATE INDEX "Route_serverName_idx" ON "Route"("serverName");

-- CreateIndex
CREATE INDEX "Route_packId_idx" ON "Route"("packId");

-- CreateIndex
CREATE UNIQUE INDEX "Policy_name_key" ON "Policy"("name");

-- CreateIndex
CREATE INDEX "Policy_packId_idx" ON "Policy"("packId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "Job_status_runAfter_idx" ON "Job"("status", "runAfter");

-- CreateIndex
CREATE INDEX "Job_owner_createdAt_idx" ON "Job"("owner", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Job_owner_idempotencyKey_key" ON "Job"("owner", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Trace_startedAt_idx" ON "Trace"("startedAt");

-- CreateIndex
CREATE INDEX "Trace_principal_startedAt_idx" ON "Trace"("principal", "startedAt");

-- CreateIndex
CREATE INDEX "Trace_tool_startedAt_idx" ON "Trace"("tool", "startedAt");

-- CreateIndex
CREATE INDEX "Trace_traceId_idx" ON "Trace"("traceId");

-- CreateIndex
CREATE INDEX "AuditEvent_entityType_entityId_idx" ON "AuditEvent"("entityType", "entityId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Pack_name_key" ON "Pack"("name");

-- AddForeignKey
ALTER TABLE "ServerVersion" ADD CONSTRAINT "ServerVersion_packId_fkey" FOREIGN KEY ("packId") REFERENCES "Pack"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DiscoveredTool" ADD CONSTRAINT "DiscoveredTool_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "ServerVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Route" ADD CONSTRAINT "Route_packId_fkey" FOREIGN KEY ("packId") REFERENCES "Pack"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Policy" ADD CONSTRAINT "Policy_packId_fkey" FOREIGN KEY ("packId") REFERENCES "Pack"("id") ON DELETE SET NULL ON UPDATE CASCADE;
