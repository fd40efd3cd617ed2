// invoke end to end through a real SDK client, against the fixture as real child processes over
// stdio, Streamable HTTP and legacy SSE: routing, policy, argument checks, tracing, timeouts,
// cancellation, progress, crashes — and no secret reaching the database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, callError, describeEachProvider, textOf } from './support/harness.js';
import { eventually, processesTagged, readFixtureLog, startHttpFixture, stdioFixture, type HttpFixture } from './support/fixture.js';

const UPSTREAM_TOKEN = 'fixture-bearer-7c1d9e2f4a6b8c0d';
const ENV_SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e';

describeEachProvider('invoke', (env, provider) => {
  const tag = `invoke-${provider}-${process.pid}`;
  const log = join(mkdtempSync(join(tmpdir(), 'fixture-log-')), 'events.jsonl');
  let http: HttpFixture;
  let client: Client;
  const invoke = (args: Record<string, unknown>, options?: Parameters<Client['callTool']>[2], onprogress?: (p: unknown) => void) =>
    client.callTool({ name: 'invoke', arguments: args }, undefined, { ...options, ...(onprogress ? { onprogress } : {}) }) as Promise<CallToolResult>;
  const where = (r: CallToolResult) => r._meta?.['switchboard/invoke'] as { traceId: string; server: string; version: string; routeId: string | null };

  beforeAll(async () => {
    http = await startHttpFixture(tag, { env: { FIXTURE_TOKEN: UPSTREAM_TOKEN, FIXTURE_LOG: log } });
    client = await env.connect();
    await call(client, 'registry_register', { name: 'fixture', version: '1.0.0', costPerCall: 0.5, transport: stdioFixture(tag, { FIXTURE_LOG: log, FIXTURE_SECRET: ENV_SECRET }) });
    await call(client, 'registry_register', { name: 'fixture-http', version: '1.0.0', transport: { type: 'streamable-http', url: http.url('/mcp'), headers: { Authorization: `Bearer ${UPSTREAM_TOKEN}` } } });
    await call(client, 'registry_register', { name: 'fixture-sse', version: '1.0.0', transport: { type: 'sse', url: http.url('/sse'), headers: { Authorization: `Bearer ${UPSTREAM_TOKEN}` } } });
    await call(client, 'route_create', { intentPattern: 'test.echo', serverName: 'fixture', toolName: 'echo', costPerCall: 2 });
    await call(client, 'route_create', { intentPattern: 'test.echo', environment: 'staging', serverName: 'fixture-http', toolName: 'echo' });
  });

  afterAll(async () => {
    await env.app.deps.upstream.close();
    await http.stop();
    expect(processesTagged(tag)).toEqual([]);
  });

  it('routes an intent to the upstream tool and returns its result as given, with _meta naming the target', async () => {
    const result = await invoke({ intent: 'test.echo', arguments: { text: 'hello' } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'hello' }]);
    expect(result.structuredContent).toEqual({ text: 'hello' });
    expect(where(result)).toMatchObject({ server: 'fixture', version: '1.0.0', routeId: expect.any(String) });
  });

  it('calls every upstream transport: stdio, Streamable HTTP and SSE, sending the stored headers', async () => {
    for (const server of ['fixture', 'fixture-http', 'fixture-sse']) {
      const result = await invoke({ server, tool: 'echo', arguments: { text: server } });
      expect(textOf(result), server).toBe(server);
    }
    const staging = await invoke({ intent: 'test.echo', environment: 'staging', arguments: { text: 'staged' } });
    expect(where(staging).server).toBe('fixture-http');
    const env1 = await invoke({ server: 'fixture', tool: 'env', arguments: { name: 'FIXTURE_SECRET' } });
    expect(textOf(env1)).toBe(ENV_SECRET);
  });

  it('traces the call with intent, server, route, upstream latency, cost and the caller’s trace context', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const result = (await client.callTool({ name: 'invoke', arguments: { intent: 'test.echo', arguments: { text: 'traced' } }, _meta: { traceparent } })) as CallToolResult;
    expect(where(result).traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    await env.app.deps.traces.flush();
    const { trace } = await call<{ trace: Record<string, unknown> }>(client, 'trace_get', { id: '0af7651916cd43dd8448eb211c80319c' });
    expect(trace).toMatchObject({ tool: 'invoke', intent: 'test.echo', serverName: 'fixture', serverVersion: '1.0.0', routeId: where(result).routeId, status: 'ok', cost: 2, parentSpanId: 'b7ad6b7169203331' });
    expect(trace.upstreamLatencyMs).toBeGreaterThan(0);
    expect(trace.latencyMs as number).toBeGreaterThanOrEqual(trace.upstreamLatencyMs as number);
    // The upstream joined the same trace, as a child of Switchboard's span.
    const seen = readFixtureLog(log).filter((e) => e.event === 'call' && (e.args as { text?: string })?.text === 'traced');
    expect(seen[0]?.meta?.traceparent).toMatch(new RegExp(`^00-0af7651916cd43dd8448eb211c80319c-${trace.spanId as string}-01$`));
    // A route's prices replace the server's; units the upstream reports are priced per unit.
    await call(client, 'route_create', { intentPattern: 'test.metered', serverName: 'fixture', toolName: 'echo', costPerCall: 1, costPerUnit: 0.25 });
    const metered = await invoke({ intent: 'test.metered', arguments: { text: 'metered', units: 8 } });
    expect(metered._meta?.units).toBe(8);
    // A direct call costs the server's price.
    await invoke({ server: 'fixture', tool: 'echo', arguments: { text: 'priced' } });
    await env.app.deps.traces.flush();
    const direct = await env.app.deps.db.trace.findFirst({ where: { tool: 'invoke', request: { contains: 'priced' } } });
    expect(direct).toMatchObject({ cost: 0.5, routeId: null, serverName: 'fixture' });
    expect(await env.app.deps.db.trace.findFirst({ where: { tool: 'invoke', intent: 'test.metered' } })).toMatchObject({ cost: 3 });
  });

  it('checks arguments against the upstream input schema before calling', async () => {
    const calls = () => readFixtureLog(log).filter((e) => e.event === 'call').length;
    const before = calls();
    const text = await callError(client, 'invoke', { intent: 'test.echo', arguments: { text: 42 } });
    expect(text).toMatch(/Invalid arguments for fixture@1.0.0 echo/);
    expect(text).toMatch(/\/text: must be string/);
    expect(await callError(client, 'invoke', { server: 'fixture', tool: 'nope' })).toMatch(/NotFound: fixture@1.0.0 has no tool nope \(its tools: crash, echo, env, fail, hang, headers, sleep, stats\)/);
    expect(await callError(client, 'invoke', { intent: 'test.echo', server: 'fixture', tool: 'echo' })).toMatch(/either intent, or server and tool/);
    expect(await callError(client, 'invoke', { intent: 'nothing.here' })).toMatch(/NotFound: No route or discovered tool handles nothing.here/);
    // A registry change rebuilds what a call needs; the check holds on the rebuilt one.
    await call(client, 'registry_update', { name: 'fixture', version: '1.0.0', metadata: { checked: true } });
    expect(await callError(client, 'invoke', { intent: 'test.echo', arguments: { text: 42 } })).toMatch(/\/text: must be string/);
    expect(calls()).toBe(before);
  });

  it('passes an upstream isError result on as an error, traced as tool_error', async () => {
    const result = await invoke({ server: 'fixture', tool: 'fail', arguments: { message: 'upstream says no' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('upstream says no');
    await env.app.deps.traces.flush();
    const trace = await env.app.deps.db.trace.findFirst({ where: { tool: 'invoke', status: 'error', request: { contains: 'fail' } } });
    expect(trace).toMatchObject({ errorType: 'tool_error', serverName: 'fixture' });
  });

  it('times out a hanging upstream call and cancels it upstream', async () => {
    const text = await callError(client, 'invoke', { server: 'fixture', tool: 'hang', timeoutMs: 300 });
    expect(text).toMatch(/Unavailable: .*(timed out|timeout)/i);
    await eventually(() => readFixtureLog(log).some((e) => e.event === 'cancelled' && e.tool === 'hang'), 'the fixture to see notifications/cancelled');
  });

  it('cancelling the incoming call cancels the upstream call', async () => {
    const controller = new AbortController();
    const pending = invoke({ server: 'fixture', tool: 'sleep', arguments: { ms: 20_000, steps: 1 } }, { signal: controller.signal });
    await eventually(() => readFixtureLog(log).some((e) => e.event === 'call' && e.tool === 'sleep' && (e.args as { ms: number }).ms === 20_000), 'the fixture to start sleeping');
    controller.abort('user changed their mind');
    await expect(pending).rejects.toThrow();
    await eventually(() => readFixtureLog(log).some((e) => e.event === 'cancelled' && e.tool === 'sleep'), 'the fixture to see notifications/cancelled');
  });

  it('passes upstream progress notifications through to the caller', async () => {
    const seen: unknown[] = [];
    const result = await invoke({ server: 'fixture-http', tool: 'sleep', arguments: { ms: 90, steps: 3 } }, {}, (p) => seen.push(p));
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual([
      { progress: 1, total: 3, message: 'step 1 of 3' },
      { progress: 2, total: 3, message: 'step 2 of 3' },
      { progress: 3, total: 3, message: 'step 3 of 3' },
    ]);
  });

  it('survives an upstream crash: a clear error, backoff, then recovery with a new process', async () => {
    const pid = (await invoke({ server: 'fixture', tool: 'stats' })).structuredContent!.pid;
    expect(await callError(client, 'invoke', { server: 'fixture', tool: 'crash' })).toMatch(/Unavailable: .*fixture@1.0.0/);
    expect(await callError(client, 'invoke', { server: 'fixture', tool: 'echo', arguments: { text: 'too soon' } })).toMatch(/Unavailable/);
    let after: CallToolResult | undefined;
    await eventually(async () => {
      after = await invoke({ server: 'fixture', tool: 'stats' });
      return !after.isError;
    }, 'the crashed server to come back', 10_000);
    expect(after!.structuredContent!.pid).not.toBe(pid);
  });

  it('is authorized as action invoke on the intent, in the environment', async () => {
    await call(client, 'policy_create', { name: 'dev-invokes-test-in-prod', effect: 'allow', principals: ['role:developer'], actions: ['invoke'], resources: ['test.**'], environments: ['prod'] });
    await call(client, 'route_create', { intentPattern: 'test.echo', environment: 'prod', serverName: 'fixture', toolName: 'echo' });
    const developer = await env.connect({ id: 'dev-1', roles: ['developer'], attributes: {} });
    expect(textOf((await developer.callTool({ name: 'invoke', arguments: { intent: 'test.echo', environment: 'prod', arguments: { text: 'ok' } } })) as CallToolResult)).toBe('ok');
    expect(await callError(developer, 'invoke', { intent: 'test.echo', environment: 'dev', arguments: { text: 'no' } })).toMatch(/^Denied/);
    expect(await callError(developer, 'invoke', { server: 'fixture', tool: 'echo', environment: 'prod', arguments: { text: 'no' } })).toMatch(/^Denied/);
    const reader = await env.connect({ id: 'reader-1', roles: ['reader'], attributes: {} });
    expect(await callError(reader, 'invoke', { intent: 'test.echo', arguments: { text: 'no' } })).toMatch(/^Denied/);
  });

  it('never stores the upstream secrets: not in the registry rows, not in traces', async () => {
    await env.app.deps.traces.flush();
    const dump = JSON.stringify([await env.app.deps.db.serverVersion.findMany(), await env.app.deps.db.trace.findMany(), await env.app.deps.db.auditEvent.findMany()]);
    expect(dump).not.toContain(UPSTREAM_TOKEN);
    expect(dump).not.toContain(ENV_SECRET);
  });
});
