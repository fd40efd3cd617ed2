// Health checks and tool discovery, through a real SDK client against the fixture as real child
// processes (stdio and Streamable HTTP): what a check records, what it makes findable and
// routable, how health moves as a server dies and comes back, and that with two processes on one
// database each due check runs exactly once.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { runDueChecks, startHealthScheduler } from '../src/domain/upstream/scheduler.js';
import { createMcpServer } from '../src/transports/server.js';
import { eventually, processesTagged, startHttpFixture, stdioFixture, type HttpFixture } from './support/fixture.js';
import { admin, call, callError, describeEachProvider, secondApp, textOf } from './support/harness.js';

type Result = { name: string; version: string; ok: boolean; health: string; previousHealth: string; responseTimeMs: number | null; toolCount: number; error: string | null };
type Checked = { results: Result[] };

const FIXTURE_TOOLS = ['crash', 'echo', 'env', 'fail', 'hang', 'headers', 'sleep', 'stats'];
const LEAKED_TOKEN = 'Bearer hc-upstream-secret-4d5e6f7a8b9c0d1e';
const LEAKED_EMAIL = 'oncall.person@example.com';

async function connect(app: App): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(app, { principal: admin, transport: 'memory' }).connect(serverSide);
  const client = new Client({ name: 'health-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** An HTTP endpoint that is not an MCP server: every request gets a 500 whose body leaks secrets. */
async function startBrokenUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: HttpServer = createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream broke; page ${LEAKED_EMAIL}; it sent authorization ${req.headers.authorization}; ${'trace '.repeat(400)}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeEachProvider('health checks', (env, provider) => {
  const tag = `health-${provider}-${process.pid}`;
  const fixtures: HttpFixture[] = [];
  const apps: App[] = [];
  let broken: Awaited<ReturnType<typeof startBrokenUpstream>>;
  let client: Client;
  const check = (args: Record<string, unknown> = {}) => call<Checked>(client, 'registry_check_health', args);
  const serverRow = (name: string) => env.app.deps.db.serverVersion.findFirstOrThrow({ where: { name }, include: { tools: { orderBy: { name: 'asc' } } } });
  const serversTopic = async () => (await env.app.deps.db.changeCounter.findUnique({ where: { topic: 'servers' } }))?.version ?? 0;

  beforeAll(async () => {
    client = await env.connect();
    const http = await startHttpFixture(tag);
    fixtures.push(http);
    broken = await startBrokenUpstream();
    await call(client, 'registry_register', { name: 'hc-stdio', version: '1.0.0', tags: ['fixture'], transport: stdioFixture(tag) });
    await call(client, 'registry_register', { name: 'hc-http', version: '1.0.0', transport: { type: 'streamable-http', url: http.url('/mcp') } });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await env.app.deps.upstream.close();
    for (const f of fixtures) await f.stop();
    await broken?.close();
    expect(processesTagged(tag)).toEqual([]);
  });

  it('checks a stdio and an HTTP server: healthy, with their tools discovered and stored', async () => {
    const before = await serverRow('hc-stdio');
    for (const name of ['hc-stdio', 'hc-http']) {
      const { results } = await check({ name });
      expect(results).toEqual([{ name, version: '1.0.0', ok: true, health: 'healthy', previousHealth: 'unknown', responseTimeMs: expect.any(Number), toolCount: FIXTURE_TOOLS.length, error: null }]);
      const row = await serverRow(name);
      expect(row).toMatchObject({ health: 'healthy', successCount: 1, failureCount: 0, consecutiveFailures: 0, lastError: null });
      expect(row.lastSeenAt).toEqual(row.lastCheckedAt);
      expect(row.tools.map((t) => t.name)).toEqual(FIXTURE_TOOLS);
      const echo = row.tools.find((t) => t.name === 'echo')!;
      expect(echo).toMatchObject({ title: 'Echo', description: expect.stringMatching(/^Echoes the text it is given/), annotations: { readOnlyHint: true } });
      expect(echo.inputSchema).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    }
    // A check is not an edit of the entry: updatedAt stays.
    expect((await serverRow('hc-stdio')).updatedAt).toEqual(before.updatedAt);
    const { server } = await call<{ server: { health: { status: string; successCount: number }; toolCount: number } }>(client, 'registry_get', { name: 'hc-http' });
    expect(server).toMatchObject({ health: { status: 'healthy', successCount: 1 }, toolCount: FIXTURE_TOOLS.length });
  });

  it('makes servers findable by their tools (registry_search) and routable by them (capability fallback)', async () => {
    const { results } = await call<{ results: { server: { name: string }; matchedTools: string[] }[] }>(client, 'registry_search', { query: 'echoes' });
    expect(results.map((r) => r.server.name).sort()).toEqual(['hc-http', 'hc-stdio']);
    const resolution = await call<{ server: string; tool: string; fallback: boolean; routeId: string | null }>(client, 'route_resolve', { intent: 'stats.counts' });
    expect(resolution).toMatchObject({ tool: 'stats', fallback: true, routeId: null });
    expect(['hc-http', 'hc-stdio']).toContain(resolution.server);
  });

  it('replaces tools that are gone, and bumps the servers topic only when health or tools change', async () => {
    const { id } = await serverRow('hc-stdio');
    await env.app.deps.db.discoveredTool.create({ data: { serverId: id, name: 'retired_tool', description: 'No longer listed', inputSchema: {} } });
    const discoveredAt = (await serverRow('hc-stdio')).tools.find((t) => t.name === 'echo')!.discoveredAt;

    let topic = await serversTopic();
    await check({ name: 'hc-stdio' });
    expect((await serverRow('hc-stdio')).tools.map((t) => t.name)).toEqual(FIXTURE_TOOLS);
    expect(await serversTopic()).toBe(topic + 1);

    topic = await serversTopic();
    const { results } = await check({ name: 'hc-stdio' });
    expect(results[0]).toMatchObject({ ok: true, health: 'healthy', previousHealth: 'healthy' });
    expect(await serversTopic()).toBe(topic);
    const after = await serverRow('hc-stdio');
    expect(after.successCount).toBe(3);
    expect(after.tools.find((t) => t.name === 'echo')!.discoveredAt).toEqual(discoveredAt);
  });

  it('records a failure with the error redacted and bounded, and degrades the server', async () => {
    await call(client, 'registry_register', { name: 'hc-broken', version: '1.0.0', transport: { type: 'streamable-http', url: broken.url, headers: { Authorization: LEAKED_TOKEN } } });
    const raw = (await client.callTool({ name: 'registry_check_health', arguments: { name: 'hc-broken' } })) as CallToolResult;
    const [result] = (raw.structuredContent as Checked).results;
    expect(result).toMatchObject({ ok: false, health: 'degraded', previousHealth: 'unknown', responseTimeMs: null, toolCount: 0 });
    const row = await serverRow('hc-broken');
    expect(row).toMatchObject({ health: 'degraded', failureCount: 1, consecutiveFailures: 1, successCount: 0, lastSeenAt: null });
    expect(row.lastCheckedAt).toBeInstanceOf(Date);
    expect(row.lastError).toBe(result!.error);
    expect(row.lastError).toMatch(/500|broke/);
    expect(row.lastError).toContain('[REDACTED:');
    expect(row.lastError!.length).toBeLessThanOrEqual(1000);
    for (const leaked of [LEAKED_EMAIL, 'hc-upstream-secret-4d5e6f7a8b9c0d1e']) {
      expect(row.lastError).not.toContain(leaked);
      expect(textOf(raw)).not.toContain(leaked);
    }
    expect(textOf(raw)).toMatch(/hc-broken@1\.0\.0: unknown → degraded \(failed: /);
  });

  it('checks every active server when no name is given, with progress notifications', async () => {
    await call(client, 'registry_register', { name: 'hc-disabled', version: '1.0.0', status: 'disabled', transport: stdioFixture(tag) });
    const progress: Progress[] = [];
    const raw = (await client.callTool({ name: 'registry_check_health', arguments: {} }, undefined, { onprogress: (p) => progress.push(p) })) as CallToolResult;
    const { results } = raw.structuredContent as Checked;
    expect(results.map((r) => r.name)).toEqual(['hc-broken', 'hc-http', 'hc-stdio']);
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(progress.every((p) => /^hc-[a-z]+@1\.0\.0: [a-z]+$/.test(p.message ?? ''))).toBe(true);
    expect(textOf(raw)).toMatch(/^Checked 3 server versions: 2 answered, 1 failed\./);
    // Named with its version, a disabled server is checked anyway.
    expect((await check({ name: 'hc-disabled', version: '1.0.0' })).results[0]).toMatchObject({ ok: true, health: 'healthy' });
  });

  it('explains what to fix when the target is unknown or the input incomplete', async () => {
    expect(await callError(client, 'registry_check_health', { name: 'hc-nope' })).toMatch(/NotFound: No server named hc-nope is registered/);
    expect(await callError(client, 'registry_check_health', { name: 'hc-http', version: '9.9.9' })).toMatch(/hc-http has no version 9\.9\.9\. Known versions: 1\.0\.0/);
    expect(await callError(client, 'registry_check_health', { version: '1.0.0' })).toMatch(/Invalid: version needs name/);
  });

  it('moves healthy → degraded → unhealthy as an HTTP server dies, and back to healthy when it returns', async () => {
    const app = await secondApp(env, { SWITCHBOARD_HEALTH_DEGRADED_AFTER: '1', SWITCHBOARD_HEALTH_UNHEALTHY_AFTER: '2', SWITCHBOARD_HEALTH_TIMEOUT_MS: '3000' });
    apps.push(app);
    const own = await connect(app);
    const checkOwn = async () => (await call<Checked>(own, 'registry_check_health', { name: 'hc-flaky' })).results[0]!;
    let server = await startHttpFixture(tag);
    fixtures.push(server);
    const port = server.port;
    await call(client, 'registry_register', { name: 'hc-flaky', version: '1.0.0', transport: { type: 'streamable-http', url: server.url('/mcp') } });

    expect(await checkOwn()).toMatchObject({ ok: true, health: 'healthy', previousHealth: 'unknown' });
    await server.stop();
    const down = await checkOwn();
    expect(down).toMatchObject({ ok: false, health: 'degraded', previousHealth: 'healthy' });
    expect(down.error).toBeTruthy();
    expect(await checkOwn()).toMatchObject({ ok: false, health: 'unhealthy', previousHealth: 'degraded' });
    const topic = await serversTopic();
    expect(await checkOwn()).toMatchObject({ ok: false, health: 'unhealthy', previousHealth: 'unhealthy' });
    expect(await serversTopic()).toBe(topic); // no change, no cache churn
    expect(await serverRow('hc-flaky')).toMatchObject({ consecutiveFailures: 3, failureCount: 3, successCount: 1 });

    server = await startHttpFixture(tag, { port });
    fixtures.push(server);
    // The pool backs off after failed connects (500 ms, doubling); checks fail fast until it lapses.
    let back = await checkOwn();
    const deadline = Date.now() + 15_000;
    while (!back.ok && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      back = await checkOwn();
    }
    expect(back).toMatchObject({ ok: true, health: 'healthy', previousHealth: 'unhealthy', error: null });
    expect(await serverRow('hc-flaky')).toMatchObject({ health: 'healthy', consecutiveFailures: 0, lastError: null, successCount: 2 });
    expect(await serversTopic()).toBeGreaterThan(topic);
  });

  it('with two processes on one database, each due server is checked exactly once', async () => {
    const [a, b] = [await secondApp(env), await secondApp(env)];
    apps.push(a!, b!);
    const names = ['hc-due-1', 'hc-due-2', 'hc-due-3', 'hc-due-4'];
    for (const name of names) await call(client, 'registry_register', { name, version: '1.0.0', transport: stdioFixture(tag) });
    // Everything else in this database was checked moments ago, so only these are due.
    const options = (owner: string) => ({ intervalMs: 60_000, owner });
    const [byA, byB] = await Promise.all([runDueChecks(a!.deps, options('process-a')), runDueChecks(b!.deps, options('process-b'))]);

    const checked = [...byA, ...byB].map((r) => r.name).sort();
    expect(checked).toEqual(names);
    for (const name of names) {
      const row = await serverRow(name);
      expect(row, name).toMatchObject({ health: 'healthy', successCount: 1, failureCount: 0 });
      const lease = await env.app.deps.db.lease.findUniqueOrThrow({ where: { name: `health:${row.id}` } });
      expect(lease.owner).toBe(byA.some((r) => r.name === name) ? 'process-a' : 'process-b');
    }
    // Nothing is due again within the interval, whoever asks.
    expect(await runDueChecks(b!.deps, options('process-b'))).toEqual([]);
    expect(await runDueChecks(env.app.deps, options('process-c'))).toEqual([]);
  });

  it('runs due checks on a timer, and stop() waits for the round in flight', async () => {
    const app = await secondApp(env);
    apps.push(app);
    const none = startHealthScheduler(app.deps, { intervalMs: 0, owner: 'off', log: app.log });
    await none.stop();
    await call(client, 'registry_register', { name: 'hc-timed', version: '1.0.0', transport: stdioFixture(tag) });
    const scheduler = startHealthScheduler(app.deps, { intervalMs: 400, owner: 'timer', log: app.log });
    try {
      await eventually(async () => (await serverRow('hc-timed')).successCount > 0, 'the scheduler to check hc-timed', 10_000);
    } finally {
      await scheduler.stop();
    }
    expect(await serverRow('hc-timed')).toMatchObject({ health: 'healthy' });
  });
});
