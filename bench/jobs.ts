// Job queue throughput: jobs claimed and completed per second with 4 job slots and no upstream
// call, so it measures the queue alone. Switchboard runs its real worker pool (startJobWorkers:
// a claim takes every slot free at that moment, never more; a success hands its slot on in the
// same statement) with a runner that only records success (RunOptions.succeed).
// The baselines are best effort, in several shapes, and a ratio is taken against the fastest:
// four independent loops that claim one job and complete it (the classic loop); the worker pool's
// shape (claims of every free slot, overlapping; each job completed on its own); and that pool
// with handoff (a completion claims the next jobs in the same statement, as Switchboard does).
// On PostgreSQL: pg-boss 10 (fetch + complete) and a raw FOR UPDATE SKIP LOCKED queue over plain
// `pg` with prepared statements on a minimal table — and, to tell the table's cost from the
// ORM's, Switchboard's own statements hand-written over plain `pg` on the Job table. On SQLite: a
// raw better-sqlite3 queue (synchronous, one connection: SQLite serialises writers anyway).
// Every engine gets the same number of jobs, inserted before the clock starts; rounds are
// interleaved so drift (autovacuum, the page cache, the JIT, other load) hits every engine alike;
// medians. `node --import tsx bench/jobs.ts [jobs] [rounds]`. Needs a PostgreSQL server:
// BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is created there and dropped);
// without one only the SQLite half runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import PgBoss from 'pg-boss';
import pino from 'pino';
import type { Webhooks } from '../src/domain/jobs/webhook.js';
import { startJobWorkers } from '../src/domain/jobs/worker.js';
import { createStore, type Store } from '../src/store/index.js';
import { createScratchDatabase } from '../tests/support/databases.js';
import { median, round } from './stats.js';

const WORKERS = 4;
const LEASE_MS = 30_000;
interface Engine {
  name: string;
  /** Empties the queue and fills it with `jobs` due jobs (not timed). */
  fill(jobs: number): Promise<void>;
  /** Claims and completes `jobs` jobs with WORKERS slots; resolves when the last is completed. */
  run(jobs: number): Promise<void>;
  close(): Promise<void>;
}

/** Jobs per second of one run of `engine` over `jobs` fresh jobs. */
async function drain(engine: Engine, jobs: number): Promise<number> {
  await engine.fill(jobs);
  const started = performance.now();
  await engine.run(jobs);
  return jobs / ((performance.now() - started) / 1000);
}

/**
 * Four independent loops, each claiming one job and completing it. A loop that finds nothing
 * claimable keeps trying until the total is reached: with SKIP LOCKED it can see an empty result
 * while the others hold rows they have not completed yet.
 */
async function loops(jobs: number, step: (worker: number) => Promise<number>): Promise<void> {
  let done = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (done < jobs) {
        const n = await step(w);
        if (n > 0) done += n;
        else await new Promise((r) => setImmediate(r));
      }
    }),
  );
}

/**
 * The worker pool's shape for a baseline, as worker.ts does it: a claim takes every slot free at
 * that moment, and a slot that frees up while a claim is under way starts its own. Each job
 * completes on its own; with `handoff`, a completion also claims jobs for its slot and the other
 * free ones in the same statement, as succeedAndClaim does.
 */
function pool<T>(jobs: number, claim: (limit: number) => Promise<T[]>, complete: (job: T, limit: number) => Promise<T[]>, handoff: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let running = 0;
    let claiming = 0;
    let done = 0;
    const start = (claimed: T[], limit: number) => {
      for (const job of claimed) {
        running++;
        const others = handoff ? Math.max(0, WORKERS - running - claiming) : 0;
        claiming += others;
        complete(job, handoff ? others + 1 : 0).then((next) => {
          claiming -= others;
          running--;
          if (++done === jobs) return resolve();
          start(next, others + 1);
          tick();
        }, reject);
      }
      if (limit > 0 && claimed.length === limit) tick();
    };
    const tick = () => {
      const free = WORKERS - running - claiming;
      if (free <= 0 || done === jobs) return;
      claiming += free;
      claim(free).then((claimed) => {
        claiming -= free;
        start(claimed, free);
      }, reject);
    };
    tick();
  });
}

const noWebhooks: Webhooks = { check: async () => {}, finished() {}, close: async () => {} };

