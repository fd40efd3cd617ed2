// Fault: SIGKILL during heavy trace writing. A `switchboard serve` child on SQLite answers cheap
// tool calls (registry_get) from 32 sessions as fast as it can — every call writes one trace
// through the batched trace writer — and is killed with SIGKILL mid-run. Each call carries its
// own W3C traceparent, so every acknowledged call can be matched to its trace row. Afterwards:
//   - the database is consistent: PRAGMA integrity_check, `switchboard migrate` finds nothing to
//     do, a new `switchboard serve` starts on it and answers, and every stored trace row is whole;
//   - the traces lost (acknowledged calls without a row) are at most what the README promises: the
//     traces of one flush interval (SWITCHBOARD_TRACE_FLUSH_MS, default 200 ms) before the kill.
//   npx tsx scripts/fault-kill-traces.ts [--seconds 8] [--sessions 32] [--flush-ms 200]
// Requires `npm run build`. Exit code 1 when a check fails.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import Database from 'better-sqlite3';
import { connectHttp, exited, serveEnv, startServe } from '../bench/serve.js';
import { runCli } from '../tests/support/cli.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    sessions: { type: 'string', default: '32' },
    'flush-ms': { type: 'string', default: '200' },
  },
});
const flushMs = Number(flags['flush-ms']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-fault-kill-'));
  const file = join(dir, 'kill.db');
  const env = serveEnv(dir, `file:${file}`, { SWITCHBOARD_TRACE_FLUSH_MS: String(flushMs), SWITCHBOARD_HTTP_RATE_LIMIT: '999999999/m' });
  const served = await startServe(env);
  try {
    const admin = await connectHttp(served.url, served.adminKey);
    const register = { name: 'io.github.fault/traces', version: '1.0.0', transport: { type: 'streamable-http', url: 'https://example.com/mcp' } };
    await admin.callTool({ name: 'registry_register', arguments: register });
    const clients: Client[] = await Promise.all(Array.from({ length: Number(flags.sessions) }, () => connectHttp(served.url, served.adminKey)));

    const acked = new Map<string, number>(); // trace id → when the answer arrived (ms since start)
    let failed = 0;
    let killed = false;
    const t0 = performance.now();
    const load = Promise.all(
      clients.map(async (client) => {
        while (!killed) {
          const traceId = randomBytes(16).toString('hex');
          try {
            const r = await client.callTool({ name: 'registry_get', arguments: { name: register.name }, _meta: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
            if (!r.isError && !killed) acked.set(traceId, performance.now() - t0);
            else if (r.isError) failed++;
          } catch {
            if (!killed) failed++;
          }
        }
      }),
    );
    await sleep(Number(flags.seconds) * 1000);
    const killAt = performance.now() - t0;
    served.child.kill('SIGKILL');
    killed = true;
    await exited(served.child);
    await load;
    for (const c of [...clients, admin]) await c.close().catch(() => {});

    // Consistency first, on the file exactly as the kill left it (WAL included).
    const db = new Database(file);
    const integrity = db.pragma('integrity_check', { simple: true });
    const stored = new Set((db.prepare('SELECT "traceId" FROM "Trace" WHERE "tool" = ?').all('registry_get') as { traceId: string }[]).map((r) => r.traceId));
    const partial = db.prepare(`SELECT count(*) AS n FROM "Trace" WHERE "id" IS NULL OR "traceId" IS NULL OR "spanId" IS NULL OR "startedAt" IS NULL OR "status" IS NULL OR "request" IS NULL OR "response" IS NULL OR json_valid("request") = 0 OR json_valid("response") = 0`).get() as { n: number };
    const total = (db.prepare('SELECT count(*) AS n FROM "Trace"').get() as { n: number }).n;
    db.close();
    const migrate = await runCli(['migrate'], env);
    const again = await startServe(env);
    const check = await connectHttp(again.url, served.adminKey);
    const answered = !(await check.callTool({ name: 'registry_get', arguments: { name: register.name } })).isError;
    await check.close();
    const secondExit = await again.stop();

    const lost = [...acked].filter(([id]) => !stored.has(id)).map(([, at]) => killAt - at);
    const inLastWindow = [...acked.values()].filter((at) => at > killAt - flushMs).length;
    const oldestLostMs = lost.length ? Math.max(...lost) : 0;
    const result = {
      runSeconds: Math.round(killAt) / 1000,
      acknowledgedCalls: acked.size,
      callsPerSecond: Math.round(acked.size / (killAt / 1000)),
      failedBeforeKill: failed,
      traceRows: total,
      lostTraces: lost.length,
      oldestLostAckBeforeKillMs: Math.round(oldestLostMs),
      acknowledgedInLastFlushWindow: inLastWindow,
      flushMs,
      consistency: { integrityCheck: integrity, partialRows: partial.n, migrate: migrate.stdout.trim() || migrate.stderr.trim(), migrateExit: migrate.code, restartedAndAnswered: answered, restartExit: secondExit },
      pass: {
        consistent: integrity === 'ok' && partial.n === 0 && migrate.code === 0 && /up to date/.test(migrate.stdout) && answered,
        lossWithinWindow: lost.length <= inLastWindow && oldestLostMs <= flushMs,
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    process.exitCode = result.pass.consistent && result.pass.lossWithinWindow ? 0 : 1;
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}


await main();
