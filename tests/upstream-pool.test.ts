// The upstream connection pool against real fixture servers (tests/fixtures/upstream-server.mjs):
// stdio children, and one HTTP child serving Streamable HTTP and legacy SSE. No mocks. Every child
// carries a --tag unique to this run, so afterAll can prove, with ps, that none is left behind.
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/domain/errors.js';
import type { Upstream, UpstreamEndpoint, UpstreamProgress } from '../src/domain/upstream/port.js';
import { createUpstreamPool } from '../src/transports/upstream/pool.js';
import { alive, eventually, readFixtureLog, startHttpFixture, stdioFixture, trackTagged, type HttpFixture } from './support/fixture.js';

const run = `upool-${process.pid}-${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-upstream-'));
const log = pino({ level: 'silent' });
const token = 'fixture-bearer-token-1234';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { seen, tagged, zombies } = trackTagged(run);

// ---- endpoints -------------------------------------------------------------------------------

const logFile = (name: string) => join(dir, `${name}.jsonl`);
const events = (name: string) => readFixtureLog(logFile(name));

function stdio(name: string, args: string[] = [], env: Record<string, string> = {}): UpstreamEndpoint {
  const transport = stdioFixture(`${run}-${name}`, { FIXTURE_LOG: logFile(name), ...env }, args);
  return { id: `stdio-${name}`, name: `fixture-${name}`, version: '1.0.0', transport };
}

let port = 0;
function http(type: 'streamable-http' | 'sse', headers: Record<string, string> = {}, at = port): UpstreamEndpoint {
  const url = `http://127.0.0.1:${at}/${type === 'sse' ? 'sse' : 'mcp'}`;
  return { id: `${type}-${at}-${JSON.stringify(headers)}`, name: `fixture-${type}`, version: '1.0.0', transport: { type, url, headers: { authorization: `Bearer ${token}`, ...headers } } };
}

/** An HTTP fixture (Streamable HTTP at /mcp, SSE at /sse) requiring `token`. */
async function startHttp(name: string): Promise<HttpFixture> {
  const server = await startHttpFixture(`${run}-${name}`, { env: { FIXTURE_TOKEN: token, FIXTURE_LOG: logFile(name) } });
  tagged();
  return server;
}

const text = (result: { content: unknown[] }) => (result.content[0] as { text: string }).text;

