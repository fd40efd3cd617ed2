// Job queue throughput: jobs claimed and completed per second by 4 concurrent workers, with no
// upstream call, so it measures the queue alone. On PostgreSQL: Switchboard's claimJobs (one
// UPDATE of the ids a FOR UPDATE SKIP LOCKED CTE picked, then a read-back through Prisma) plus the
// completing UPDATE run.ts does, beside pg-boss 10 (fetch + complete) and a raw SKIP LOCKED loop
// with plain `pg` (the baseline: the same two statements, no ORM). On SQLite: claimJobs beside a
// raw better-sqlite3 loop (synchronous, one connection: SQLite serialises writers anyway).
// Every engine gets the same number of jobs, inserted before the clock starts; rounds are
// interleaved so drift (autovacuum, the page cache, the JIT) hits every engine alike; medians.
// Needs a PostgreSQL server: BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is
// created there and dropped); without one only the SQLite half runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { claimJobs } from '../src/domain/jobs/claim.js';
import { createStore, type Store } from '../src/store/index.js';
import { createScratchDatabase } from '../tests/support/databases.js';
import { median, round } from './stats.js';

const WORKERS = 4;
/** Sizes of the claims of limit 1 that returned more than one job. */
const overClaims: number[] = [];
const LEASE_MS = 30_000;

interface Engine {
  name: string;
  /** Empties the queue and fills it with `jobs` due jobs (not timed). */
  fill(jobs: number): Promise<void>;
  /** Claims one job and completes what it claimed; returns how many (0: none was claimable then). */
  step(worker: number): Promise<number>;
  close(): Promise<void>;
}

/** Runs WORKERS loops until `jobs` jobs are completed; returns jobs per second. */
async function drain(engine: Engine, jobs: number): Promise<number> {
  await engine.fill(jobs);
  let done = 0;
  const started = performance.now();
  // A worker that finds nothing claimable keeps trying until the total is reached: with SKIP
  // LOCKED a worker can see an empty result while rows are locked by the others, not yet done.
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (done < jobs) {
        const n = await engine.step(w);
        if (n > 0) done += n;
        else await new Promise((r) => setImmediate(r));
      }
    }),
  );
  return jobs / ((performance.now() - started) / 1000);
}

/** Switchboard's own claim, and the success write of run.ts. */
function switchboard(name: string, store: Store): Engine {
  const deps = { db: store.db, provider: store.provider, clock: () => new Date() };
  return {
    name,
    async fill(jobs) {
      await store.db.job.deleteMany({});
      const runAfter = new Date(Date.now() - 1000);
      await store.db.job.createMany({ data: Array.from({ length: jobs }, (_, i) => ({ owner: 'bench', intent: 'bench.noop', arguments: { i }, runAfter })) });
    },
    async step(w) {
      const owner = `bench-${w}`;
      const jobs = await claimJobs(deps, owner, 1, LEASE_MS);
      if (jobs.length === 0) return 0;
      // A claim over its limit would be the bug the CTE fixed; counted, so a regression shows here.
      if (jobs.length > 1) overClaims.push(jobs.length);
      await store.db.job.updateMany({ where: { id: { in: jobs.map((j) => j.id) }, leaseOwner: owner, status: 'running' }, data: { status: 'succeeded', progress: 100, finishedAt: new Date(), leaseExpiresAt: null } });
      return jobs.length;
    },
    close: () => store.close(),
  };
}

const RAW_TABLE = `CREATE TABLE IF NOT EXISTS bench_job (id BIGSERIAL PRIMARY KEY, status TEXT NOT NULL DEFAULT 'queued', payload JSONB NOT NULL,
  run_after TIMESTAMPTZ NOT NULL DEFAULT now(), lease_owner TEXT, lease_expires_at TIMESTAMPTZ, attempts INT NOT NULL DEFAULT 0, finished_at TIMESTAMPTZ);
  CREATE INDEX IF NOT EXISTS bench_job_status_run_after ON bench_job (status, run_after)`;

/**
 * The baseline: claim and complete as two hand-written statements over plain pg. The claim's
 * subquery is scalar (`id = (…)`), which PostgreSQL runs once.
 */
