// Prometheus metrics of one App, in a registry of its own (two apps in one process never collide),
// loaded through index.ts on first use.
// Per-call figures come from trace records (every call writes one); queue depth, upstream health and
// the trace buffer are read when scraped. Labels take values from fixed sets only — tool names of
// this server, statuses, error types — never principals, intents or other free text.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { healthValues } from '../domain/snapshot.js';
import type { Metrics, MetricSources } from './index.js';

const errorTypes = new Set(['invalid_arguments', 'denied', 'rate_limited', 'tool_error', 'cancelled', 'internal', 'upstream', 'timeout']);
// Seconds: from an in-memory read to a slow upstream call.
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createPrometheusMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  const known = new Set(sources.tools);
  const tool = (name: string | null) => (name !== null && known.has(name) ? name : 'other');
  const errorType = (type: string | null) => (type !== null && errorTypes.has(type) ? type : 'other');
  const registers = [registry];

  const calls = new Counter({ name: 'switchboard_tool_calls_total', help: 'Tool calls (tools/call) by tool and status (ok, error, denied).', labelNames: ['tool', 'status'], registers });
  const latency = new Histogram({ name: 'switchboard_tool_call_duration_seconds', help: 'Tool call latency by tool and status.', labelNames: ['tool', 'status'], buckets, registers });
  const errors = new Counter({ name: 'switchboard_tool_call_errors_total', help: 'Tool calls that failed or were refused, by tool and error type.', labelNames: ['tool', 'error_type'], registers });
  const denials = new Counter({ name: 'switchboard_tool_call_denials_total', help: 'Tool calls refused by policy, by tool.', labelNames: ['tool'], registers });
  const limited = new Counter({ name: 'switchboard_tool_calls_rate_limited_total', help: 'Tool calls refused by a rate limit (SWITCHBOARD_RATE_LIMITS), by tool.', labelNames: ['tool'], registers });
  const attempts = new Counter({ name: 'switchboard_job_attempts_total', help: 'Job attempts by status (ok, error) and error type.', labelNames: ['status', 'error_type'], registers });
  const attemptLatency = new Histogram({ name: 'switchboard_job_attempt_duration_seconds', help: 'Job attempt latency by status.', labelNames: ['status'], buckets, registers });
  const httpLimited = new Counter({ name: 'switchboard_http_requests_rate_limited_total', help: 'HTTP requests refused with 429 (SWITCHBOARD_HTTP_RATE_LIMIT).', registers });
  const jobs = new Gauge({ name: 'switchboard_jobs', help: 'Jobs queued and running, across every process on this database.', labelNames: ['status'], registers });
  const jobAge = new Gauge({ name: 'switchboard_job_oldest_age_seconds', help: 'Age of the oldest job: queued — since it became due; running — since it started.', labelNames: ['status'], registers });
  const servers = new Gauge({ name: 'switchboard_upstream_servers', help: 'Active registered server versions by health.', labelNames: ['health'], registers });
  const tracePending = new Gauge({ name: 'switchboard_trace_buffer_pending', help: 'Traces queued in this process and not yet written.', registers });
  const traceCapacity = new Gauge({ name: 'switchboard_trace_buffer_capacity', help: 'Traces this process buffers before callers wait (SWITCHBOARD_TRACE_BUFFER).', registers });

  let processMetrics = false;
  return {
    observe(record) {
      const seconds = record.latencyMs / 1000;
      if (record.method === 'job/attempt') {
        attempts.inc({ status: record.status, error_type: record.errorType === null ? '' : errorType(record.errorType) });
        attemptLatency.observe({ status: record.status }, seconds);
        return;
      }
      if (record.method !== 'tools/call') return;
      const labels = { tool: tool(record.tool), status: record.status };
      calls.inc(labels);
      latency.observe(labels, seconds);
      if (record.status === 'ok') return;
      errors.inc({ tool: labels.tool, error_type: errorType(record.errorType) });
      if (record.status === 'denied') denials.inc({ tool: labels.tool });
      if (record.errorType === 'rate_limited') limited.inc({ tool: labels.tool });
    },
    httpRateLimited: () => httpLimited.inc(),
    async scrape() {
      // Process figures (CPU, memory, event loop) start with the first scrape: an app that is never
      // scraped, such as one of a test's, sets up no observers.
      if (!processMetrics) {
        collectDefaultMetrics({ register: registry });
        processMetrics = true;
      }
      const snapshot = await sources.snapshot();
      for (const j of snapshot.jobs) {
        jobs.set({ status: j.status }, j.count);
        jobAge.set({ status: j.status }, j.oldestAgeSeconds);
      }
      for (const health of healthValues) servers.set({ health }, snapshot.servers.find((s) => s.health === health)?.count ?? 0);
      const buffer = sources.traceBuffer();
      tracePending.set(buffer.pending);
      traceCapacity.set(buffer.capacity);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
