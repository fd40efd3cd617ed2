// Chaos: two real Switchboard processes (`switchboard stdio`, each with its own job workers) share
// one PostgreSQL queue of 2,000 quick jobs; one is killed with SIGKILL mid-run, so its in-flight
// jobs keep leases nobody renews. The survivor must reclaim them once the (short) lease lapses and
// finish everything. The fixture's log records every upstream call, so the test can count how
// often each job's marker reached the upstream.
//
// The property asserted (maxAttempts 2, so a job lost with the victim is retried, not failed):
//  - every job ends succeeded within a bounded wait: none is left queued or running;
//  - a job that ran once (attempts 1) reached the upstream exactly once;
//  - only jobs that were running on the victim when it died were run again (attempts 2); each of
//    them reached the upstream exactly once through the survivor and at most once through the
//    victim's fixture (the call cut off by the crash — the documented at-least-once edge of a
//    crash mid-call);
//  - so every succeeded job has exactly one upstream call outside the calls the crash cut off;
//  - no fixture process outlives the test.
// A second case kills the process that finished a job while its webhook waits for a retry: the
// delivery lives in the Job row, so another process makes it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs } from '../src/domain/jobs/claim.js';
import { createStore } from '../src/store/index.js';
import { cliEnv, cliPath } from './support/cli.js';
import { pgServerUrl } from './support/databases.js';
import { alive, eventually, processesTagged, readFixtureLog, stdioFixture } from './support/fixture.js';
import { call, createTestDatabase } from './support/harness.js';

const JOBS = 2_000;
const KILL_AFTER = 300; // succeeded jobs before the SIGKILL: well into the run, far from its end
const WORKERS = 4;
const LEASE_MS = 2_000;

interface Server {
  client: Client;
  transport: StdioClientTransport;
  pid: number;
}

/** Child pids of `parent` whose command line carries `tag`. */
function childrenTagged(parent: number, tag: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === parent && m[3]!.includes(tag))
    .map((m) => Number(m[1]));
}

