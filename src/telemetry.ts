// Optional OTLP export: each written batch of traces also leaves as OpenTelemetry spans, with the
// trace's own W3C ids and times, so Switchboard's calls join the caller's distributed trace.
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import type { TraceRecord } from './domain/traces/record.js';
import { version } from './version.js';

const resource = resourceFromAttributes({ 'service.name': 'switchboard', 'service.version': version });
const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

export function toSpan(t: TraceRecord): ReadableSpan {
  const start = t.startedAt.getTime();
  const attributes: Attributes = {
    'mcp.method.name': t.method,
    'mcp.session.id': t.sessionId ?? undefined,
    'gen_ai.tool.name': t.tool ?? undefined,
    'error.type': t.errorType ?? undefined,
    'switchboard.principal': t.principal,
    'switchboard.status': t.status,
    'switchboard.decision': t.decision ?? undefined,
    'switchboard.intent': t.intent ?? undefined,
    'switchboard.server': t.serverName ?? undefined,
    'switchboard.redactions': t.redactions,
  };
  return {
    name: t.tool ? `${t.method} ${t.tool}` : t.method,
    kind: SpanKind.SERVER,
    spanContext: () => ({ traceId: t.traceId, spanId: t.spanId, traceFlags: 1 }),
    ...(t.parentSpanId ? { parentSpanContext: { traceId: t.traceId, spanId: t.parentSpanId, traceFlags: 1 } } : {}),
    startTime: hr(start),
    endTime: hr(start + t.latencyMs),
    duration: hr(t.latencyMs),
    status: t.status === 'ok' ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: t.error ?? t.status },
    attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)),
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: { name: 'switchboard', version },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** A hook for the trace writer: exports each batch; failures are logged, never block the writer. */
export function createOtlpExport(url: string, log: Logger): { exportBatch(batch: TraceRecord[]): void; shutdown(): Promise<void> } {
  const exporter = new OTLPTraceExporter({ url });
  return {
    exportBatch(batch) {
      exporter.export(batch.map(toSpan), (result) => {
        if (result.code !== 0) log.warn({ err: result.error, spans: batch.length }, 'OTLP export failed');
      });
    },
    shutdown: () => exporter.shutdown(),
  };
}