/** Switchboard's worker pool with a runner that only records success: claimJobs, then succeedAndClaim per job. */
function switchboard(name: string, store: Store): Engine {
  const deps = { db: store.db, provider: store.provider, clock: () => new Date(), webhooks: noWebhooks };
  const log = pino({ level: 'silent' });
  return {
    name,
    async fill(jobs) {
      await store.db.job.deleteMany({});
      const runAfter = new Date(Date.now() - 1000);
      await store.db.job.createMany({ data: Array.from({ length: jobs }, (_, i) => ({ owner: 'bench', intent: 'bench.noop', arguments: { i }, runAfter })) });
    },
    async run(jobs) {
      let done = 0;
      let finished!: () => void;
      const all = new Promise<void>((resolve) => (finished = resolve));
      const workers = startJobWorkers(deps, {
        concurrency: WORKERS,
        owner: 'bench',
        log,
        pollMs: 250,
        leaseMs: LEASE_MS,
        async run(_job, options) {
          if ((await options.succeed({ content: [] })) && ++done === jobs) finished();
        },
      });
      await all;
      await workers.stop();
    },
    close: () => store.close(),
  };
}

/** A plain pg pool; an idle connection the server drops (e.g. another process's test terminating backends) reconnects rather than crashing the run. */
function rawPool(url: string): pg.Pool {
  const db = new pg.Pool({ connectionString: url, max: WORKERS });
  db.on('error', () => {});
  return db;
}

type Shape = 'loops' | 'pool' | 'handoff';
const shapeName = { loops: '4 loops of claim 1', pool: 'pool, claims every free slot', handoff: 'pool, a completion claims the next jobs' } as const;

const RAW_TABLE = `CREATE TABLE IF NOT EXISTS bench_job (id BIGSERIAL PRIMARY KEY, status TEXT NOT NULL DEFAULT 'queued', payload JSONB NOT NULL,
  run_after TIMESTAMPTZ NOT NULL DEFAULT now(), lease_owner TEXT, lease_expires_at TIMESTAMPTZ, attempts INT NOT NULL DEFAULT 0, finished_at TIMESTAMPTZ);
  CREATE INDEX IF NOT EXISTS bench_job_status_run_after ON bench_job (status, run_after)`;

/**
 * The baseline: claim and complete as two hand-written, prepared statements over plain pg. The
 * claim picks its ids in a CTE (PostgreSQL runs it once), like claimJobs.
 */
async function rawPg(url: string, shape: Shape): Promise<Engine> {
  const db = rawPool(url);
  await db.query(RAW_TABLE);
  const name = `raw pg SKIP LOCKED (${shapeName[shape]})`;
  const claim = (owner: string, limit: number) =>
    db.query<{ id: string; payload: unknown }>({
      name: 'claim',
      text: `WITH picked AS (SELECT id FROM bench_job WHERE status = 'queued' AND run_after <= now() ORDER BY run_after LIMIT $2 FOR UPDATE SKIP LOCKED)
        UPDATE bench_job SET status = 'running', lease_owner = $1, lease_expires_at = now() + interval '30 seconds', attempts = attempts + 1
        WHERE id IN (SELECT id FROM picked) RETURNING id, payload`,
      values: [owner, limit],
    });
  const completion = `UPDATE bench_job SET status = 'succeeded', finished_at = now(), lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'running'`;
  const complete = (id: string, owner: string) => db.query({ name: 'complete', text: completion, values: [id, owner] });
  const completeAndClaim = (id: string, owner: string, limit: number) =>
    db.query<{ id: string; payload: unknown }>({
      name: 'complete-and-claim',
      text: `WITH done AS (${completion} RETURNING id),
        picked AS (SELECT id FROM bench_job WHERE status = 'queued' AND run_after <= now() ORDER BY run_after LIMIT $3 FOR UPDATE SKIP LOCKED)
        UPDATE bench_job SET status = 'running', lease_owner = $2, lease_expires_at = now() + interval '30 seconds', attempts = attempts + 1
        WHERE id IN (SELECT id FROM picked) RETURNING id, payload`,
      values: [id, owner, limit],
    });
  return {
    name,
    async fill(jobs) {
      await db.query('TRUNCATE bench_job');
      await db.query(`INSERT INTO bench_job (payload, run_after) SELECT jsonb_build_object('i', g), now() - interval '1 second' FROM generate_series(1, $1) g`, [jobs]);
    },
    async run(jobs) {
      if (shape === 'pool') return pool(jobs, async (limit) => (await claim('bench', limit)).rows, async (job) => { await complete(job.id, 'bench'); return []; }, false);
      if (shape === 'handoff') return pool(jobs, async (limit) => (await claim('bench', limit)).rows, async (job, limit) => (await completeAndClaim(job.id, 'bench', limit)).rows, true);
      return loops(jobs, async (w) => {
        const { rows } = await claim(`bench-${w}`, 1);
        if (rows.length === 0) return 0;
        await complete(rows[0]!.id, `bench-${w}`);
        return 1;
      });
    },
    close: () => db.end(),
  };
}

