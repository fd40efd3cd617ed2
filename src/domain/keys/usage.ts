// Key use (lastUsedAt, useCount) is recorded in memory and written once a second, not on every
// request: a write per request was most of an HTTP call's cost. A crash loses at most the last
// second of counts; key_list flushes first, so it always shows what this process has seen.
import type { Logger } from 'pino';
import type { Db } from '../../store/index.js';

export interface KeyUsage {
  record(keyId: string, at: Date): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createKeyUsage(db: Db, log: Logger, intervalMs = 1000): KeyUsage {
  let pending = new Map<string, { count: number; last: Date }>();
  let writing: Promise<void> = Promise.resolve();

  async function write(batch: Map<string, { count: number; last: Date }>) {
    for (const [id, { count, last }] of batch) {
      // The later of the stored and the recorded time, so another process's newer use stays.
      await db.$executeRaw`UPDATE "ApiKey" SET "useCount" = "useCount" + ${count},
        "lastUsedAt" = CASE WHEN "lastUsedAt" IS NULL OR "lastUsedAt" < ${last} THEN ${last} ELSE "lastUsedAt" END WHERE "id" = ${id}`;
    }
  }

  function flush(): Promise<void> {
    const batch = pending;
    pending = new Map();
    writing = writing.then(() => (batch.size ? write(batch) : undefined)).catch((error: unknown) => log.warn({ err: error, keys: batch.size }, 'recording API key use failed'));
    return writing;
  }

  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();

  return {
    record(keyId, at) {
      const entry = pending.get(keyId);
      if (entry) {
        entry.count++;
        if (at > entry.last) entry.last = at;
      } else pending.set(keyId, { count: 1, last: at });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
