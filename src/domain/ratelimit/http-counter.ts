// The per-principal limit on HTTP requests (SWITCHBOARD_HTTP_RATE_LIMIT), counted in memory and
// added to the shared database counters every SYNC_MS. Every request passes this check, so it
// must not cost a database write each time (that took about 12 % of HTTP throughput); tool-call
// limits, usually far smaller, stay exact (check.ts). Within one process the count is exact.
// Across processes on one PostgreSQL each learns the others' counts at its next sync, so together
// they may let through up to SYNC_MS worth of a principal's requests per process past the limit.
// A sync that fails keeps its counts for the next one; meanwhile this process still counts its own.
import type { Deps } from '../deps.js';
import { addToCounters, counterKey, dropEndedWindows, refusalOf, windowStartOf, type RateLimitDecision } from './check.js';
import type { RateLimitRule } from './spec.js';

export const SYNC_MS = 250;

export interface HttpRateCounter {
  /** Counts one request of `principal` (refused ones too) and says whether it may proceed. */
  check(principal: string): RateLimitDecision;
  /** Adds this process's counts to the database and reads back everyone's. */
  sync(): Promise<void>;
  /** Stops syncing after a last sync. */
  close(): Promise<void>;
}

interface Count {
  key: string;
  windowStart: Date;
  /** The database total at the last sync, this process's synced requests included. */
  shared: number;
  /** Requests counted here since the last sync. */
  unsynced: number;
  /** Whether a sync has created or found this window's row yet. */
  synced: boolean;
}

export function createHttpRateCounter(deps: Pick<Deps, 'db' | 'provider' | 'clock' | 'log'>, rule: RateLimitRule | null): HttpRateCounter {
  if (!rule) return { check: () => ({ allowed: true }), sync: async () => {}, close: async () => {} };
  const counts = new Map<string, Count>();
  let syncing: Promise<void> | undefined;

  async function syncOnce(): Promise<void> {
    const now = deps.clock().getTime();
    const current = [...counts.entries()].filter(([principal, c]) => {
      if (c.windowStart.getTime() + rule!.windowMs > now) return true;
      counts.delete(principal); // an ended window: nothing of it matters any more
      return false;
    });
    if (current.length === 0) return;
    const adds = current.map(([, c]) => ({ key: c.key, windowStart: c.windowStart, add: c.unsynced }));
    for (const [, c] of current) c.unsynced = 0;
    try {
      const totals = await addToCounters(deps, adds);
      // Once per window and key: the older windows' rows go (the hourly sweep gets the rest).
      await dropEndedWindows(deps, current.filter(([, c]) => !c.synced).map(([, c]) => c));
      for (const [, c] of current) {
        c.shared = totals.get(c.key) ?? c.shared;
        c.synced = true;
      }
    } catch (error) {
      current.forEach(([, c], i) => (c.unsynced += adds[i]!.add));
      deps.log.warn({ err: error }, 'HTTP rate-limit counts could not be added to the database; counting on in this process');
    }
  }

  const sync = () => (syncing ??= syncOnce().finally(() => (syncing = undefined)));
  const timer = setInterval(() => void sync(), SYNC_MS);
  timer.unref();

  return {
    check(principal) {
      const now = deps.clock().getTime();
      const windowStart = windowStartOf(rule, now);
      let count = counts.get(principal);
      if (!count || count.windowStart.getTime() !== windowStart.getTime()) {
        count = { key: counterKey(rule, principal), windowStart, shared: 0, unsynced: 0, synced: false };
        counts.set(principal, count);
      }
      count.unsynced += 1;
      return count.shared + count.unsynced <= rule.limit ? { allowed: true } : refusalOf(rule, windowStart, now);
    },
    sync,
    async close() {
      clearInterval(timer);
      await syncing;
      await sync();
    },
  };
}
