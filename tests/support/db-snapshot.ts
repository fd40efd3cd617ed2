// A fingerprint of everything in the database a tool call could change: every table found in the
// catalog (so tables added later are covered too), each as a row count and a hash of its rows.
import { createHash } from 'node:crypto';
import type { App } from '../../src/app.js';

/**
 * Left out on purpose: Trace (every call is traced, a rejected one too), Lease (renewed by
 * background schedulers, not by calls) and the migrations ledger; and ApiKey's use counters,
 * which authentication writes in batches, not the tools.
 */
const SKIP_TABLES = new Set(['Trace', 'Lease', '_prisma_migrations']);
const SKIP_COLUMNS: Record<string, string[]> = { ApiKey: ['useCount', 'lastUsedAt'] };

export type Snapshot = Record<string, { rows: number; hash: string }>;

// One statement for the whole fingerprint, built once per app from the catalog.
const statements = new WeakMap<App, Promise<string>>();

export async function snapshot(app: App): Promise<Snapshot> {
  let statement = statements.get(app);
  if (!statement) statements.set(app, (statement = fingerprintStatement(app)));
  const rows = await app.deps.db.$queryRawUnsafe<{ name: string; n: number | bigint; rows: string | null }[]>(await statement);
  return Object.fromEntries(rows.map((r) => [r.name, { rows: Number(r.n), hash: createHash('sha256').update(r.rows ?? '').digest('hex').slice(0, 16) }]));
}

async function fingerprintStatement(app: App): Promise<string> {
  const db = app.deps.db;
  const sqlite = app.deps.provider === 'sqlite';
  const tables = sqlite
    ? await db.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    : await db.$queryRawUnsafe<{ name: string }[]>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
  const parts: string[] = [];
  for (const { name } of tables) {
    if (SKIP_TABLES.has(name)) continue;
    const columns = sqlite
      ? await db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pragma_table_info(${literal(name)}) ORDER BY cid`)
      : await db.$queryRawUnsafe<{ name: string }[]>(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${literal(name)} ORDER BY ordinal_position`);
    const kept = columns.map((c) => c.name).filter((c) => !SKIP_COLUMNS[name]?.includes(c));
    // Every value as SQL text, whatever its type (BLOBs of a full-text index, tsvector, JSON…), rows sorted.
    parts.push(
      sqlite
        ? `SELECT ${literal(name)} AS name, count(*) AS n, group_concat(r, char(10)) AS rows FROM (SELECT ${kept.map((c) => `quote(${ident(c)})`).join(" || ',' || ")} AS r FROM ${ident(name)} ORDER BY r)`
        : `SELECT ${literal(name)} AS name, count(*) AS n, string_agg(r, E'\\n' ORDER BY r) AS rows FROM (SELECT concat_ws(',', ${kept.map((c) => `quote_nullable(${ident(c)}::text)`).join(', ')}) AS r FROM ${ident(name)}) AS t`,
    );
  }
  return parts.join(' UNION ALL ');
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
