// The composition root: builds everything one Switchboard process needs from its Config.
// Transports and the CLI create one App and hand it to each MCP session they serve.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createDomainCache } from './domain/cache.js';
import { createChangeFeed } from './domain/change-feed.js';
import { createKeyUsage } from './domain/keys/usage.js';
import type { Deps } from './domain/deps.js';
import { ensureBootstrapPolicies } from './domain/policy/bootstrap.js';
import { createRedactor } from './domain/redaction/index.js';
import { purgeJobs } from './domain/jobs/claim.js';
import { createJobWatcher, type JobWatcher } from './domain/jobs/watch.js';
import { createWebhooks, webhookSecret } from './domain/jobs/webhook.js';
import { runJob } from './domain/jobs/run.js';
import { startJobWorkers } from './domain/jobs/worker.js';
import { purgeTraces } from './domain/traces/query.js';
import { createTraceWriter } from './domain/traces/writer.js';
import { createSecretBox } from './domain/secrets.js';
import { allTools } from './tools/index.js';
import { createLogger } from './log.js';
import { createStore, type Store } from './store/index.js';
import { startHealthScheduler } from './domain/upstream/scheduler.js';
import { createUpstreamPool } from './transports/upstream/pool.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import { compileRateLimits, purgeRateLimitCounters } from './domain/ratelimit/check.js';
import { operationalSnapshot } from './domain/snapshot.js';
import { observedTraces } from './domain/traces/observed.js';

export interface App {
  config: Config;
  store: Store;
  deps: Deps;
  log: Logger;
  /** Job change notices for resource subscriptions, shared by every session of this process. */
  jobWatch: JobWatcher;
  /** Prometheus metrics of this process, served at /metrics. */
  metrics: Metrics;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: { log?: Logger; migrate?: boolean } = {}): Promise<App> {
  const redactor = createRedactor({ extraKeys: config.redactKeys, extraPatterns: config.redactPatterns, maxBytes: config.traceMaxPayloadBytes });
  const log = options.log ?? createLogger(config.logLevel, createRedactor({ extraKeys: config.redactKeys, extraPatterns: config.redactPatterns, maxBytes: 1_000_000 }));
  const store = await createStore({ databaseUrl: config.databaseUrl, dbPoolSize: config.dbPoolSize, migrate: options.migrate ?? true });
  const feed = createChangeFeed(store.db, log);
  // The OpenTelemetry exporter takes ~60 ms to load; most deployments never set an endpoint.
  const otlp = config.otlpEndpoint ? (await import('./telemetry.js')).createOtlpExport(config.otlpEndpoint, log) : undefined;
  const secretKey = loadSecretKey(config);
  const webhooks = createWebhooks(
    { db: store.db, log, clock: () => new Date() },
    { secret: webhookSecret(secretKey), attempts: 5, retryBaseMs: config.webhookRetryBaseMs, timeoutMs: 10_000, allowPrivate: config.webhookAllowPrivate, deliver: config.jobWorkers > 0 },
  );
  const metrics = createMetrics({
    tools: allTools.map((t) => t.name),
    snapshot: () => operationalSnapshot(deps),
    traceBuffer: () => ({ pending: deps.traces.pending, capacity: config.traceBufferSize }),
  });
  const deps: Deps = {
    db: store.db,
    provider: store.provider,
    clock: () => new Date(),
    log,
    secrets: createSecretBox(secretKey),
    settings: {
      staleAfterMs: config.staleAfterMs,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      health: { timeoutMs: config.healthTimeoutMs, degradedAfter: config.healthDegradedAfter, unhealthyAfter: config.healthUnhealthyAfter },
      rateLimits: compileRateLimits(config.rateLimits, config.httpRateLimit),
    },
    feed,
    cache: createDomainCache(store.db, feed),
    redactor,
    traces: createTraceWriter(store.db, log, {
      flushIntervalMs: config.traceFlushMs,
      batchSize: 500,
      maxBuffered: config.traceBufferSize,
      ...(otlp ? { onWritten: otlp.exportBatch } : {}),
    }),
    keyUsage: createKeyUsage(store.db, log),
    upstream: createUpstreamPool({ log, maxConcurrency: config.upstreamMaxConcurrency, idleMs: config.upstreamIdleMs }),
    webhooks,
    workers: { wake: () => jobs.wake() },
  };
  // Every call writes one trace: /metrics counts calls there, without touching the call paths.
  deps.traces = observedTraces(deps.traces, metrics.observe, (error) => log.warn({ err: error }, 'counting a call for /metrics failed'));
  await ensureBootstrapPolicies(deps, readOnlyTools());
  const retention = setInterval(() => {
    void purgeTraces(deps, config.traceRetentionDays).catch((error: unknown) => log.warn({ err: error }, 'trace retention purge failed'));
    void purgeJobs(deps, config.jobRetentionDays).catch((error: unknown) => log.warn({ err: error }, 'job retention purge failed'));
    void purgeRateLimitCounters(deps).catch((error: unknown) => log.warn({ err: error }, 'rate-limit counter purge failed'));
  }, 3_600_000);
  retention.unref();
  const health = startHealthScheduler(deps, { intervalMs: config.healthIntervalMs, owner: randomUUID(), log });
  // The first claim waits a second, so that a start answers its first requests (a client's
  // initialize and tools/list) without also compiling and running the claim queries; a job
  // submitted meanwhile still starts at once (submit wakes the workers).
  const jobs = startJobWorkers(deps, { concurrency: config.jobWorkers, owner: randomUUID(), log, pollMs: 250, leaseMs: config.jobLeaseMs, startDelayMs: 1000, run: (job, o) => runJob(deps, job, o) });
  // 300 ms: subscribers hear of progress about as often as workers write it (at most 4/s).
  const jobWatch = createJobWatcher(deps, { intervalMs: 300 });
  return {
    config,
    store,
    deps,
    log,
    jobWatch,
    metrics,
    async close() {
      clearInterval(retention);
      jobWatch.stop();
      feed.stop();
      await jobs.stop();
      // After the workers: jobs they finished while draining still get their webhook.
      await webhooks.close();
      await health.stop();
      await deps.upstream.close();
      await deps.keyUsage.close();
      await deps.traces.close();
      await otlp?.shutdown();
      await store.close();
    },
  };
}

/** The configured key, or one generated on first start into the data directory (mode 0600). */
export function loadSecretKey(config: Config): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey, 'base64');
  const file = join(config.dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process starting at the same moment wrote it first; use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/** The tools role reader may call in the bootstrap policy set: read-only ones, except key listing. */
function readOnlyTools(): string[] {
  return allTools.filter((t) => t.annotations.readOnlyHint && !t.name.startsWith('key_')).map((t) => t.name);
}
