// Prometheus /metrics: per-call counters and histograms derived from traces, job queue depth,
// upstream health and the trace buffer read at scrape time; scrapes need an API key unless
// SWITCHBOARD_METRICS_PUBLIC=true.
import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKey } from '../src/domain/keys/keys.js';
import { newTraceIds } from '../src/domain/traces/record.js';
import { startHttpServer, type HttpServer } from '../src/transports/http.js';
import { admin, call, callError, describeEachProvider } from './support/harness.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition text as samples (comments skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]{0,200})(?:\{([^}]{0,2000})\})? (\S{1,40})$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]{1,100})="([^"]{0,200})"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

const server = (name: string) => ({ name, version: '1.0.0', transport: { type: 'stdio', command: 'node' } });

describeEachProvider(
  'metrics',
  (env) => {
    let http: HttpServer;
    let key: string;
    let readerKey: string;
    let client: Client;
    const metricsUrl = () => new URL('/metrics', http.url);
    const scrape = async (k = key) => {
      const res = await fetch(metricsUrl(), { headers: { authorization: `Bearer ${k}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return res.text();
    };

    beforeAll(async () => {
      http = await startHttpServer(env.app, { port: 0 });
      ({ key } = await createKey(env.app.deps, admin, { name: 'scraper', principalId: 'scraper', roles: ['admin'], attributes: {} }));
      ({ key: readerKey } = await createKey(env.app.deps, admin, { name: 'reader', principalId: 'rita-reader', roles: ['reader'], attributes: {} }));
      client = await env.connect();
    });
    afterAll(async () => {
      await http?.close();
    });

    it('counts calls by tool and status, with latency histograms, errors, denials and rate-limited calls', async () => {
      await call(client, 'registry_register', server('io.example/one'));
      await call(client, 'registry_register', server('io.example/two'));
      await callError(client, 'registry_get', { name: 'io.example/missing' });
      await callError(client, 'registry_get', {});
      const reader = await env.connect({ id: 'rita-reader', roles: ['reader'], attributes: {} });
      await callError(reader, 'registry_deregister', { name: 'io.example/one' });
      // What the tools/call path records for a call over a rate limit, and an unknown tool name.
      const record = { ...newTraceIds(), parentSpanId: null, startedAt: new Date(), principal: 'someone', sessionId: null, transport: 'memory', method: 'tools/call', intent: null, serverName: null, serverVersion: null, routeId: null, environment: null, decision: 'allow', error: 'Rate limited', latencyMs: 0.2, upstreamLatencyMs: null, cost: null, jobId: null, request: null, response: null, redactions: 0, truncated: false } as const;
      await env.app.deps.traces.write({ ...record, tool: 'invoke', status: 'error', errorType: 'rate_limited' });
      await env.app.deps.traces.write({ ...record, tool: `made-up-${randomUUID()}`, status: 'error', errorType: 'something_new' });
      // A job attempt names the upstream tool it called: counted apart, without the tool.
      await env.app.deps.traces.write({ ...record, method: 'job/attempt', transport: 'job', tool: 'upstream_tool', status: 'error', errorType: 'upstream', latencyMs: 1500 });

      const samples = parse(await scrape());
      expect(value(samples, 'switchboard_tool_calls_total', { tool: 'registry_register', status: 'ok' })).toBe(2);
      expect(value(samples, 'switchboard_tool_calls_total', { tool: 'registry_get', status: 'error' })).toBe(2);
      expect(value(samples, 'switchboard_tool_calls_total', { tool: 'registry_deregister', status: 'denied' })).toBe(1);
      expect(value(samples, 'switchboard_tool_calls_total', { tool: 'invoke', status: 'error' })).toBe(1);
      expect(value(samples, 'switchboard_tool_calls_total', { tool: 'other', status: 'error' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_errors_total', { tool: 'registry_get', error_type: 'tool_error' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_errors_total', { tool: 'registry_get', error_type: 'invalid_arguments' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_errors_total', { tool: 'registry_deregister', error_type: 'denied' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_errors_total', { tool: 'other', error_type: 'other' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_denials_total', { tool: 'registry_deregister' })).toBe(1);
      expect(value(samples, 'switchboard_tool_calls_rate_limited_total', { tool: 'invoke' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_duration_seconds_count', { tool: 'registry_register', status: 'ok' })).toBe(2);
      expect(value(samples, 'switchboard_tool_call_duration_seconds_bucket', { tool: 'registry_register', status: 'ok', le: '+Inf' })).toBe(2);
      expect(value(samples, 'switchboard_tool_call_duration_seconds_bucket', { tool: 'invoke', status: 'error', le: '0.001' })).toBe(1);
      expect(value(samples, 'switchboard_tool_call_duration_seconds_sum', { tool: 'registry_register', status: 'ok' })).toBeGreaterThan(0);
      expect(value(samples, 'switchboard_job_attempts_total', { status: 'error', error_type: 'upstream' })).toBe(1);
      expect(value(samples, 'switchboard_job_attempt_duration_seconds_bucket', { status: 'error', le: '1' })).toBe(0);
      expect(value(samples, 'switchboard_job_attempt_duration_seconds_bucket', { status: 'error', le: '2.5' })).toBe(1);
      // Label values come from fixed sets only: no principal, no free text.
      const labelValues = new Set(samples.flatMap((s) => Object.values(s.labels)));
      for (const text of ['rita-reader', 'local', 'someone', 'something_new', 'io.example/one', 'upstream_tool']) expect(labelValues).not.toContain(text);
      expect([...labelValues].some((v) => v.startsWith('made-up-'))).toBe(false);
    });

    it('reports job queue depth and age, upstream health and the trace buffer at scrape time', async () => {
      await call(client, 'job_submit', { intent: 'metrics.test', arguments: {} });
      await call(client, 'job_submit', { intent: 'metrics.test', arguments: {} });
      const samples = parse(await scrape());
      expect(value(samples, 'switchboard_jobs', { status: 'queued' })).toBe(2);
      expect(value(samples, 'switchboard_jobs', { status: 'running' })).toBe(0);
      expect(value(samples, 'switchboard_job_oldest_age_seconds', { status: 'queued' })).toBeGreaterThanOrEqual(0);
      expect(value(samples, 'switchboard_job_oldest_age_seconds', { status: 'running' })).toBe(0);
      expect(value(samples, 'switchboard_upstream_servers', { health: 'unknown' })).toBe(2);
      expect(value(samples, 'switchboard_upstream_servers', { health: 'healthy' })).toBe(0);
      expect(value(samples, 'switchboard_trace_buffer_capacity')).toBe(10_000);
      expect(value(samples, 'switchboard_trace_buffer_pending')).toBeGreaterThanOrEqual(0);
      // Process figures come with it.
      expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    });

    it('refuses a scrape without a valid key; any valid key may scrape', async () => {
      const anonymous = await fetch(metricsUrl());
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="switchboard"/);
      expect(await anonymous.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/Authorization: Bearer/) } });
      expect((await fetch(metricsUrl(), { headers: { authorization: 'Bearer sb_not_a_key' } })).status).toBe(401);
      await scrape(readerKey);
    });

    it('serves /metrics without a key when SWITCHBOARD_METRICS_PUBLIC=true', async () => {
      const open = await startHttpServer({ ...env.app, config: { ...env.app.config, metricsPublic: true } }, { port: 0 });
      try {
        const res = await fetch(new URL('/metrics', open.url));
        expect(res.status).toBe(200);
        expect(await res.text()).toMatch(/^switchboard_tool_calls_total\{/m);
        expect((await fetch(open.url, { method: 'POST', body: '{}' })).status).toBe(401); // /mcp still needs a key
      } finally {
        await open.close();
      }
    });
  },
  { env: { SWITCHBOARD_JOB_WORKERS: '0' } },
);
