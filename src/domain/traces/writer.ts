// Trace writes leave the request path: calls hand records to a bounded buffer that is written in
// batches. A full buffer makes the caller wait (backpressure) instead of dropping anything; a
// failed batch is retried; close() flushes what is left. A crash loses at most what is buffered:
// about one flush interval of traces (SWITCHBOARD_TRACE_FLUSH_MS).
import type { Logger } from 'pino';
import { Prisma, type Db } from '../../store/index.js';
import { uuidv7 } from '../uuid.js';
import type { TraceRecord } from './record.js';

export interface TraceWriter {
  /** Queues a record; resolves at once unless the buffer is full, then when there is room. */
  write(record: TraceRecord): Promise<void>;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  /** Records queued and not yet written. */
  readonly pending: number;
}

export interface TraceWriterOptions {
  flushIntervalMs: number;
  batchSize: number;
  maxBuffered: number;
  /** Called with each batch once stored (OTLP export). */
  onWritten?: (batch: TraceRecord[]) => void;
}

const columns = ['traceId', 'spanId', 'parentSpanId', 'startedAt', 'principal', 'sessionId', 'transport', 'method', 'tool', 'intent', 'serverName', 'serverVersion', 'routeId', 'environment', 'decision', 'status', 'error', 'errorType', 'latencyMs', 'upstreamLatencyMs', 'cost', 'jobId', 'request', 'response', 'redactions', 'truncated'] as const satisfies readonly (keyof TraceRecord)[];
const head = `INSERT INTO "Trace" (${['id', ...columns].map((c) => `"${c}"`).join(', ')}) VALUES (`;
const width = columns.length + 1;
/** SQLite binds at most 32766 parameters per statement (PostgreSQL 65535): rows per INSERT stay below. */
const MAX_ROWS = Math.floor(32_766 / width);

/**
 * One multi-row INSERT per batch: measured on SQLite, Prisma's createMany took 181 ms for 200
 * traces, this takes a few; parameters stay bound on both providers. The statement is built flat
 * (its text fragments and values side by side), not from a Prisma.sql fragment per row.
 */
async function insertTraces(db: Db, batch: TraceRecord[]): Promise<void> {
  const strings = new Array<string>(batch.length * width + 1).fill(', ');
  const values: unknown[] = [];
  strings[0] = head;
  batch.forEach((trace, row) => {
    if (row > 0) strings[row * width] = '), (';
    values.push(uuidv7(trace.startedAt.getTime()));
    for (const column of columns) values.push(textSafe(trace[column]));
  });
  strings[batch.length * width] = ')';
  await db.$executeRaw(new Prisma.Sql(strings, values));
}

/**
 * PostgreSQL text cannot hold NUL, and one trace it refuses fails its whole batch on every retry:
 * nothing after it would be stored. Callers put NUL into traces (an error message quoting an
 * argument), so it becomes U+FFFD here, on both providers alike.
 */
function textSafe(value: TraceRecord[keyof TraceRecord]): TraceRecord[keyof TraceRecord] {
  return typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
}

export function createTraceWriter(db: Db, log: Logger, options: TraceWriterOptions): TraceWriter {
  const buffer: TraceRecord[] = [];
  const waiting: (() => void)[] = [];
  let flushing: Promise<void> | undefined;
  let failures = 0;
  // Counted since creation, so that flush() knows when everything queued before it is stored.
  let queued = 0;
  let stored = 0;
  // No larger than the buffer may grow, so that callers waiting for room always have a write coming.
  const fullBatch = Math.max(1, Math.min(options.batchSize, options.maxBuffered));

  // A part batch is left for the timer or an explicit flush unless `all`: under a steady stream of
  // writes, writing whatever had arrived during the previous INSERT stored traces a few at a time
  // (20 per INSERT on average in bench/trace-ingest.ts), at the cost of a statement and a commit each.
  async function writeBatches(all: boolean): Promise<void> {
    while (buffer.length >= (all ? 1 : fullBatch)) {
      const batch = buffer.slice(0, Math.min(options.batchSize, MAX_ROWS));
      try {
        await insertTraces(db, batch);
        buffer.splice(0, batch.length);
        stored += batch.length;
        options.onWritten?.(batch);
        failures = 0;
        for (const wake of waiting.splice(0, batch.length)) wake();
      } catch (error) {
        failures++;
        log.error({ err: error, pending: buffer.length, attempt: failures }, 'writing traces failed; they stay queued and are retried');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** failures)));
        if (failures >= 5) throw error;
      }
    }
  }

  function drain(all: boolean): Promise<void> {
    flushing ??= writeBatches(all).finally(() => (flushing = undefined));
    return flushing;
  }

  async function flush(): Promise<void> {
    const target = queued;
    // A drain already under way may be one that leaves a part batch behind: then drain again.
    while (stored < target) await drain(true);
  }

  const timer = setInterval(() => void drain(true).catch(() => {}), options.flushIntervalMs);
  timer.unref();

  return {
    get pending() {
      return buffer.length;
    },
    async write(record) {
      buffer.push(record);
      queued++;
      if (buffer.length >= fullBatch) void drain(false).catch(() => {});
      if (buffer.length > options.maxBuffered) await new Promise<void>((resolve) => waiting.push(resolve));
    },
    flush,
    async close() {
      clearInterval(timer);
      try {
        await flush();
      } catch (error) {
        log.error({ err: error, lost: buffer.length }, 'traces could not be written at shutdown');
      }
    },
  };
}