async function stats(pool: Upstream, endpoint: UpstreamEndpoint) {
  const result = await pool.callTool(endpoint, 'stats', {}, { timeoutMs: 5000 });
  tagged();
  return result.structuredContent as { pid: number; calls: number; maxInFlight: number; cancelled: number };
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

// ---- suite -----------------------------------------------------------------------------------

let pool: Upstream;
let httpServer: HttpFixture;
const pools: Upstream[] = [];
const newPool = (options: Partial<Parameters<typeof createUpstreamPool>[0]> = {}) => {
  const created = createUpstreamPool({ log, maxConcurrency: 2, idleMs: 60_000, backoff: { initialMs: 300, maxMs: 2000 }, ...options });
  pools.push(created);
  return created;
};

beforeAll(async () => {
  process.env.SWITCHBOARD_POOL_TEST_LEAK = 'must-not-reach-upstream';
  pool = newPool();
  httpServer = await startHttp('http');
  port = httpServer.port;
});

afterEach(() => void tagged());

afterAll(async () => {
  delete process.env.SWITCHBOARD_POOL_TEST_LEAK;
  await Promise.all(pools.map((p) => p.close()));
  await httpServer.stop();
  // Our own children are reaped by Node on exit; an orphaned grandchild is reaped by init, which
  // may take it a moment.
  await eventually(() => tagged().length === 0 && zombies().length === 0, 'every process of this run to be gone and reaped', 8000);
  expect(seen.size).toBeGreaterThan(5);
  rmSync(dir, { recursive: true, force: true });
});

describe('transports', () => {
  const tools = ['crash', 'echo', 'env', 'fail', 'hang', 'headers', 'sleep', 'stats'];

  it('stdio: calls echo and lists every tool across pages', async () => {
    const endpoint = stdio('stdio', ['--page-size', '3']);
    const result = await pool.callTool(endpoint, 'echo', { text: 'hi' }, { timeoutMs: 5000 });
    expect(result).toMatchObject({ content: [{ type: 'text', text: 'hi' }], structuredContent: { text: 'hi' } });
    const listed = await pool.probe(endpoint, 5000);
    expect(listed.map((t) => t.name).sort()).toEqual(tools);
    expect(listed.find((t) => t.name === 'echo')).toMatchObject({ title: 'Echo', annotations: { readOnlyHint: true }, inputSchema: { type: 'object' } });
  });

  it.each(['streamable-http', 'sse'] as const)('%s: calls echo, lists tools, and sends the headers', async (type) => {
    const endpoint = http(type, { 'x-switchboard-test': 'yes' });
    expect(text(await pool.callTool(endpoint, 'echo', { text: type }, { timeoutMs: 5000 }))).toBe(type);
    expect((await pool.probe(endpoint, 5000)).map((t) => t.name).sort()).toEqual(tools);
    const headers = JSON.parse(text(await pool.callTool(endpoint, 'headers', {}, { timeoutMs: 5000 })));
    expect(headers).toMatchObject({ 'x-switchboard-test': 'yes', authorization: `Bearer ${token}` });
  });

  it.each(['streamable-http', 'sse'] as const)('%s: a server that goes away fails calls, then is backed off', async (type) => {
    const server = await startHttp(`gone-${type}`);
    const endpoint = http(type, {}, server.port);
    expect(text(await pool.callTool(endpoint, 'echo', { text: 'up' }, { timeoutMs: 5000 }))).toBe('up');
    await server.stop();
    // The SSE stream's failure may be noticed before the call is made (then it is backed off already).
    const first = await failure(pool.callTool(endpoint, 'echo', { text: 'down' }, { timeoutMs: 5000 }));
    expect(['crashed', 'backoff']).toContain(first.details?.reason);
    const second = await failure(pool.callTool(endpoint, 'echo', { text: 'down' }, { timeoutMs: 5000 }));
    expect(second.details).toMatchObject({ reason: 'backoff', server: `fixture-${type}@1.0.0` });
  });

  it('a server that refuses the credentials fails to connect', async () => {
    const error = await failure(pool.callTool(http('streamable-http', { authorization: 'Bearer wrong-token-value' }), 'echo', { text: 'x' }, { timeoutMs: 5000 }));
    expect(error.details).toMatchObject({ reason: 'connect', server: 'fixture-streamable-http@1.0.0' });
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('wrong-token-value');
  });
});

describe('connections', () => {
  it('reuses one connection per endpoint, also for concurrent first calls', async () => {
    const endpoint = stdio('reuse');
    const results = await Promise.all([1, 2, 3].map(() => stats(pool, endpoint)));
    expect(new Set(results.map((r) => r.pid)).size).toBe(1);
    expect((await stats(pool, endpoint)).pid).toBe(results[0]!.pid);
    expect(tagged(`${run}-reuse`)).toHaveLength(1);
  });

  it('gives a stdio server its env over a minimal base, and nothing else of ours', async () => {
    const endpoint = stdio('env', [], { FOO: 'bar' });
    const env = async (name: string) => text(await pool.callTool(endpoint, 'env', { name }, { timeoutMs: 5000 }));
    expect(await env('FOO')).toBe('bar');
    expect(await env('PATH')).toBe(process.env.PATH);
    expect(await env('SWITCHBOARD_POOL_TEST_LEAK')).toBe('');
  });

  it('fails to connect to a command that does not exist, then backs off', async () => {
    const endpoint: UpstreamEndpoint = { id: 'missing', name: 'missing', version: '0.1.0', transport: { type: 'stdio', command: '/nonexistent/mcp-server', args: [], env: {} } };
    const error = await failure(pool.callTool(endpoint, 'echo', {}, { timeoutMs: 5000 }));
    expect(error.details).toMatchObject({ reason: 'connect', server: 'missing@0.1.0' });
    expect(error.message).toMatch(/ENOENT/);
    const again = await failure(pool.probe(endpoint, 5000));
    expect(again.details).toMatchObject({ reason: 'backoff' });
  });
});

describe('calls', () => {
  it('caps concurrent calls per endpoint; waiters time out in the queue', async () => {
    const endpoint = stdio('cap');
    await Promise.all([1, 2, 3, 4, 5].map(() => pool.callTool(endpoint, 'sleep', { ms: 150 }, { timeoutMs: 5000 })));
    expect((await stats(pool, endpoint)).maxInFlight).toBe(2);

    const holders = [new AbortController(), new AbortController()];
    const hangs = holders.map((c) => pool.callTool(endpoint, 'hang', {}, { timeoutMs: 10_000, signal: c.signal }));
    const waiting = await failure(pool.callTool(endpoint, 'echo', { text: 'late' }, { timeoutMs: 200 }));
    expect(waiting.details).toMatchObject({ reason: 'timeout' });
    expect(waiting.message).toContain('call slot');
    holders.forEach((c) => c.abort(new Error('done holding')));
    await Promise.all(hangs.map((h) => expect(h).rejects.toThrow('done holding')));
    expect(text(await pool.callTool(endpoint, 'echo', { text: 'free again' }, { timeoutMs: 5000 }))).toBe('free again');
  });

  it('times out a hanging call and cancels it upstream', async () => {
    const endpoint = stdio('timeout');
    await pool.callTool(endpoint, 'echo', { text: 'connect first' }, { timeoutMs: 5000 });
    const error = await failure(pool.callTool(endpoint, 'hang', {}, { timeoutMs: 300 }));
    expect(error.details).toMatchObject({ reason: 'timeout', server: 'fixture-timeout@1.0.0' });
    await eventually(() => events('timeout').some((e) => e.event === 'cancelled' && e.tool === 'hang'), 'the fixture to see the cancellation');
  });

  it('aborts a call with the signal reason and cancels it upstream', async () => {
    const endpoint = stdio('abort');
    const controller = new AbortController();
    const reason = new Error('the user gave up');
    const call = pool.callTool(endpoint, 'hang', {}, { timeoutMs: 10_000, signal: controller.signal });
    call.catch(() => undefined);
    await eventually(() => events('abort').some((e) => e.event === 'call'), 'the fixture to see the call');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await eventually(() => events('abort').some((e) => e.event === 'cancelled' && e.tool === 'hang'), 'the fixture to see the cancellation');
  });

  it('leaves no listener on a long-lived signal once its calls are done', async () => {
    const session = new AbortController();
    for (let i = 0; i < 20; i++) await pool.callTool(stdio('abort'), 'echo', { text: `${i}` }, { timeoutMs: 5000, signal: session.signal });
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(0);
  });

  it('passes progress through and sends meta as params._meta', async () => {
    const endpoint = stdio('progress');
    const seenProgress: UpstreamProgress[] = [];
    const result = await pool.callTool(endpoint, 'sleep', { ms: 150, steps: 3 }, { timeoutMs: 5000, onProgress: (p) => seenProgress.push(p), meta: { traceparent: '00-abc-def-01' } });
    expect(text(result)).toBe('slept 150 ms');
    expect(seenProgress).toEqual([1, 2, 3].map((i) => ({ progress: i, total: 3, message: `step ${i} of 3` })));
    const call = events('progress').find((e) => e.event === 'call');
    expect(call?.meta).toMatchObject({ traceparent: '00-abc-def-01', progressToken: expect.anything() });
  });

  // SDK 1.32 handles a response before a progress notification that arrived in the same chunk,
  // dropping it; the pool delivers messages in order (ordered-transport.ts). Without that, about
  // half of these calls lose their only progress notification on stdio and SSE.
  it.each(['stdio', 'streamable-http', 'sse'] as const)('%s: delivers the last progress notification that arrives with the response', async (type) => {
    const endpoint = type === 'stdio' ? stdio('progress') : http(type);
    for (let i = 0; i < 40; i++) {
      const progress: number[] = [];
      await pool.callTool(endpoint, 'sleep', { ms: 0, steps: 1 }, { timeoutMs: 5000, onProgress: (p) => progress.push(p.progress) });
      expect(progress).toEqual([1]);
    }
  });

  it('returns an isError result as given', async () => {
    const result = await pool.callTool(stdio('progress'), 'fail', { message: 'nope' }, { timeoutMs: 5000 });
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'nope' }] });
  });
});

