// The store: the one place that constructs PrismaClient. SQLite by default, PostgreSQL when the
// URL says so; both generated clients have the same API, typed here as the SQLite one. A start
// loads only its provider's driver, and the PostgreSQL client only for PostgreSQL; the SQLite
// client module (~2 ms, no query engine until instantiated) also carries the Prisma namespace.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';
import { openDriver, providerOf, sqlitePath, type Provider } from './adapter.js';
import { readMigrations } from './migrations.js';
import { ensureSearchIndex } from './search-index.js';

export type Db = SqliteClient;
export type { ServerVersion, DiscoveredTool, Route, Policy, ApiKey, Job, Trace } from '../generated/sqlite/client.js';
/**
 * Tagged-template SQL with bound parameters, for the few hot writes Prisma's model API is too slow
 * for. Its values (sql, join, empty, DbNull) come from the runtime both clients share.
 */
export { Prisma } from '../generated/sqlite/client.js';

/** A unique constraint refused the write (Prisma P2002), e.g. a duplicate name+version. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface StoreOptions {
  databaseUrl: string;
  dbPoolSize?: number;
  /** Apply pending migrations before use (server start does; `doctor` does not). */
  migrate?: boolean;
}

export interface Store {
  provider: Provider;
  db: Db;
  /** Database round trip plus pool figures, for /healthz and `doctor`. */
  health(): Promise<{ ok: boolean; provider: Provider; latencyMs: number; pool?: { total: number; idle: number; waiting: number }; error?: string }>;
  close(): Promise<void>;
}

export async function createStore(options: StoreOptions): Promise<Store> {
  const provider = providerOf(options.databaseUrl);
  if (provider === 'sqlite') mkdirSync(dirname(sqlitePath(options.databaseUrl)), { recursive: true });
  const { adapter, pool } = await openDriver(provider, options.databaseUrl, options.dbPoolSize ?? 10);
  const db: Db =
    provider === 'postgresql'
      ? (new (await import('../generated/postgresql/client.js')).PrismaClient({ adapter }) as unknown as Db)
      : new (await import('../generated/sqlite/client.js')).PrismaClient({ adapter });
  if (options.migrate) {
    // Loading the schema engine costs hundreds of milliseconds; most starts have nothing to apply.
    if (!(await migrationsApplied(db, provider))) {
      const { applyMigrations } = await import('./schema-engine.js');
      await applyMigrations(provider, options.databaseUrl);
    }
    await ensureSearchIndex(db, provider);
  }
  if (provider === 'sqlite') {
    // WAL lets readers proceed during a write; busy_timeout waits out a concurrent writer.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
  }

  return {
    provider,
    db,
    async health() {
      const started = performance.now();
      try {
        await db.$queryRawUnsafe('SELECT 1');
        const latencyMs = Math.round((performance.now() - started) * 100) / 100;
        const poolStats = pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
        return { ok: true, provider, latencyMs, ...(poolStats ? { pool: poolStats } : {}) };
      } catch (error) {
        return { ok: false, provider, latencyMs: performance.now() - started, error: (error as Error).message };
      }
    },
    async close() {
      await db.$disconnect();
      await pool?.end();
    },
  };
}

/** Every committed migration is recorded as finished in `_prisma_migrations`. */
async function migrationsApplied(db: Db, provider: Provider): Promise<boolean> {
  const committed = readMigrations(provider).migrationDirectories.map((d) => d.path);
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return committed.every((name) => applied.has(name));
  } catch {
    return false; // no migrations table yet
  }
}
