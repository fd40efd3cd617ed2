// Reading traces: list, get, stats, purge. A principal reads its own traces; reading anyone's
// takes a policy that allows the action trace_read_all (role admin has it through `*`).
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageInput } from '../pagination.js';
import { authorize } from '../policy/authorize.js';
import type { Principal } from '../principal.js';
import type { Trace } from '../../store/index.js';

export const traceStatus = z.enum(['ok', 'error', 'denied']);

export const listTracesInput = z.object({
  from: z.iso.datetime().optional().describe('Start of the window (ISO 8601).'),
  to: z.iso.datetime().optional().describe('End of the window (ISO 8601).'),
  principal: z.string().max(200).optional().describe('Only this principal’s calls (needs trace_read_all for anyone but you).'),
  tool: z.string().max(64).optional(),
  intent: z.string().max(256).optional(),
  server: z.string().max(200).optional(),
  status: traceStatus.optional(),
  minLatencyMs: z.number().min(0).optional(),
  ...pageInput,
});

export const traceView = z.object({
  id: z.string(),
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  startedAt: z.string(),
  principal: z.string(),
  sessionId: z.string().nullable(),
  transport: z.string(),
  method: z.string(),
  tool: z.string().nullable(),
  intent: z.string().nullable(),
  serverName: z.string().nullable(),
  serverVersion: z.string().nullable(),
  routeId: z.string().nullable(),
  environment: z.string().nullable(),
  decision: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  errorType: z.string().nullable(),
  latencyMs: z.number(),
  upstreamLatencyMs: z.number().nullable(),
  cost: z.number().nullable(),
  jobId: z.string().nullable(),
  request: z.unknown().describe('The redacted request.'),
  response: z.unknown().describe('The redacted response.'),
  redactions: z.number(),
  truncated: z.boolean(),
});
export type TraceView = z.infer<typeof traceView>;

const parse = (s: string | null) => (s === null ? null : (JSON.parse(s) as unknown));
const toView = (t: Trace): TraceView => ({ ...t, startedAt: t.startedAt.toISOString(), request: parse(t.request), response: parse(t.response) });

/** Whose traces the caller may read: everyone's, or only its own. */
export type Scope = { readAll: boolean; self: string };

export async function listTraces(deps: Deps, scope: Scope, input: z.infer<typeof listTracesInput>): Promise<{ items: TraceView[]; nextCursor?: string }> {
  const cursor = decodeCursor(input.cursor);
  const principal = scope.readAll ? input.principal : scope.self;
  if (!scope.readAll && input.principal && input.principal !== scope.self) return { items: [] };
  const rows = await deps.db.trace.findMany({
    where: {
      ...(principal ? { principal } : {}),
      ...(input.tool ? { tool: input.tool } : {}),
      ...(input.intent ? { intent: input.intent } : {}),
      ...(input.server ? { serverName: input.server } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.minLatencyMs !== undefined ? { latencyMs: { gte: input.minLatencyMs } } : {}),
      ...(input.from || input.to ? { startedAt: { ...(input.from ? { gte: new Date(input.from) } : {}), ...(input.to ? { lte: new Date(input.to) } : {}) } } : {}),
    },
    orderBy: { id: 'desc' },
    take: input.limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const { items, nextCursor } = page(rows, input.limit);
  return { items: items.map(toView), ...(nextCursor ? { nextCursor } : {}) };
}

export async function getTrace(deps: Deps, scope: Scope, id: string): Promise<TraceView> {
  const row = await deps.db.trace.findFirst({ where: { OR: [{ id }, { traceId: id }] }, orderBy: { id: 'asc' } });
  // Someone else's trace is "not found", not "forbidden": its existence is not the caller's business.
  if (!row || (!scope.readAll && row.principal !== scope.self)) throw new NotFound(`No trace ${id} that you can read. trace_list shows your traces.`);
  return toView(row);
}

export async function purgeTraces(deps: Deps, olderThanDays: number): Promise<number> {
  const cutoff = new Date(deps.clock().getTime() - olderThanDays * 86_400_000);
  const { count } = await deps.db.trace.deleteMany({ where: { startedAt: { lt: cutoff } } });
  return count;
}

/** Whose traces `principal` may read: everyone's when a policy allows trace_read_all. */
export async function traceScope(deps: Deps, principal: Principal): Promise<Scope> {
  const decision = await authorize(deps, { principal, action: 'trace_read_all', resource: '**' });
  return { readAll: decision.decision === 'allow', self: principal.id };
}