async function rawPg(url: string): Promise<Engine> {
  const pool = new pg.Pool({ connectionString: url, max: WORKERS });
  await pool.query(RAW_TABLE);
  return {
    name: 'raw pg SKIP LOCKED',
    async fill(jobs) {
      await pool.query('TRUNCATE bench_job');
      await pool.query(`INSERT INTO bench_job (payload, run_after) SELECT jsonb_build_object('i', g), now() - interval '1 second' FROM generate_series(1, $1) g`, [jobs]);
    },
    async step(w) {
      const owner = `bench-${w}`;
      const { rows } = await pool.query<{ id: string }>(
        `UPDATE bench_job SET status = 'running', lease_owner = $1, lease_expires_at = now() + interval '30 seconds', attempts = attempts + 1
         WHERE id = (SELECT id FROM bench_job WHERE status = 'queued' AND run_after <= now() ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, payload`,
        [owner],
      );
      if (rows.length === 0) return 0;
      await pool.query(`UPDATE bench_job SET status = 'succeeded', finished_at = now(), lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, [rows[0]!.id, owner]);
      return 1;
    },
    close: () => pool.end(),
  };
}

/** pg-boss 10: fetch one job, complete it, on one queue emptied between rounds. */
async function pgBoss(url: string): Promise<Engine> {
  // No supervisor or cron: their timers would take connections from the measured pool.
  const boss = new PgBoss({ connectionString: url, max: WORKERS, supervise: false, schedule: false });
  boss.on('error', (error: Error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  await boss.start();
  const queue = 'bench';
  await boss.createQueue(queue);
  return {
    name: `pg-boss ${PgBossVersion}`,
    async fill(jobs) {
      // Not deleteQueue + createQueue: in 10.4.2 deleteQueue fails on a queue that still has jobs
      // (foreign key q_fkey on the queue's partition).
      await boss.getDb().executeSql('DELETE FROM pgboss.job WHERE name = $1', [queue]);
      for (let i = 0; i < jobs; i += 1000) await boss.insert(Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ name: queue, data: { i: i + j } })));
    },
    async step() {
      const [job] = await boss.fetch<{ i: number }>(queue, { batchSize: 1 });
      if (!job) return 0;
      await boss.complete(queue, job.id);
      return 1;
    },
    async close() {
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

const PgBossVersion = (JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/pg-boss/package.json', import.meta.url)), 'utf8')) as { version: string }).version;

/** The SQLite baseline: the same two statements, prepared, on one better-sqlite3 connection. */
function rawSqlite(file: string): Engine {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS bench_job (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'queued', payload TEXT NOT NULL, run_after INTEGER NOT NULL,
    lease_owner TEXT, lease_expires_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0, finished_at INTEGER);
    CREATE INDEX IF NOT EXISTS bench_job_status_run_after ON bench_job (status, run_after)`);
  const insert = db.prepare('INSERT INTO bench_job (payload, run_after) VALUES (?, ?)');
  const fill = db.transaction((jobs: number) => {
    db.exec('DELETE FROM bench_job');
    const due = Date.now() - 1000;
    for (let i = 0; i < jobs; i++) insert.run(JSON.stringify({ i }), due);
  });
  const claim = db.prepare(`UPDATE bench_job SET status = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
    WHERE status = 'queued' AND id IN (SELECT id FROM bench_job WHERE status = 'queued' AND run_after <= ? ORDER BY run_after LIMIT 1) RETURNING id, payload`);
  const complete = db.prepare(`UPDATE bench_job SET status = 'succeeded', finished_at = ?, lease_expires_at = NULL WHERE id = ? AND lease_owner = ? AND status = 'running'`);
  return {
    name: 'raw better-sqlite3',
    fill: async (jobs) => void fill(jobs),
    async step(w) {
      const now = Date.now();
      const row = claim.get(`bench-${w}`, now + LEASE_MS, now) as { id: number } | undefined;
      if (!row) return 0;
      complete.run(Date.now(), row.id, `bench-${w}`);
      return 1;
    },
    close: async () => void db.close(),
  };
}

/** Interleaved rounds over `engines`; median jobs/s per engine, in the order given. */
async function compare(engines: Engine[], jobs: number, rounds: number): Promise<{ engine: string; jobsPerSecond: number }[]> {
  const samples = engines.map(() => [] as number[]);
  for (const e of engines) await drain(e, Math.min(jobs, 500)); // warm up: connections, JIT, plans
  for (let r = 0; r < rounds; r++) for (const [i, e] of engines.entries()) samples[i]!.push(await drain(e, jobs));
  return engines.map((e, i) => ({ engine: e.name, jobsPerSecond: round(median(samples[i]!), 0) }));
}

export async function jobsBench(jobs = 5_000, rounds = 5) {
  const results: Record<string, unknown> = {};
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const scratch = await createScratchDatabase(serverUrl);
    const engines: Engine[] = [];
    try {
      engines.push(switchboard('switchboard claimJobs (PostgreSQL)', await createStore({ databaseUrl: scratch.url, dbPoolSize: WORKERS, migrate: true })));
      engines.push(await pgBoss(scratch.url));
      engines.push(await rawPg(scratch.url));
      const rows = await compare(engines, jobs, rounds);
      const [ours, boss, raw] = rows.map((r) => r.jobsPerSecond) as [number, number, number];
      results.postgresql = { rows, claimsOverLimit: overClaims.length, jobsInOverLimitClaims: overClaims.reduce((a, b) => a + b, 0), oursVsPgBoss: round(ours / boss, 2), oursVsRaw: round(ours / raw, 2) };
    } finally {
      for (const e of engines) await e.close().catch(() => {});
      await scratch.drop();
    }
  } else {
    results.postgresql = 'skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server';
  }

  const dir = mkdtempSync(join(tmpdir(), 'switchboard-jobs-bench-'));
  const engines: Engine[] = [];
  try {
    // Two files: the raw loop's writes must not contend with Prisma's connection for the lock.
    engines.push(switchboard('switchboard claimJobs (SQLite)', await createStore({ databaseUrl: `file:${join(dir, 'jobs.db')}`, migrate: true })));
    engines.push(rawSqlite(join(dir, 'raw.db')));
    overClaims.length = 0;
    const rows = await compare(engines, jobs, rounds);
    const [ours, raw] = rows.map((r) => r.jobsPerSecond) as [number, number];
    if (overClaims.length > 0) results.sqliteClaimsOverLimit = overClaims.length;
    results.sqlite = { rows, oursVsRaw: round(ours / raw, 2) };
  } finally {
    for (const e of engines) await e.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  return { name: `job claim + complete, ${WORKERS} workers, ${jobs} jobs per run, no upstream call (median of ${rounds} interleaved rounds, jobs/s)`, ...results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [jobs, rounds] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await jobsBench(jobs || undefined, rounds || undefined), null, 2)}\n`);
}
