// The driver adapters the schema engine migrates through. Loaded with the schema engine only, so
// a start with nothing to migrate never loads them (nor pg, for SQLite).
import { randomUUID } from 'node:crypto';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { parse as parsePgUrl } from 'pg-connection-string';
import { sqlitePath, type Provider } from './adapter.js';

const PG_CHAR = 18;
const PG_TEXT = 25;

/**
 * PostgreSQL's catalog describes columns with the one-byte `"char"` type, which adapter-pg 7.10
 * refuses to map, so the schema engine cannot describe a database through it. Its values arrive
 * as strings, so reading them as text is exact.
 */
class CatalogSafeClient extends pg.Client {
  override query(...args: unknown[]): never {
    // pg-pool calls query(config, callback); adapter-pg's own clients use the promise form.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | null, res: pg.QueryResult) => callback(error, res && charAsText(res));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return (result instanceof Promise ? result.then(charAsText) : result) as never;
  }
}

function charAsText(res: pg.QueryResult): pg.QueryResult {
  for (const field of res.fields ?? []) if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
  return res;
}

/**
 * The adapter factory the schema engine migrates through. For PostgreSQL the URL is given as
 * fields, not as connectionString, which would win over the `database` a shadow database needs.
 * adapter-pg 7.10 drops its shadow database before closing the pool that still uses it, so the
 * shadow database is made and dropped (WITH FORCE) here.
 */
export function createMigrationAdapterFactory(provider: Provider, url: string): MigrationAdapters {
  if (provider === 'sqlite') return track(new MigrationSqlite({ url: sqlitePath(url), timeout: 5000 }));
  const parsed = parsePgUrl(url);
  const fields: pg.PoolConfig = {
    host: parsed.host ?? undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.user,
    password: parsed.password,
    database: parsed.database ?? undefined,
    ssl: parsed.ssl as pg.PoolConfig['ssl'],
    max: 2,
    Client: CatalogSafeClient,
  };
  class MigrationPg extends PrismaPg {
    override async connectToShadowDb() {
      const database = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, '')}`;
      const admin = new pg.Client(fields);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
      const adapter = await new PrismaPg({ ...fields, database }).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await admin.end();
      };
      return adapter;
    }
  }
  return track(new MigrationPg(fields));
}

type Factory = PrismaPg | PrismaBetterSqlite3;
export interface MigrationAdapters {
  factory: Factory;
  /** The engine does not close the connections it opened; this does, once it is freed. */
  disposeAll(): Promise<void>;
}

function track(factory: Factory): MigrationAdapters {
  const opened: { dispose(): Promise<void> }[] = [];
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    opened.push(adapter);
    return adapter as never;
  };
  return {
    factory,
    async disposeAll() {
      for (const adapter of opened.splice(0)) await adapter.dispose().catch(() => {});
    },
  };
}

/**
 * The schema engine replays migrations into its SQLite shadow database with executeRaw, which
 * better-sqlite3 refuses for a script of several statements; run those as a script instead.
 */
class MigrationSqlite extends PrismaBetterSqlite3 {
  override async connectToShadowDb() {
    const adapter = await super.connectToShadowDb();
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      try {
        return await executeRaw(query);
      } catch (error) {
        if (!(error instanceof RangeError && /more than one statement/.test(error.message))) throw error;
        await adapter.executeScript(query.sql);
        return 0;
      }
    };
    return adapter;
  }
}
