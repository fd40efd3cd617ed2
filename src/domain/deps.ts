import type { Logger } from 'pino';
import type { Db } from '../store/index.js';
import type { DomainCache } from './cache.js';
import type { ChangeFeed } from './change-feed.js';
import type { KeyUsage } from './keys/usage.js';
import type { RateLimits } from './ratelimit/check.js';
import type { Redactor } from './redaction/index.js';
import type { SecretBox } from './secrets.js';
import type { TraceWriter } from './traces/writer.js';
import type { Upstream } from './upstream/port.js';
import type { Webhooks } from './jobs/webhook.js';

/** What domain functions are given: the database, a clock, a logger, the secret box, caches. */
export interface Deps {
  db: Db;
  provider: 'sqlite' | 'postgresql';
  clock: () => Date;
  log: Logger;
  secrets: SecretBox;
  settings: Settings;
  /** Cross-process cache invalidation, and the caches the hot path reads. */
  feed: ChangeFeed;
  cache: DomainCache;
  /** Guards every payload before it is stored or logged. */
  redactor: Redactor;
  traces: TraceWriter;
  /** API key use, recorded in batches. */
  keyUsage: KeyUsage;
  /** Connections to registered servers. */
  upstream: Upstream;
  /** Signed completion notices for jobs that name a webhookUrl. */
  webhooks: Webhooks;
  /** This process's job workers: wake() has them look for due jobs now rather than at their next poll. */
  workers: { wake(): void };
}

export interface Settings {
  staleAfterMs: number;
  upstreamTimeoutMs: number;
  health: { timeoutMs: number; degradedAfter: number; unhealthyAfter: number };
  /** Per-principal limits on tool calls and HTTP requests. */
  rateLimits: RateLimits;
}
