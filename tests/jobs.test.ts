// Jobs end to end through a real SDK client, against the fixture as a real child process: the
// lifecycle, progress, retries with backoff, timeouts, cancel, idempotency, owner isolation,
// policy, expired leases and two processes sharing one queue. Then the queue's raw statements on a
// store of their own (no workers competing): the rows they return are the rows Prisma reads.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs, releaseLeases, succeedAndClaim } from '../src/domain/jobs/claim.js';
import type { JobView } from '../src/domain/jobs/schema.js';
import { createMcpServer } from '../src/transports/server.js';
import { startJobWorkers } from '../src/domain/jobs/worker.js';
import { createStore } from '../src/store/index.js';
import pino from 'pino';
import { admin, call, callError, createTestDatabase, describeEachProvider, providers, secondApp } from './support/harness.js';
import { eventually, processesTagged, readFixtureLog, stdioFixture } from './support/fixture.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';

type Job = JobView;

describeEachProvider('jobs', (env, provider) => {
  const tag = `jobs-${provider}-${process.pid}`;
  const log = join(mkdtempSync(join(tmpdir(), 'fixture-log-')), 'events.jsonl');
  let client: Client;
  const other = { id: 'other-user', roles: ['developer'], attributes: {} };
  let otherClient: Client;

  const submit = async (args: Record<string, unknown>, as: Client = client) => (await call<{ job: Job; created: boolean }>(as, 'job_submit', args)).job;
  const get = async (id: string, as: Client = client) => (await call<{ job: Job }>(as, 'job_get', { id })).job;
  const until = async (id: string, done: (j: Job) => boolean, what: string, timeoutMs = 8000) => {
    let job: Job | undefined;
    try {
      await eventually(async () => done((job = await get(id))), what, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message} (last seen: ${JSON.stringify(job)})`);
    }
    return job!;
  };
  const finished = (j: Job) => ['succeeded', 'failed', 'cancelled'].includes(j.status);
  const calls = (pred: (e: ReturnType<typeof readFixtureLog>[number]) => boolean) => readFixtureLog(log).filter((e) => e.event === 'call' && pred(e));
  const echoCalls = (text: string) => calls((e) => e.tool === 'echo' && (e.args as { text?: string }).text === text).length;

  beforeAll(async () => {
    client = await env.connect();
    await call(client, 'registry_register', { name: 'jobs-fixture', version: '1.0.0', transport: stdioFixture(tag, { FIXTURE_LOG: log }) });
    for (const tool of ['echo', 'sleep', 'fail', 'hang']) await call(client, 'route_create', { intentPattern: `job.${tool}`, serverName: 'jobs-fixture', toolName: tool });
    await call(client, 'route_create', { intentPattern: 'job.secret', serverName: 'jobs-fixture', toolName: 'echo' });
    // Tool names, not job_*: that pattern would also grant job_read_all and job_update_any.
    const jobTools = ['job_submit', 'job_get', 'job_list', 'job_cancel', 'job_update'];
    await call(client, 'policy_create', { name: 'developers-run-jobs', effect: 'allow', principals: ['role:developer'], actions: [...jobTools, 'invoke'], resources: ['**'] });
    await call(client, 'policy_create', { name: 'nobody-invokes-secret', effect: 'deny', principals: ['role:developer'], actions: ['invoke'], resources: ['job.secret'] });
    otherClient = await env.connect(other);
  });

  afterAll(async () => {
    await env.app.deps.upstream.close();
    expect(processesTagged(tag)).toEqual([]);
  });

  it('runs a job queued → running → succeeded and stores the upstream result', async () => {
    const job = await submit({ intent: 'job.echo', arguments: { text: 'lifecycle' } });
    expect(job).toMatchObject({ status: 'queued', owner: 'local', intent: 'job.echo', attempts: 0, maxAttempts: 1, timeoutMs: 30_000, progress: 0 });
    const done = await until(job.id, finished, 'the job to finish');
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, progress: 100, error: null, result: { content: [{ type: 'text', text: 'lifecycle' }], structuredContent: { text: 'lifecycle' } } });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(echoCalls('lifecycle')).toBe(1);
    // The attempt is traced with the job's id, and the upstream joined that trace.
    await env.app.deps.traces.flush();
    const traces = await env.app.deps.db.trace.findMany({ where: { jobId: job.id, method: 'job/attempt' } });
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ method: 'job/attempt', transport: 'job', principal: 'local', intent: 'job.echo', serverName: 'jobs-fixture', tool: 'echo', status: 'ok' });
    const seen = calls((e) => (e.args as { text?: string }).text === 'lifecycle')[0];
    expect(seen?.meta?.traceparent).toBe(`00-${traces[0]!.traceId}-${traces[0]!.spanId}-01`);
  });

  it('records upstream progress on the job while it runs', async () => {
    const job = await submit({ intent: 'job.sleep', arguments: { ms: 1200, steps: 4 } });
    const seen = new Set<string>();
    const done = await until(
      job.id,
      (j) => {
        if (j.status === 'running' && j.progress > 0) seen.add(`${j.progress} ${j.progressMessage}`);
        return finished(j);
      },
      'the sleeping job to finish',
    );
    expect(done).toMatchObject({ status: 'succeeded', progress: 100, progressMessage: 'step 4 of 4' });
    expect([...seen].some((s) => /^(25 step 1|50 step 2|75 step 3) of 4$/.test(s)), [...seen].join(', ')).toBe(true);
  });

  it('retries a failing job with growing exponential backoff, then fails it', async () => {
    const job = await submit({ intent: 'job.fail', arguments: { message: 'retry-me' }, maxAttempts: 3 });
    const delays = new Map<number, number>();
    const done = await until(
      job.id,
      (j) => {
        if (j.status === 'queued' && j.attempts > 0) delays.set(j.attempts, Date.parse(j.runAfter) - Date.parse(j.updatedAt));
        return finished(j);
      },
      'the failing job to use up its attempts',
      10_000,
    );
    expect(done).toMatchObject({ status: 'failed', attempts: 3, error: 'retry-me' });
    // base 1 s · 2^(attempt−1) · (0.5…1.5)
    expect(delays.get(1)).toBeGreaterThanOrEqual(500);
    expect(delays.get(1)).toBeLessThanOrEqual(1500);
    expect(delays.get(2)).toBeGreaterThanOrEqual(1000);
    expect(delays.get(2)).toBeLessThanOrEqual(3000);
    expect(calls((e) => e.tool === 'fail' && (e.args as { message?: string }).message === 'retry-me')).toHaveLength(3);
    await env.app.deps.traces.flush();
    const traces = await env.app.deps.db.trace.findMany({ where: { jobId: job.id, method: 'job/attempt' } });
    expect(traces.map((t) => [t.status, t.errorType, t.error])).toEqual(Array(3).fill(['error', 'tool_error', 'retry-me']));
  });

  it('fails at once, without retrying, when the arguments do not fit the tool', async () => {
    const job = await submit({ intent: 'job.echo', arguments: { text: 42 }, maxAttempts: 3 });
    const done = await until(job.id, finished, 'the job to fail');
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done.error).toMatch(/Invalid arguments for jobs-fixture@1.0.0 echo/);
  });

  it('times out an attempt, cancelling the upstream call', async () => {
    const job = await submit({ intent: 'job.hang', timeoutMs: 300 });
    const done = await until(job.id, finished, 'the hanging job to time out');
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/timed out|timeout/i);
    await eventually(() => readFixtureLog(log).some((e) => e.event === 'cancelled' && e.tool === 'hang'), 'the fixture to see notifications/cancelled');
  });

  it('cancels a queued job at once (it never runs) and a running one within a couple of seconds', async () => {
    // Four long sleeps fill the four worker slots, so the next job stays queued.
    const sleepers = await Promise.all([1, 2, 3, 4].map((i) => submit({ intent: 'job.sleep', arguments: { ms: 20_000 + i } })));
    for (const s of sleepers) await until(s.id, (j) => j.status === 'running', 'a sleeper to start');
    await eventually(() => calls((e) => e.tool === 'sleep' && ((e.args as { ms: number }).ms ?? 0) > 20_000).length === 4, 'the fixture to see four sleeps');
    const queued = await submit({ intent: 'job.echo', arguments: { text: 'never-runs' } });
    const cancelled = (await call<{ job: Job }>(client, 'job_cancel', { id: queued.id })).job;
    expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 0 });

    const started = Date.now();
    for (const s of sleepers) expect((await call<{ job: Job }>(client, 'job_cancel', { id: s.id })).job).toMatchObject({ cancelRequested: true });
    for (const s of sleepers) await until(s.id, (j) => j.status === 'cancelled', 'the running job to be cancelled', 3000);
    expect(Date.now() - started).toBeLessThan(2500);
    await eventually(() => readFixtureLog(log).filter((e) => e.event === 'cancelled' && e.tool === 'sleep').length >= 4, 'the fixture to see notifications/cancelled');
    await new Promise((r) => setTimeout(r, 500));
    expect(await get(queued.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(echoCalls('never-runs')).toBe(0);
    expect(await callError(client, 'job_cancel', { id: queued.id })).toMatch(/Conflict: Job .* has already finished \(cancelled/);
  });

  it('returns the same job for the same idempotency key from the same owner only', async () => {
    const first = await call<{ job: Job; created: boolean }>(client, 'job_submit', { intent: 'job.echo', arguments: { text: 'once' }, idempotencyKey: 'k-1' });
    const again = await call<{ job: Job; created: boolean }>(client, 'job_submit', { intent: 'job.echo', arguments: { text: 'once' }, idempotencyKey: 'k-1' });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    const theirs = await call<{ job: Job; created: boolean }>(otherClient, 'job_submit', { intent: 'job.echo', arguments: { text: 'once' }, idempotencyKey: 'k-1' });
    expect(theirs.created).toBe(true);
    expect(theirs.job.id).not.toBe(first.job.id);
    await until(first.job.id, finished, 'the job to finish');
    await until(theirs.job.id, finished, 'their job to finish', 8000);
    expect(echoCalls('once')).toBe(2);
  });

  it('keeps jobs to their owner: others get NotFound and an empty list; job_read_all sees everything', async () => {
    const mine = await submit({ intent: 'job.echo', arguments: { text: 'private' } });
    await until(mine.id, finished, 'the job to finish');
    const notFound = new RegExp(`^NotFound: No job ${mine.id} that you can see`);
    expect(await callError(otherClient, 'job_get', { id: mine.id })).toMatch(notFound);
    expect(await callError(otherClient, 'job_cancel', { id: mine.id })).toMatch(notFound);
    expect(await callError(otherClient, 'job_update', { id: mine.id, progress: 5 })).toMatch(notFound);
    const theirList = await call<{ jobs: Job[] }>(otherClient, 'job_list', { intent: 'job.echo', limit: 200 });
    expect(theirList.jobs.every((j) => j.owner === other.id)).toBe(true);
    expect(await call(otherClient, 'job_list', { owner: 'local' })).toEqual({ jobs: [] });

    const theirs = await submit({ intent: 'job.echo', arguments: { text: 'theirs' } }, otherClient);
    expect((await get(theirs.id)).owner).toBe(other.id); // admin: job_read_all through `*`
    const byOwner = await call<{ jobs: Job[] }>(client, 'job_list', { owner: other.id, limit: 200 });
    expect(byOwner.jobs.map((j) => j.id)).toContain(theirs.id);
    // Pagination walks every job once.
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page: { jobs: Job[]; nextCursor?: string } = await call(client, 'job_list', { limit: 2, ...(cursor ? { cursor } : {}) });
      ids.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(ids).size).toBe(await env.app.deps.db.job.count());
    await until(theirs.id, finished, 'their job to finish');
  });

  it('reports progress and a result for a job executed elsewhere; a finished job does not change', async () => {
    // A job far in the future stands for one an outside executor works on.
    const job = await env.app.deps.db.job.create({ data: { owner: 'local', intent: 'job.external', arguments: {}, runAfter: new Date(Date.now() + 3_600_000) } });
    expect((await call<{ job: Job }>(client, 'job_update', { id: job.id, progress: 40, message: 'halfway-ish' })).job).toMatchObject({ progress: 40, progressMessage: 'halfway-ish', status: 'queued' });
    expect(await callError(client, 'job_update', { id: job.id, status: 'failed' })).toMatch(/^Invalid: status failed needs an error/);
    expect((await call<{ job: Job }>(client, 'job_update', { id: job.id, status: 'succeeded', result: { rows: 3 } })).job).toMatchObject({ status: 'succeeded', progress: 100, result: { rows: 3 } });
    expect(await callError(client, 'job_update', { id: job.id, progress: 50 })).toMatch(/^Conflict: Job .* has already finished \(succeeded\)/);
  });

  it('refuses job_submit when invoke on the intent is denied', async () => {
    const before = await env.app.deps.db.job.count();
    expect(await callError(otherClient, 'job_submit', { intent: 'job.secret', arguments: { text: 'no' } })).toMatch(/^Denied: you may not invoke job\.secret.*nobody-invokes-secret/);
    expect(await env.app.deps.db.job.count()).toBe(before);
    const reader = await env.connect({ id: 'reader-1', roles: ['reader'], attributes: {} });
    expect(await callError(reader, 'job_submit', { intent: 'job.echo', arguments: { text: 'no' } })).toMatch(/^Denied/);
  });

  it('puts a job whose worker died back in the queue, or fails it when no attempts are left', async () => {
    const past = new Date(Date.now() - 60_000);
    const orphan = await env.app.deps.db.job.create({
      data: { owner: 'local', intent: 'job.echo', arguments: { text: 'orphan' }, status: 'running', attempts: 1, maxAttempts: 2, leaseOwner: 'dead-process', leaseExpiresAt: past, startedAt: past },
    });
    const spent = await env.app.deps.db.job.create({
      data: { owner: 'local', intent: 'job.echo', arguments: { text: 'spent' }, status: 'running', attempts: 1, maxAttempts: 1, leaseOwner: 'dead-process', leaseExpiresAt: past, startedAt: past },
    });
    expect(await until(orphan.id, finished, 'the orphan to run again')).toMatchObject({ status: 'succeeded', attempts: 2, result: { structuredContent: { text: 'orphan' } } });
    expect(await until(spent.id, finished, 'the spent job to fail')).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/lease expired/) });
    expect(echoCalls('orphan')).toBe(1);
    expect(echoCalls('spent')).toBe(0);
  });

  it('on shutdown puts its running jobs back in the queue without counting the attempt', async () => {
    const later = new Date(Date.now() + 60_000);
    const running = { owner: 'local', intent: 'job.echo', status: 'running', attempts: 1, leaseOwner: 'stopping-process', leaseExpiresAt: later, startedAt: new Date() };
    const interrupted = await env.app.deps.db.job.create({ data: { ...running, arguments: { text: 'interrupted' } } });
    const cancelling = await env.app.deps.db.job.create({ data: { ...running, arguments: { text: 'cancelling' }, cancelRequested: true } });
    await releaseLeases(env.app.deps, 'stopping-process', [interrupted.id, cancelling.id]);
    expect(await get(cancelling.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(await until(interrupted.id, finished, 'the released job to run')).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(echoCalls('cancelling')).toBe(0);
  });

  it('shares one queue between two processes on one database: each job runs exactly once', async () => {
    const second = await secondApp(env);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(second, { principal: admin, transport: 'memory' }).connect(serverSide);
    const secondClient = new SdkClient({ name: 'jobs-second', version: '1.0.0' });
    await secondClient.connect(clientSide);
    try {
      const markers = Array.from({ length: 40 }, (_, i) => `shared-${i}`);
      const jobs = await Promise.all(markers.map((text, i) => submit({ intent: 'job.echo', arguments: { text } }, i % 2 ? secondClient : client)));
      for (const j of jobs) await until(j.id, finished, 'a shared job to finish', 15_000);
      const rows = await env.app.deps.db.job.findMany({ where: { id: { in: jobs.map((j) => j.id) } } });
      expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
      for (const text of markers) expect(echoCalls(text), text).toBe(1);
    } finally {
      await secondClient.close();
      await second.close();
    }
  });
});

for (const provider of providers) {
  describe(`claim statements [${provider}]`, () => {
    it('return whole rows, typed as job.findMany reads them; a success claims at most its limit in the same write', async () => {
      const db = await createTestDatabase(provider);
      const store = await createStore({ databaseUrl: db.databaseUrl, migrate: true });
      const finished: string[][] = [];
      const deps = { db: store.db, provider: store.provider, clock: () => new Date(), webhooks: { check: async () => {}, finished: (ids: string[]) => void finished.push(ids), close: async () => {} } };
      try {
        const due = (ms: number) => new Date(Date.now() - ms);
        const rows = [
          { owner: 'a', intent: 'claim.rows', arguments: { nested: { list: [1, 'two', null, true] }, n: 1.5 }, environment: 'prod', idempotencyKey: 'k', runAfter: due(3000), webhookUrl: 'https://hooks.example.com/a', webhookStatus: 'pending', isTask: true, ttlMs: 5000, pollIntervalMs: 100 },
          { owner: 'b', intent: null, server: 'srv', tool: 'echo', version: '^1', arguments: {}, runAfter: due(2000), timeoutMs: 1234, maxAttempts: 3 },
          { owner: 'c', intent: 'claim.rows', arguments: { text: 'ünïcødé ✓' }, runAfter: due(1000) },
        ];
        for (const data of rows) await store.db.job.create({ data });
        const claimed = await claimJobs(deps, 'owner-1', 2, 30_000);
        expect(claimed.map((j) => j.owner)).toEqual(['a', 'b']);
        expect(claimed).toEqual(await store.db.job.findMany({ where: { id: { in: claimed.map((j) => j.id) } }, orderBy: { runAfter: 'asc' } }));

        const [first, second] = claimed as [(typeof claimed)[number], (typeof claimed)[number]];
        const handed = await succeedAndClaim(deps, first, 'owner-1', { content: [{ type: 'text', text: 'ok' }] }, 1, 30_000);
        expect(handed.succeeded).toBe(true);
        expect(handed.claimed.map((j) => j.owner)).toEqual(['c']);
        expect(handed.claimed).toEqual(await store.db.job.findMany({ where: { owner: 'c' } }));
        const done = await store.db.job.findUniqueOrThrow({ where: { id: first.id } });
        expect(done).toMatchObject({ status: 'succeeded', progress: 100, result: { content: [{ type: 'text', text: 'ok' }] }, leaseExpiresAt: null });
        expect(done.webhookNextAt).toEqual(done.finishedAt);
        expect(finished).toEqual([[first.id]]); // its webhook is due: the delivery loop is woken

        // Not this owner's job: nothing changes, and the queue is empty, so nothing is claimed.
        expect(await succeedAndClaim(deps, second, 'someone-else', {}, 3, 30_000)).toEqual({ succeeded: false, claimed: [] });
        expect((await succeedAndClaim(deps, second, 'owner-1', {}, 3, 30_000)).succeeded).toBe(true);
        expect(await store.db.job.count({ where: { status: 'running' } })).toBe(1);
        expect(finished).toHaveLength(1); // the second job has no webhook
      } finally {
        await store.close();
        await db.cleanup();
      }
    });

    it('a worker pool woken once drains a backlog by itself, never holding more jobs than its slots', async () => {
      const db = await createTestDatabase(provider);
      const store = await createStore({ databaseUrl: db.databaseUrl, migrate: true });
      const deps = { db: store.db, provider: store.provider, clock: () => new Date(), webhooks: { check: async () => {}, finished() {}, close: async () => {} } };
      const ran: string[] = [];
      let held = 0;
      let mostHeld = 0;
      // An hour between polls: every claim here comes from wake() or from a slot handed on.
      const workers = startJobWorkers(deps, {
        concurrency: 3,
        owner: 'pool-test',
        log: pino({ level: 'silent' }),
        pollMs: 3_600_000,
        leaseMs: 30_000,
        async run(job, options) {
          mostHeld = Math.max(mostHeld, ++held);
          await new Promise((r) => setImmediate(r));
          held--; // before the success write, which may start the next job in this slot
          ran.push(job.id);
          await options.succeed({ n: ran.length });
        },
      });
      try {
        await new Promise((r) => setTimeout(r, 50)); // the start-up claim found nothing
        const runAfter = new Date(Date.now() - 1000);
        await store.db.job.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ owner: 'local', intent: 'pool.test', arguments: { i }, runAfter })) });
        workers.wake();
        await eventually(async () => (await store.db.job.count({ where: { status: 'succeeded' } })) === 20, 'the backlog to drain');
        expect(new Set(ran).size).toBe(20);
        expect(ran).toHaveLength(20);
        expect(mostHeld).toBeLessThanOrEqual(3);
      } finally {
        await workers.stop();
        await store.close();
        await db.cleanup();
      }
    });
  });
}
