// Trace ingest on SQLite: records built from a realistic payload, redacted and written through
// the batched trace writer, beside a raw batched insert of the same rows with better-sqlite3
// (prepared statement, one transaction per 200 rows), in one process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { newSpanId, newTraceId, redactPayloads, type TraceRecord } from '../src/domain/traces/record.js';
import { median, round } from './stats.js';

const payload = {
  name: 'io.github.acme/billing',
  arguments: { customer: 'cus_48213', amount: 1234.56, currency: 'EUR', email: 'jane.doe@example.com', note: 'Order ORD-2024-000123, version 1.2.3' },
  headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ' },
};

function record(redacted: Pick<TraceRecord, 'request' | 'response' | 'redactions' | 'truncated'>): TraceRecord {
  return {
    traceId: newTraceId(), spanId: newSpanId(), parentSpanId: null, startedAt: new Date(), principal: 'bench', sessionId: null, transport: 'memory',
    method: 'tools/call', tool: 'invoke', intent: 'billing.invoice.create', serverName: 'billing', serverVersion: '1.0.0', routeId: null, environment: 'prod',
    decision: 'allow', status: 'ok', error: null, errorType: null, latencyMs: 3.2, upstreamLatencyMs: 2.1, cost: 0.01, jobId: null, ...redacted,
  };
}

export async function traceIngestBench(rows = 20_000, rounds = 5) {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-ingest-'));
  const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'ingest.db')}`, SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_TRACE_FLUSH_MS: '50' });
  const app = await createApp(config, { log: pino({ level: 'silent' }) });
  const raw = new Database(join(dir, 'ingest.db'));
  raw.pragma('busy_timeout = 5000');
  const columns = Object.keys(record({ request: null, response: null, redactions: 0, truncated: false }));
  const insert = raw.prepare(`INSERT INTO "Trace" ("id", ${columns.map((c) => `"${c}"`).join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`);
  const insertBatch = raw.transaction((batch: unknown[][]) => batch.forEach((values) => insert.run(...values)));
  const ours: number[] = [];
  const baseline: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      let started = performance.now();
      for (let i = 0; i < rows; i++) await app.deps.traces.write(record(redactPayloads(app.deps.redactor, payload, { ok: true })));
      await app.deps.traces.flush();
      ours.push(rows / ((performance.now() - started) / 1000));

      const plain = { request: JSON.stringify(payload), response: '{"ok":true}', redactions: 0, truncated: false };
      started = performance.now();
      for (let i = 0; i < rows; i += 200) {
        const batch = Array.from({ length: Math.min(200, rows - i) }, () => {
          const rec = record(plain);
          return [`raw-${r}-${i}-${Math.random()}`, ...columns.map((c) => {
            const v = rec[c as keyof TraceRecord];
            return v instanceof Date ? v.toISOString() : typeof v === 'boolean' ? Number(v) : v;
          })];
        });
        insertBatch(batch);
      }
      baseline.push(rows / ((performance.now() - started) / 1000));
    }
  } finally {
    raw.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const oursPerSecond = median(ours);
  const rawPerSecond = median(baseline);
  return { name: `trace ingest on SQLite, ${rows} rows × ${rounds} rounds (median rows/s)`, redactedViaWriter: Math.round(oursPerSecond), rawBatchedInsert: Math.round(rawPerSecond), ratio: round(oursPerSecond / rawPerSecond) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${JSON.stringify(await traceIngestBench())}\n`);