/**
 * The same statements as Switchboard's (claimJobs, succeedAndClaim), hand-written and prepared
 * over plain pg on Switchboard's own Job table, in the handoff shape: what the ORM and the worker
 * cost, apart from what the table (its columns and five indexes) costs.
 */
async function rawPgOnJob(url: string): Promise<Engine> {
  const db = rawPool(url);
  const claim = `WITH "picked" AS (SELECT "id" FROM "Job" WHERE "status" = 'queued' AND "cancelRequested" = FALSE AND "runAfter" <= now() ORDER BY "runAfter" LIMIT $2 FOR UPDATE SKIP LOCKED)
    UPDATE "Job" SET "status" = 'running', "leaseOwner" = $1, "leaseExpiresAt" = now() + interval '30 seconds', "attempts" = "attempts" + 1,
      "startedAt" = COALESCE("startedAt", now()), "updatedAt" = now()
    WHERE "status" = 'queued' AND "id" IN (SELECT "id" FROM "picked") RETURNING *`;
  const handoff = `WITH "done" AS (UPDATE "Job" SET "status" = 'succeeded', "progress" = 100, "result" = CAST($3 AS jsonb), "error" = NULL, "finishedAt" = now(),
      "webhookNextAt" = now(), "leaseExpiresAt" = NULL, "updatedAt" = now() WHERE "id" = $4 AND "leaseOwner" = $1 AND "status" = 'running' RETURNING "id"),
    "claimed" AS (${claim})
    SELECT (SELECT count(*) FROM "done")::int AS "succeededCount", "claimed".* FROM (SELECT 1) AS "one" LEFT JOIN "claimed" ON TRUE`;
  type Row = { id: string | null };
  return {
    name: `raw pg on the Job table (${shapeName.handoff})`,
    async fill(jobs) {
      await db.query('DELETE FROM "Job"');
      await db.query(
        `INSERT INTO "Job" ("id", "owner", "intent", "arguments", "runAfter", "updatedAt") SELECT gen_random_uuid()::text, 'bench', 'bench.noop', jsonb_build_object('i', g), now() - interval '1 second', now() FROM generate_series(1, $1) g`,
        [jobs],
      );
    },
    run: (jobs) =>
      pool<Row>(
        jobs,
        async (limit) => (await db.query<Row>({ name: 'job-claim', text: claim, values: ['bench', limit] })).rows,
        async (job, limit) => (await db.query<Row>({ name: 'job-handoff', text: handoff, values: ['bench', limit, '{"content":[]}', job.id] })).rows.filter((r) => r.id !== null),
        true,
      ),
    close: () => db.end(),
  };
}

