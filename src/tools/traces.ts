import { z } from 'zod';
import { getTrace, listTraces, listTracesInput, purgeTraces, traceScope, traceView } from '../domain/traces/query.js';
import { traceStats, traceStatsInput, traceStatsView } from '../domain/traces/stats.js';
import { defineTool, destructive, readOnly, type ToolContext } from './tool.js';

const scope = (ctx: ToolContext) => traceScope(ctx.app.deps, ctx.principal);

export const traceTools = [
  defineTool({
    name: 'trace_list',
    title: 'List traces',
    description:
      'Lists recorded calls, newest first: who called which tool or intent, on which server, with status (ok, error, denied), latency and cost; payloads are redacted. Filters: time window, principal, tool, intent, server, status, minimum latency. You see your own calls unless a policy allows trace_read_all. Paginated with cursor/nextCursor.',
    input: listTracesInput,
    output: z.object({ traces: z.array(traceView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listTraces(ctx.app.deps, await scope(ctx), args);
      const text = items.map((t) => `${t.startedAt} ${t.principal} ${t.tool ?? t.method} ${t.status} ${t.latencyMs.toFixed(1)}ms (${t.id})`).join('\n') || 'No traces match.';
      return { data: { traces: items, ...(nextCursor ? { nextCursor } : {}) }, text };
    },
  }),
  defineTool({
    name: 'trace_get',
    title: 'Get a trace',
    description: 'Returns one recorded call by its id or W3C trace id, with its redacted request and response, policy decision, error and timings.',
    input: z.object({ id: z.string().min(1).max(64) }),
    output: z.object({ trace: traceView }),
    annotations: readOnly,
    target: (a) => a.id,
    async run(args, ctx) {
      const trace = await getTrace(ctx.app.deps, await scope(ctx), args.id);
      return { data: { trace }, text: `${trace.tool ?? trace.method} by ${trace.principal}: ${trace.status} in ${trace.latencyMs.toFixed(1)}ms${trace.error ? ` — ${trace.error}` : ''}` };
    },
  }),
  defineTool({
    name: 'trace_stats',
    title: 'Trace statistics',
    description:
      'Answers how calls went over a window (default the last 24 hours): call counts, p50/p95/p99 latency, error and denial rates and cost, grouped by tool, server, intent or principal, with totals. Covers your own calls unless a policy allows trace_read_all.',
    input: traceStatsInput,
    output: traceStatsView,
    annotations: readOnly,
    async run(args, ctx) {
      const s = await traceStats(ctx.app.deps, await scope(ctx), args);
      const text = [`${s.totals.calls} calls, p50 ${s.totals.p50Ms}ms, p99 ${s.totals.p99Ms}ms, errors ${s.totals.errorRate}, denials ${s.totals.denialRate}`, ...s.groups.map((g) => `${g.key ?? '(none)'}: ${g.calls} calls, p95 ${g.p95Ms}ms, errors ${g.errorRate}`)].join('\n');
      return { data: s, text };
    },
  }),
  defineTool({
    name: 'trace_purge',
    title: 'Purge old traces',
    description: 'Deletes every trace older than the given number of days (retention also does this automatically, hourly). Returns how many were deleted.',
    input: z.object({ olderThanDays: z.number().int().min(1).max(3650) }),
    output: z.object({ deleted: z.number() }),
    annotations: destructive,
    async run(args, ctx) {
      const deleted = await purgeTraces(ctx.app.deps, args.olderThanDays);
      return { data: { deleted }, text: `Deleted ${deleted} trace(s) older than ${args.olderThanDays} day(s).` };
    },
  }),
];
