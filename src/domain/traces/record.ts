// One trace per call, named with OpenTelemetry's MCP and GenAI attributes where they exist
// (mcp.method.name → method, gen_ai.tool.name → tool, mcp.session.id → sessionId,
// error.type → errorType, "tool_error" for isError results) and W3C trace context ids.
import { randomHex } from '../random.js';
import type { Redactor } from '../redaction/index.js';

export interface TraceRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  startedAt: Date;
  principal: string;
  sessionId: string | null;
  transport: string;
  method: string;
  tool: string | null;
  intent: string | null;
  serverName: string | null;
  serverVersion: string | null;
  routeId: string | null;
  environment: string | null;
  decision: string | null;
  status: 'ok' | 'error' | 'denied';
  error: string | null;
  errorType: string | null;
  latencyMs: number;
  upstreamLatencyMs: number | null;
  cost: number | null;
  jobId: string | null;
  request: string | null;
  response: string | null;
  redactions: number;
  truncated: boolean;
}

export const newTraceId = () => randomHex(16);
export const newSpanId = () => randomHex(8);
export const newTraceIds = () => ({ traceId: newTraceId(), spanId: newSpanId() });

/** The W3C traceparent that makes a downstream call a child of this span. */
export const traceparentOf = (ids: { traceId: string; spanId: string }) => `00-${ids.traceId}-${ids.spanId}-01`;

/** W3C traceparent from a caller's _meta, when it sent a valid one. */
export function parentFrom(meta: unknown): { traceId: string; parentSpanId: string } | undefined {
  const value = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>).traceparent : undefined;
  const m = typeof value === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(value) : null;
  return m && !/^0+$/.test(m[1]!) ? { traceId: m[1]!, parentSpanId: m[2]! } : undefined;
}

/** Request and response as stored: redacted, truncated, counted. */
export function redactPayloads(redactor: Redactor, request: unknown, response: unknown): Pick<TraceRecord, 'request' | 'response' | 'redactions' | 'truncated'> {
  const req = redactor.redact(request);
  const res = response === undefined ? undefined : redactor.redact(response);
  return {
    request: JSON.stringify(req.value) ?? null,
    response: res ? (JSON.stringify(res.value) ?? null) : null,
    redactions: req.redactions + (res?.redactions ?? 0),
    truncated: req.truncated || (res?.truncated ?? false),
  };
}