describe.runIf(pgServerUrl)('jobs under a crash: two processes, one SIGKILLed mid-run', () => {
  const tag = `jobs-chaos-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = join(mkdtempSync(join(tmpdir(), 'fixture-log-')), 'events.jsonl');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: pg.Client;
  const servers: Server[] = [];

  const start = async (): Promise<Server> => {
    const env = cliEnv(db.dataDir, db.databaseUrl, {
      SWITCHBOARD_JOB_WORKERS: String(WORKERS),
      // Short, so the victim's orphaned leases lapse within seconds; renewed every third of it.
      SWITCHBOARD_JOB_LEASE_MS: String(LEASE_MS),
      SWITCHBOARD_HEALTH_INTERVAL_MS: '0',
      SWITCHBOARD_LOG_LEVEL: 'silent',
    });
    const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'stdio'], env, stderr: 'ignore' });
    const client = new Client({ name: 'chaos', version: '1' });
    await client.connect(transport);
    const server = { client, transport, pid: transport.pid! };
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    sql = new pg.Client({ connectionString: db.databaseUrl });
  });

  afterAll(async () => {
    for (const s of servers) await s.client.close().catch(() => {});
    await sql?.end().catch(() => {});
    // The victim's stdio fixtures were orphaned by the SIGKILL (nobody closed them): kill them by tag.
    for (const line of processesTagged(tag)) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await eventually(() => processesTagged(tag).length === 0, 'every tagged fixture process to be gone', 5_000).catch(() => {});
    await db?.cleanup();
    expect(processesTagged(tag)).toEqual([]);
  });

  it('finishes every job after a SIGKILL, re-running only the jobs the victim had in flight', { timeout: 120_000 }, async () => {
    const began = performance.now();
    // One process first: serve applies the migrations, and two doing it at once on a fresh database race.
    const victim = await start();
    await sql.connect();
    await call(victim.client, 'registry_register', { name: 'chaos-fixture', version: '1.0.0', transport: stdioFixture(tag, { FIXTURE_LOG: log }) });
    await call(victim.client, 'route_create', { intentPattern: 'chaos.echo', serverName: 'chaos-fixture', toolName: 'echo' });
    // A warm-up job run while the victim is alone: its row keeps the victim's lease owner id, and the
    // victim's fixture is spawned before the clock for the real run starts.
    const warm = (await call<{ job: { id: string } }>(victim.client, 'job_submit', { intent: 'chaos.echo', arguments: { text: `${tag}-warm` } })).job;
    await eventually(async () => (await sql.query(`SELECT status FROM "Job" WHERE id = $1`, [warm.id])).rows[0]?.status === 'succeeded', 'the warm-up job', 10_000);
    const victimOwner = (await sql.query<{ leaseOwner: string }>(`SELECT "leaseOwner" FROM "Job" WHERE id = $1`, [warm.id])).rows[0]!.leaseOwner;

    // How many jobs each process holds at once, sampled: SWITCHBOARD_JOB_WORKERS should bound it.
    let maxHeld = 0;
    let sampling = true;
    const sampler = (async () => {
      const probe = new pg.Client({ connectionString: db.databaseUrl });
      await probe.connect();
      while (sampling) {
        const { rows } = await probe.query<{ n: string }>(`SELECT count(*) AS n FROM "Job" WHERE status = 'running' GROUP BY "leaseOwner"`);
        for (const r of rows) maxHeld = Math.max(maxHeld, Number(r.n));
        await new Promise((r) => setTimeout(r, 100));
      }
      await probe.end();
    })();

    const survivor = await start();
    // The survivor sees the route (each process polls the change counters) before it gets jobs.
    await eventually(async () => !(await survivor.client.callTool({ name: 'route_resolve', arguments: { intent: 'chaos.echo' } })).isError, 'the survivor to see the route', 5_000);

    // Submitted through the real tool (job_submit on both processes, 100 calls in flight at a time),
    // not inserted behind Switchboard's back: 3–8 s for 2,000 on a 2-core machine, while the
    // workers, sharing the CPU with the submissions, finish a few hundred — so the kill lands mid-run.
    const markers = Array.from({ length: JOBS }, (_, i) => `${tag}-${i}`);
    const submitted = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 100) {
      const batch = markers.slice(i, i + 100).map((text, j) =>
        call<{ job: { id: string } }>((j % 2 ? survivor : victim).client, 'job_submit', { intent: 'chaos.echo', arguments: { text }, maxAttempts: 2 }),
      );
      ids.push(...(await Promise.all(batch)).map((r) => r.job.id));
    }
    const submitMs = performance.now() - submitted;

    const count = async (where: string) => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM "Job" WHERE id = ANY($1) AND ${where}`, [ids])).rows[0]!.n);
    await eventually(async () => (await count(`status = 'succeeded'`)) >= KILL_AFTER, `${KILL_AFTER} jobs to succeed`, 30_000);
    const victimFixtures = childrenTagged(victim.pid, tag);
    expect(victimFixtures.length).toBeGreaterThan(0);
    const doneAtKill = await count(`status IN ('succeeded', 'failed', 'cancelled')`);
    process.kill(victim.pid, 'SIGKILL');
    await eventually(() => !alive(victim.pid), 'the victim to die', 5_000);
    // A statement the victim had already sent still commits after it died; let those land.
    await new Promise((r) => setTimeout(r, 200));
    const inFlight = (await sql.query<{ id: string }>(`SELECT id FROM "Job" WHERE id = ANY($1) AND status = 'running' AND "leaseOwner" = $2`, [ids, victimOwner])).rows.map((r) => r.id);
    const killedAt = performance.now();
    // The crash landed mid-run: plenty of work was left for the survivor.
    expect(doneAtKill).toBeLessThan(JOBS - 500);

    // Bounded: the lease (2 s) plus a sweep, plus the survivor's share of the rest.
    await eventually(async () => (await count(`status IN ('queued', 'running')`)) === 0, 'every job to reach a final state', 60_000);
    const recoveredMs = performance.now() - killedAt;
    sampling = false;
    await sampler;

    // Nobody closed the victim's fixtures; whether they linger depends on how they take stdin EOF.
    const orphans = victimFixtures.filter((pid) => alive(pid)).length;
    const rows = (await sql.query<{ id: string; status: string; attempts: number; text: string }>(`SELECT id, status, attempts, arguments->>'text' AS text FROM "Job" WHERE id = ANY($1)`, [ids])).rows;
    const victimPids = new Set(victimFixtures);
    const seen = new Map<string, { victim: number; other: number }>();
    for (const e of readFixtureLog(log)) {
      const text = (e.args as { text?: unknown } | undefined)?.text;
      if (e.event !== 'call' || typeof text !== 'string') continue;
      const n = seen.get(text) ?? { victim: 0, other: 0 };
      if (victimPids.has(e.pid)) n.victim++;
      else n.other++;
      seen.set(text, n);
    }
    const succeeded = rows.filter((r) => r.status === 'succeeded');
    const failed = rows.filter((r) => r.status === 'failed');
    const rerun = rows.filter((r) => r.attempts > 1);
    const twice = rerun.filter((r) => seen.get(r.text)!.victim + seen.get(r.text)!.other === 2);
    process.stderr.write(
      `jobs-chaos: ${JOBS} jobs, submitted in ${Math.round(submitMs)} ms; SIGKILL after ${doneAtKill} finished with ${inFlight.length} in flight on the victim; ` +
        `succeeded ${succeeded.length}, failed ${failed.length}, re-run ${rerun.length} (reached the upstream twice: ${twice.length}); ` +
        `recovered ${Math.round(recoveredMs)} ms after the kill; victim fixtures still alive ${orphans}/${victimFixtures.length}; most jobs held by one process at once ${maxHeld}; total ${Math.round(performance.now() - began)} ms\n`,
    );

    expect(rows).toHaveLength(JOBS);
    expect(failed.map((r) => r.id)).toEqual([]);
    expect(succeeded).toHaveLength(JOBS);
    for (const r of rows) {
      const n = seen.get(r.text) ?? { victim: 0, other: 0 };
      if (r.attempts === 1) expect(n.victim + n.other, `${r.text} (attempts 1)`).toBe(1);
      else {
        expect(r.attempts, r.text).toBe(2);
        expect(inFlight, `${r.text} was re-run but was not in flight on the victim`).toContain(r.id);
        expect(n.other, `${r.text}: calls through the survivor`).toBe(1);
        expect(n.victim, `${r.text}: calls through the victim`).toBeLessThanOrEqual(1);
      }
    }
    // SWITCHBOARD_JOB_WORKERS bounds what one process holds, so a crash orphans at most that many.
    expect(maxHeld).toBeLessThanOrEqual(WORKERS);
    expect(inFlight.length).toBeLessThanOrEqual(WORKERS);
    // Every marker in the log belongs to a job (nothing ran that was not submitted).
    const known = new Set([...markers, `${tag}-warm`]);
    expect([...seen.keys()].filter((t) => !known.has(t))).toEqual([]);
  });
});