/** pg-boss 10: fetch, complete, on one queue emptied between rounds. */
async function pgBoss(url: string, shape: Shape): Promise<Engine> {
  // No supervisor or cron: their timers would take connections from the measured pool.
  const boss = new PgBoss({ connectionString: url, max: WORKERS, supervise: false, schedule: false });
  boss.on('error', (error: Error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  await boss.start();
  const queue = `bench-${shape}`;
  await boss.createQueue(queue);
  const name = `pg-boss ${PgBossVersion} (${shapeName[shape]})`;
  return {
    name,
    async fill(jobs) {
      // Not deleteQueue + createQueue: in 10.4.2 deleteQueue fails on a queue that still has jobs
      // (foreign key q_fkey on the queue's partition).
      await boss.getDb().executeSql('DELETE FROM pgboss.job WHERE name = $1', [queue]);
      for (let i = 0; i < jobs; i += 1000) await boss.insert(Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ name: queue, data: { i: i + j } })));
    },
    async run(jobs) {
      if (shape !== 'loops') return pool(jobs, (limit) => boss.fetch<{ i: number }>(queue, { batchSize: limit }), async (job) => { await boss.complete(queue, job.id); return []; }, false);
      return loops(jobs, async () => {
        const [job] = await boss.fetch<{ i: number }>(queue, { batchSize: 1 });
        if (!job) return 0;
        await boss.complete(queue, job.id);
        return 1;
      });
    },
    async close() {
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

const PgBossVersion = (JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/pg-boss/package.json', import.meta.url)), 'utf8')) as { version: string }).version;

/** The SQLite baseline: the same two statements, prepared, on one better-sqlite3 connection. */
function rawSqlite(file: string, shape: Shape): Engine {
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
    WHERE status = 'queued' AND id IN (SELECT id FROM bench_job WHERE status = 'queued' AND run_after <= ? ORDER BY run_after LIMIT ?) RETURNING id, payload`);
  const complete = db.prepare(`UPDATE bench_job SET status = 'succeeded', finished_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'`);
  const completeAndTake = db.transaction((id: number, limit: number) => {
    complete.run(Date.now(), id, 'bench');
    return take('bench', limit);
  });
  const name = `raw better-sqlite3 (${shapeName[shape]})`;
  const take = (owner: string, limit: number) => {
    const now = Date.now();
    return claim.all(owner, now + LEASE_MS, now, limit) as { id: number }[];
  };
  return {
    name,
    fill: async (jobs) => void fill(jobs),
    async run(jobs) {
      if (shape === 'pool') return pool(jobs, async (limit) => take('bench', limit), async (job) => { complete.run(Date.now(), job.id, 'bench'); return []; }, false);
      if (shape === 'handoff') return pool(jobs, async (limit) => take('bench', limit), async (job, limit) => completeAndTake(job.id, limit), true);
      return loops(jobs, async (w) => {
        const [row] = take(`bench-${w}`, 1);
        if (!row) return 0;
        complete.run(Date.now(), row.id, `bench-${w}`);
        return 1;
      });
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

const best = (rows: { engine: string; jobsPerSecond: number }[], prefix: string) => Math.max(...rows.filter((r) => r.engine.startsWith(prefix)).map((r) => r.jobsPerSecond));

export async function jobsBench(jobs = 5_000, rounds = 5) {
  const results: Record<string, unknown> = {};
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const scratch = await createScratchDatabase(serverUrl);
    const engines: Engine[] = [];
    try {
      engines.push(switchboard('switchboard worker pool (PostgreSQL)', await createStore({ databaseUrl: scratch.url, dbPoolSize: WORKERS, migrate: true })));
      for (const shape of ['loops', 'pool'] as const) engines.push(await pgBoss(scratch.url, shape));
      for (const shape of ['loops', 'pool', 'handoff'] as const) engines.push(await rawPg(scratch.url, shape));
      engines.push(await rawPgOnJob(scratch.url));
      const rows = await compare(engines, jobs, rounds);
      const ours = rows[0]!.jobsPerSecond;
      results.postgresql = {
        rows,
        oursVsPgBoss: round(ours / best(rows, 'pg-boss'), 2),
        oursVsRaw: round(ours / best(rows, 'raw pg SKIP LOCKED'), 2),
        oursVsRawClassicLoop: round(ours / rows.find((r) => r.engine === `raw pg SKIP LOCKED (${shapeName.loops})`)!.jobsPerSecond, 2),
        oursVsRawOnJobTable: round(ours / best(rows, 'raw pg on the Job table'), 2),
      };
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
    // Separate files: the raw loops' writes must not contend with Prisma's connection for the lock.
    engines.push(switchboard('switchboard worker pool (SQLite)', await createStore({ databaseUrl: `file:${join(dir, 'jobs.db')}`, migrate: true })));
    for (const shape of ['loops', 'pool', 'handoff'] as const) engines.push(rawSqlite(join(dir, `raw-${shape}.db`), shape));
    const rows = await compare(engines, jobs, rounds);
    results.sqlite = { rows, oursVsRaw: round(rows[0]!.jobsPerSecond / best(rows, 'raw'), 2) };
  } finally {
    for (const e of engines) await e.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  return { name: `job claim + complete, ${WORKERS} slots, ${jobs} jobs per run, no upstream call (median of ${rounds} interleaved rounds, jobs/s; ratios against each baseline's faster shape)`, ...results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [jobs, rounds] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await jobsBench(jobs || undefined, rounds || undefined), null, 2)}\n`);
}
