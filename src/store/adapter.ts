// Which database a URL names, and the driver adapter Prisma Client reaches it through. Each driver
// is imported only for its own provider: a SQLite start never loads pg (tens of milliseconds).
import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';

export type Provider = 'sqlite' | 'postgresql';

export function providerOf(url: string): Provider {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgresql' : 'sqlite';
}

/** A file: URL or plain path → the path better-sqlite3 opens. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '').replace(/\?.*$/, '');
}

export interface Driver {
  adapter: PrismaPg | PrismaBetterSqlite3;
  /** PostgreSQL only: the pool the adapter queries through, for health figures and close. */
  pool?: pg.Pool;
}

export async function openDriver(provider: Provider, url: string, poolSize: number): Promise<Driver> {
  if (provider === 'sqlite') {
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    return { adapter: new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 5000 }) };
  }
  const [{ PrismaPg }, { default: pgModule }] = await Promise.all([import('@prisma/adapter-pg'), import('pg')]);
  const pool = new pgModule.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle connection killed by the server (restart, failover, admin) emits 'error' on the pool;
  // unheard, that crashes the process. The pool drops the connection and the next query reconnects.
  pool.on('error', () => {});
  return { adapter: new PrismaPg(pool), pool };
}