// Found by bench/jobs.ts: as `"id" IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, PostgreSQL may
// rescan the subquery per outer row (a fresh, unanalysed Job table gets that plan), so one claim of
// limit 1 took every due job. claimJobs now picks the ids once, in a CTE.
describe.runIf(pgServerUrl)('claimJobs on PostgreSQL', () => {
  it('takes no more jobs than its limit', async () => {
    const db = await createTestDatabase('postgresql');
    const store = await createStore({ databaseUrl: db.databaseUrl, migrate: true });
    try {
      const runAfter = new Date(Date.now() - 1000);
      await store.db.job.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ owner: 'local', intent: 'claim.limit', arguments: { i }, runAfter })) });
      const deps = { db: store.db, provider: store.provider, clock: () => new Date() };
      const claimed = await claimJobs(deps, 'limit-test', 1, 30_000);
      expect(claimed).toHaveLength(1);
      expect(await store.db.job.count({ where: { status: 'running' } })).toBe(1);
    } finally {
      await store.close();
      await db.cleanup();
    }
  });
});

describe.runIf(pgServerUrl)('a webhook outlives the process that finished its job', () => {
  it('another process delivers the retry after the finishing process is SIGKILLed mid-retry', { timeout: 60_000 }, async () => {
    const db = await createTestDatabase('postgresql');
    const sql = new pg.Client({ connectionString: db.databaseUrl });
    const bodies: { raw: string; signature: string }[] = [];
    // The first attempt gets a 500, so the finishing process schedules a retry; later ones a 200.
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        bodies.push({ raw, signature: String(req.headers['x-switchboard-signature']) });
        res.statusCode = bodies.length === 1 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const processes: { client: Client; pid: number }[] = [];
    const start = async () => {
      // A first retry 2–6 s out: time enough to kill the process before it makes it.
      const env = cliEnv(db.dataDir, db.databaseUrl, { SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: 'true', SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '4000', SWITCHBOARD_HEALTH_INTERVAL_MS: '0', SWITCHBOARD_LOG_LEVEL: 'silent' });
      const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'stdio'], env, stderr: 'ignore' });
      const client = new Client({ name: 'webhook-chaos', version: '1' });
      await client.connect(transport);
      processes.push({ client, pid: transport.pid! });
      return processes.at(-1)!;
    };
    try {
      const finisher = await start();
      await sql.connect();
      // No route: the worker fails the job at once, and its webhook is due.
      const job = (await call<{ job: { id: string } }>(finisher.client, 'job_submit', { intent: 'nowhere.to.go', arguments: {}, webhookUrl: url })).job;
      // Claimed, webhookNextAt is 25 s out (past the HTTP timeout); once the attempt has failed, the backoff's 2–6 s.
      const row = async () =>
        (await sql.query(`SELECT status, "webhookStatus", "webhookAttempts", "webhookAttempts" = 1 AND "webhookNextAt" < now() + interval '10 seconds' AS "retryScheduled" FROM "Job" WHERE id = $1`, [job.id])).rows[0];
      await eventually(async () => (await row())?.retryScheduled === true, 'the first attempt to fail and a retry to be scheduled', 15_000);
      expect(await row()).toMatchObject({ status: 'failed', webhookStatus: 'pending', webhookAttempts: 1 });
      process.kill(finisher.pid, 'SIGKILL');
      await eventually(() => !alive(finisher.pid), 'the finishing process to die', 5_000);

      await start();
      await eventually(async () => (await row())?.webhookStatus === 'delivered', 'the other process to deliver the retry', 20_000);
      expect(await row()).toMatchObject({ webhookStatus: 'delivered', webhookAttempts: 2 });
      expect(bodies).toHaveLength(2);
      expect(bodies[1]).toEqual(bodies[0]); // the same notice, signed alike
      expect(JSON.parse(bodies[1]!.raw)).toMatchObject({ id: job.id, status: 'failed', intent: 'nowhere.to.go' });
    } finally {
      for (const p of processes) await p.client.close().catch(() => {});
      await sql.end().catch(() => {});
      await new Promise((resolve) => receiver.close(resolve));
      await db.cleanup();
    }
  });
});