describe('failures and lifecycle', () => {
  it('reports a crash with its stderr (secrets scrubbed), backs off, then recovers with a new process', async () => {
    const endpoint = stdio('crash', [], { API_SECRET: 's3cr3t-value-123' });
    const before = await stats(pool, endpoint);
    const crash = await failure(pool.callTool(endpoint, 'crash', { stderr: 'fatal: bad key s3cr3t-value-123' }, { timeoutMs: 5000 }));
    expect(crash.details).toMatchObject({ reason: 'crashed', server: 'fixture-crash@1.0.0' });
    expect(crash.message).toContain('exited with code 3');
    expect(crash.message).toContain('fatal: bad key [redacted]');
    expect(crash.message).not.toContain('s3cr3t');

    const refused = await failure(pool.callTool(endpoint, 'echo', { text: 'x' }, { timeoutMs: 5000 }));
    expect(refused.details).toMatchObject({ reason: 'backoff' });
    const retryAfterMs = refused.details!.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(300);
    expect(refused.message).toMatch(/retry in \d+ ms/);

    await sleep(retryAfterMs + 20);
    const after = await stats(pool, endpoint);
    expect(after.pid).not.toBe(before.pid);
    expect(alive(before.pid)).toBe(false);
  });

  it('closes idle connections and stops their stdio process', async () => {
    const idlePool = newPool({ idleMs: 300 });
    const endpoint = stdio('idle');
    const first = await stats(idlePool, endpoint);
    await eventually(() => !alive(first.pid), 'the idle process to stop');
    expect((await stats(idlePool, endpoint)).pid).not.toBe(first.pid);
  });

  it('close() kills every process tree, fails calls in flight, and refuses later calls', async () => {
    const closing = newPool();
    const endpoint = stdio('tree', ['--grandchild']);
    const { pid } = await stats(closing, endpoint);
    const grandchild = tagged(`${run}-tree`).find((p) => p.args.includes('fixture-grandchild'));
    expect(grandchild).toBeDefined();
    const inFlight = failure(closing.callTool(endpoint, 'hang', {}, { timeoutMs: 10_000 }));
    await eventually(() => events('tree').some((e) => e.event === 'call' && e.tool === 'hang'), 'the fixture to see the call');

    await closing.close();
    expect(alive(pid)).toBe(false);
    expect(alive(grandchild!.pid)).toBe(false);
    expect((await inFlight).details).toMatchObject({ reason: 'closed' });
    expect((await failure(closing.callTool(endpoint, 'echo', {}, { timeoutMs: 1000 }))).details).toMatchObject({ reason: 'closed' });
    expect((await failure(closing.probe(endpoint, 1000))).details).toMatchObject({ reason: 'closed' });
  });
});
