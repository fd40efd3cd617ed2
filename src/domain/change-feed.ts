// Invalidation of in-memory caches across processes: every change to a cached table bumps a
// per-topic counter in the same transaction; each process polls the counters and drops what
// changed. One small query per interval, none on the hot path.
import type { Logger } from 'pino';
import type { Db, Tx } from '../store/index.js';

export type Topic = 'routes' | 'policies' | 'servers' | 'keys';

export async function bumpTopic(tx: Tx, topic: Topic): Promise<void> {
  await tx.$executeRaw`INSERT INTO "ChangeCounter" ("topic", "version", "updatedAt") VALUES (${topic}, 1, CURRENT_TIMESTAMP)
    ON CONFLICT ("topic") DO UPDATE SET "version" = "ChangeCounter"."version" + 1, "updatedAt" = CURRENT_TIMESTAMP`;
}

export interface ChangeFeed {
  /** A value loaded on first use and again after its topic changes anywhere. */
  cached<T>(topic: Topic, load: () => Promise<T>): () => Promise<T>;
  /** Reads the counters now (also run on a timer). */
  poll(): Promise<void>;
  /** Marks a topic changed in this process at once, without waiting for the poll. */
  touch(topic: Topic): void;
  stop(): void;
}

export function createChangeFeed(db: Db, log: Logger, intervalMs = 250): ChangeFeed {
  const seen = new Map<string, number>();
  const listeners = new Map<Topic, Set<() => void>>();
  const notify = (topic: Topic) => listeners.get(topic)?.forEach((drop) => drop());

  async function poll() {
    const rows = await db.changeCounter.findMany({ select: { topic: true, version: true } });
    for (const row of rows) {
      if (seen.get(row.topic) !== row.version) {
        seen.set(row.topic, row.version);
        notify(row.topic as Topic);
      }
    }
  }

  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    poll()
      .catch((error: unknown) => log.warn({ err: error }, 'change feed poll failed; caches keep their values until the next poll'))
      .finally(() => (polling = false));
  }, intervalMs);
  timer.unref();

  return {
    cached<T>(topic: Topic, load: () => Promise<T>) {
      let value: Promise<T> | undefined;
      const drop = () => (value = undefined);
      if (!listeners.has(topic)) listeners.set(topic, new Set());
      listeners.get(topic)!.add(drop);
      return () => {
        value ??= load().catch((error: unknown) => {
          value = undefined;
          throw error;
        });
        return value;
      };
    },
    poll,
    touch: notify,
    stop: () => clearInterval(timer),
  };
}
