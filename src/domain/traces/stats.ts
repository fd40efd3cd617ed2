// trace_stats: latency percentiles, error and denial rates, call counts and cost per group over a
// window, computed from the rows of the window (bounded by maxRows; the answer says if it was cut).
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { Scope } from './query.js';

export const traceStatsInput = z.object({
  from: z.iso.datetime().optional().describe('Start of the window; default 24 hours ago.'),
  to: z.iso.datetime().optional().describe('End of the window; default now.'),
  groupBy: z.enum(['server', 'intent', 'principal', 'tool']).default('tool'),
});

const group = z.object({
  key: z.string().nullable(),
  calls: z.number(),
  errorRate: z.number(),
  denialRate: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  cost: z.number(),
});

export const traceStatsView = z.object({ from: z.string(), to: z.string(), groupBy: z.string(), sampled: z.boolean(), totals: group, groups: z.array(group) });

const MAX_ROWS = 200_000;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

type Row = { latencyMs: number; status: string; cost: number | null; key: string | null };

function summarise(key: string | null, rows: Row[]): z.infer<typeof group> {
  const latencies = rows.map((r) => r.latencyMs).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    key,
    calls: rows.length,
    errorRate: round(rows.filter((r) => r.status === 'error').length / Math.max(1, rows.length)),
    denialRate: round(rows.filter((r) => r.status === 'denied').length / Math.max(1, rows.length)),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    cost: round(rows.reduce((s, r) => s + (r.cost ?? 0), 0)),
  };
}

export async function traceStats(deps: Deps, scope: Scope, input: z.infer<typeof traceStatsInput>): Promise<z.infer<typeof traceStatsView>> {
  const to = input.to ? new Date(input.to) : deps.clock();
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - 86_400_000);
  const column = ({ server: 'serverName', intent: 'intent', principal: 'principal', tool: 'tool' } as const)[input.groupBy];
  const rows = await deps.db.trace.findMany({
    where: { startedAt: { gte: from, lte: to }, ...(scope.readAll ? {} : { principal: scope.self }) },
    select: { latencyMs: true, status: true, cost: true, serverName: true, intent: true, principal: true, tool: true },
    take: MAX_ROWS,
  });
  const keyed: Row[] = rows.map((r) => ({ latencyMs: r.latencyMs, status: r.status, cost: r.cost, key: r[column] }));
  const groups = new Map<string | null, Row[]>();
  for (const r of keyed) {
    const list = groups.get(r.key);
    if (list) list.push(r);
    else groups.set(r.key, [r]);
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    groupBy: input.groupBy,
    sampled: rows.length === MAX_ROWS,
    totals: summarise(null, keyed),
    groups: [...groups].map(([key, list]) => summarise(key, list)).sort((a, b) => b.calls - a.calls),
  };
}
