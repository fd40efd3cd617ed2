// Every tool call leaves one trace, redacted before it is stored; principals read their own.
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AddressInfo } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createRedactor } from '../src/domain/redaction/index.js';
import { newSpanId, newTraceId } from '../src/domain/traces/record.js';
import { createLogger } from '../src/log.js';
import { createMcpServer } from '../src/transports/server.js';
import { startHttpFixture } from './support/fixture.js';
import { call, callError, describeEachProvider } from './support/harness.js';

type Trace = { id: string; traceId: string; spanId: string; parentSpanId: string | null; principal: string; tool: string; status: string; decision: string | null; errorType: string | null; latencyMs: number; request: unknown; redactions: number };

const secret = 'sk-live-' + 'Q7w8E9r0T1y2U3i4O5p6A7s8';
const reader = { id: 'rita', roles: ['reader'], attributes: {} };

describeEachProvider('traces', (env) => {
  let admin: Client;
  const traces = async (client: Client, args: Record<string, unknown> = {}) => {
    await env.app.deps.traces.flush();
    return (await call<{ traces: Trace[] }>(client, 'trace_list', args)).traces;
  };

  beforeAll(async () => {
    admin = await env.connect();
  });

  it('records ok, error and denied calls with W3C ids, latency and the policy decision', async () => {
    await call(admin, 'registry_register', { name: 'traced', version: '1.0.0', transport: { type: 'stdio', command: 'node' } });
    await callError(admin, 'registry_get', { name: 'missing' });
    const readerClient = await env.connect(reader);
    await callError(readerClient, 'registry_deregister', { name: 'traced' });
    const all = await traces(admin, { limit: 10 });
    const [denied, failed, ok] = all.filter((t) => t.tool !== 'trace_list');
    expect(ok).toMatchObject({ tool: 'registry_register', status: 'ok', decision: 'allow', principal: 'local' });
    expect(failed).toMatchObject({ tool: 'registry_get', status: 'error', errorType: 'tool_error' });
    expect(denied).toMatchObject({ tool: 'registry_deregister', status: 'denied', decision: 'deny', principal: 'rita' });
    expect(ok!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ok!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(ok!.latencyMs).toBeGreaterThan(0);
  });

  it('joins the caller’s W3C trace when _meta carries a traceparent', async () => {
    const traceId = newTraceId();
    const parent = newSpanId();
    await admin.callTool({ name: 'registry_list', arguments: {}, _meta: { traceparent: `00-${traceId}-${parent}-01` } });
    const [t] = await traces(admin, { tool: 'registry_list' });
    expect(t).toMatchObject({ traceId, parentSpanId: parent });
  });

  it('never stores a secret from arguments or errors, and counts the redactions', async () => {
    await call(admin, 'registry_register', { name: 'secretive', version: '1.0.0', transport: { type: 'streamable-http', url: 'https://x.example.com/mcp', headers: { Authorization: `Bearer ${secret}` } }, metadata: { owner: 'ops@example.com' } });
    await callError(admin, 'registry_get', { name: 'secretive', version: '9.9.9', note: secret } as never);
    const [registered] = await traces(admin, { tool: 'registry_register', limit: 1 });
    expect(registered!.redactions).toBeGreaterThanOrEqual(2);
    const stored = JSON.stringify(await env.app.deps.db.trace.findMany());
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('ops@example.com');
    expect(stored).toContain('[REDACTED:');
  });

  it('a principal reads its own traces; trace_read_all (admin) reads everyone’s', async () => {
    const readerClient = await env.connect(reader);
    await call(readerClient, 'registry_list');
    const mine = await traces(readerClient, { limit: 200 });
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((t) => t.principal))).toEqual(new Set(['rita']));
    const adminView = await traces(admin, { limit: 200 });
    expect(new Set(adminView.map((t) => t.principal))).toEqual(new Set(['rita', 'local']));
    const othersTrace = adminView.find((t) => t.principal === 'local')!;
    expect(await callError(readerClient, 'trace_get', { id: othersTrace.id })).toMatch(/NotFound/);
    expect(await call(admin, 'trace_get', { id: othersTrace.id })).toMatchObject({ trace: { id: othersTrace.id } });
  });

  it('stats are exact on known data', async () => {
    const base = { traceId: newTraceId(), parentSpanId: null, principal: 'stats-bot', sessionId: null, transport: 'memory', method: 'tools/call', intent: null, serverVersion: null, routeId: null, environment: null, decision: 'allow', error: null, errorType: null, upstreamLatencyMs: null, jobId: null, request: null, response: null, redactions: 0, truncated: false };
    const at = new Date('2030-01-01T12:00:00Z');
    await env.app.deps.db.trace.createMany({
      data: Array.from({ length: 100 }, (_, i) => ({ ...base, spanId: newSpanId(), startedAt: at, tool: 'stats_tool', serverName: i < 50 ? 'a' : 'b', latencyMs: i + 1, status: i % 10 === 0 ? 'error' : i % 25 === 1 ? 'denied' : 'ok', cost: 0.5 })),
    });
    const s = await call<{ totals: Record<string, number>; groups: { key: string; calls: number; p50Ms: number; errorRate: number }[] }>(admin, 'trace_stats', { from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z', groupBy: 'server' });
    expect(s.totals).toMatchObject({ calls: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, errorRate: 0.1, denialRate: 0.04, cost: 50 });
    expect(s.groups.map((g) => [g.key, g.calls, g.p50Ms])).toEqual([['a', 50, 25], ['b', 50, 75]]);
    expect(await call(admin, 'trace_purge', { olderThanDays: 1 })).toMatchObject({ deleted: expect.any(Number) });
  });

  it('closing the app flushes traces still buffered', async () => {
    const config = loadConfig({ DATABASE_URL: env.databaseUrl, SWITCHBOARD_DATA_DIR: env.dataDir, SWITCHBOARD_TRACE_FLUSH_MS: '600000' });
    const other = await createApp(config, { log: pino({ level: 'silent' }) });
    const flushed = () => env.app.deps.db.trace.count({ where: { principal: 'flush' } });
    const before = await flushed();
    for (let i = 0; i < 5; i++) {
      await other.deps.traces.write({ traceId: newTraceId(), spanId: newSpanId(), parentSpanId: null, startedAt: new Date(), principal: 'flush', sessionId: null, transport: 'memory', method: 'tools/call', tool: 'x', intent: null, serverName: null, serverVersion: null, routeId: null, environment: null, decision: null, status: 'ok', error: null, errorType: null, latencyMs: 1, upstreamLatencyMs: null, cost: null, jobId: null, request: null, response: null, redactions: 0, truncated: false });
    }
    expect(other.deps.traces.pending).toBe(5);
    await other.close();
    expect(await flushed()).toBe(before + 5);
  });

  it('exports each trace as an OTLP span when an endpoint is configured', async () => {
    const received: string[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
    const config = loadConfig({ DATABASE_URL: env.databaseUrl, SWITCHBOARD_DATA_DIR: env.dataDir, SWITCHBOARD_OTLP_ENDPOINT: endpoint });
    const exporting = await createApp(config, { log: pino({ level: 'silent' }) });
    const traceId = newTraceId();
    await exporting.deps.traces.write({ traceId, spanId: newSpanId(), parentSpanId: null, startedAt: new Date(), principal: 'otlp', sessionId: null, transport: 'memory', method: 'tools/call', tool: 'registry_get', intent: null, serverName: null, serverVersion: null, routeId: null, environment: null, decision: 'allow', status: 'ok', error: null, errorType: null, latencyMs: 3, upstreamLatencyMs: null, cost: null, jobId: null, request: null, response: null, redactions: 0, truncated: false });
    await exporting.close();
    for (let i = 0; i < 100 && !received.some((b) => b.includes(traceId)); i++) await new Promise((r) => setTimeout(r, 20));
    collector.close();
    const body = received.find((b) => b.includes(traceId));
    expect(body).toBeDefined();
    expect(body).toContain('"gen_ai.tool.name"');
    expect(body).toContain('"mcp.method.name"');
  });

  it('secrets from arguments, headers and errors reach neither the database nor the log', async () => {
    // An upstream that refuses the stored header: its 401, the health check and invoke errors all pass the secret by.
    const upstream = await startHttpFixture(`traces-scan-${process.pid}`, { env: { FIXTURE_TOKEN: 'another-token' } });
    const lines: string[] = [];
    const capture = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const config = loadConfig({ DATABASE_URL: env.databaseUrl, SWITCHBOARD_DATA_DIR: env.dataDir, SWITCHBOARD_LOG_LEVEL: 'debug' });
    const logged = await createApp(config, { log: createLogger('debug', createRedactor(), capture) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(logged, { principal: { id: 'local', roles: ['admin'], attributes: {} }, transport: 'memory' }).connect(serverSide);
    const client = new Client({ name: 'scan', version: '1' });
    await client.connect(clientSide);
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    await call(client, 'registry_register', { name: 'scanned', version: '1.0.0', transport: { type: 'sse', url: 'https://s.example.com/sse', headers: { 'X-Api-Key': secret } }, metadata: { cert: pem } });
    await callError(client, 'registry_update', { name: 'scanned', version: '1.0.0', metadata: { password: 'hunter2-hunter2' }, status: 'bogus' });
    await call(client, 'registry_register', { name: 'scanned-http', version: '1.0.0', transport: { type: 'streamable-http', url: upstream.url('/mcp'), headers: { Authorization: `Bearer ${secret}` } } });
    expect(await call(client, 'registry_check_health', { name: 'scanned-http' })).toMatchObject({ results: [{ ok: false }] });
    await callError(client, 'invoke', { server: 'scanned-http', tool: 'echo', arguments: { text: `my token is ${secret}` } });
    logged.log.error({ err: new Error(`upstream said: token ${secret}`), headers: { authorization: `Bearer ${secret}` } }, `call failed for ops@example.com`);
    await client.close();
    await logged.close();
    await upstream.stop();
    await new Promise((r) => setTimeout(r, 50));
    const log = lines.join('');
    const db = JSON.stringify([await env.app.deps.db.trace.findMany(), await env.app.deps.db.auditEvent.findMany(), await env.app.deps.db.serverVersion.findMany({ select: { lastError: true } })]);
    for (const leak of [secret, 'hunter2-hunter2', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'ops@example.com']) {
      expect(log).not.toContain(leak);
      expect(db).not.toContain(leak);
    }
    expect(log).toContain('[REDACTED:');
  });
});
