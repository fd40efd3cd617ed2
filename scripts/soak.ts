// Soak: 200 concurrent Streamable HTTP sessions against a `switchboard serve` child process for N
// minutes, each making mixed tool calls (reads, searches, route resolution, trace reads; and for
// the operator sessions invoke through a stdio upstream, job_submit, registry_update) with a pause
// between calls of --think-ms on average (uniform from half to one and a half times it), so the
// server runs at a sustained rate below saturation, as a soak should. Reports every error (target
// 0) and the server's resident memory, sampled from /proc, from the end of the warm-up to the end
// of the run (target: growth < 10 %), with its JS heap from /metrics.
//   npx tsx scripts/soak.ts [--minutes 10] [--sessions 200] [--think-ms 1500] [--warmup-seconds 60] [--database <url>] [--env NAME=value]…
// --think-ms 0 makes it a stress run: every session calls back to back and the server is always
// saturated. On 2 cores some requests then wait in line past the SDK client's 60 s timeout; a bare
// SDK server (bench/fixtures/bare-http-server.mjs) with 4 ms of work per call does the same
// under the same overload (measured: 248 timeouts and 167 connect timeouts in 100 s, 400 sessions).
// Default configuration throughout (SQLite in a temporary directory unless --database): sessions
// are spread over 20 API keys so that no principal passes the default HTTP rate limit (6000/m).
// Requires `npm run build`. Exit code 1 when a target is missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callOk, connectHttp, rssOf, serveEnv, startServe } from '../bench/serve.js';
import { median } from '../bench/stats.js';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    sessions: { type: 'string', default: '200' },
    'think-ms': { type: 'string', default: '1500' },
    'warmup-seconds': { type: 'string' },
    database: { type: 'string' },
    keys: { type: 'string', default: '20' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
/** --env NAME=value (repeatable): extra settings for the server, e.g. SWITCHBOARD_EVENT_STORE_SIZE=10. */
const extraEnv = Object.fromEntries(flags.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const minutes = Number(flags.minutes);
const sessionCount = Number(flags.sessions);
const keyCount = Number(flags.keys);
const thinkMs = Number(flags['think-ms']);
const durationMs = minutes * 60_000;
const warmupMs = flags['warmup-seconds'] !== undefined ? Number(flags['warmup-seconds']) * 1000 : Math.min(60_000, durationMs / 4);
const SAMPLE_MS = 2_000;
const fixture = fileURLToPath(new URL('../tests/fixtures/upstream-server.mjs', import.meta.url));

const names = ['weather', 'billing', 'search', 'maps', 'mail', 'calendar', 'files', 'chat'].map((n) => `io.github.soak/${n}`);
type Call = [tool: string, args: () => Record<string, unknown>];
const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;
const readerCalls: Call[] = [
  ['registry_get', () => ({ name: pick(names) })],
  ['registry_search', () => ({ query: pick(['weather', 'bill', 'mail calendar', 'soak', 'files']) })],
  ['registry_list', () => ({ limit: 10 })],
  ['route_resolve', () => ({ intent: pick(['soak.echo', 'soak.weather.today']), environment: 'prod' })],
  ['trace_list', () => ({ limit: 5 })],
  ['registry_stats', () => ({})],
];
const operatorCalls: Call[] = [
  ...readerCalls,
  ['invoke', () => ({ intent: 'soak.echo', environment: 'prod', arguments: { text: 'soak' } })],
  ['job_submit', () => ({ intent: 'soak.echo', environment: 'prod', arguments: { text: 'soak job' } })],
  ['registry_update', () => ({ name: pick(names), version: '1.0.0', metadata: { touchedAt: new Date().toISOString() } })],
];

async function setUp(url: string, adminKey: string): Promise<{ key: string; operator: boolean }[]> {
  const admin = await connectHttp(url, adminKey);
  for (const name of names) {
    await callOk(admin, 'registry_register', { name, version: '1.0.0', description: `${name.split('/')[1]} server for the soak`, tags: ['soak'], transport: { type: 'stdio', command: process.execPath, args: [fixture] } });
  }
  await callOk(admin, 'registry_check_health', { name: names[0] });
  await callOk(admin, 'route_create', { intentPattern: 'soak.echo', environment: 'prod', serverName: names[0], toolName: 'echo' });
  await callOk(admin, 'route_create', { intentPattern: 'soak.weather.*', environment: '*', serverName: names[0], toolName: 'echo' });
  const keys = [];
  for (let k = 0; k < keyCount; k++) {
    const operator = k % 4 === 0; // a quarter of the principals may invoke and write
    const { key } = await callOk<{ key: string }>(admin, 'key_create', { name: `soak-${k}`, principalId: `soak-${k}`, roles: [operator ? 'admin' : 'reader'] });
    keys.push({ key, operator });
  }
  await admin.close();
  return keys;
}

interface Tally {
  ok: number;
  errors: Map<string, number>;
}

function recordError(tally: Tally, tool: string, error: unknown): void {
  const text = `${tool}: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`;
  tally.errors.set(text, (tally.errors.get(text) ?? 0) + 1);
}

async function session(url: string, key: string, calls: Call[], until: number, tally: Tally): Promise<void> {
  let client: Client;
  try {
    client = await connectHttp(url, key);
  } catch (error) {
    recordError(tally, 'connect', error);
    return;
  }
  while (Date.now() < until) {
    const [tool, args] = pick(calls);
    try {
      await callOk(client, tool, args());
      tally.ok++;
    } catch (error) {
      recordError(tally, tool, error);
    }
    if (thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, thinkMs * (0.5 + Math.random())));
  }
  await client.close().catch((error: unknown) => recordError(tally, 'close', error));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-soak-'));
  const served = await startServe(serveEnv(dir, flags.database ?? `file:${join(dir, 'soak.db')}`, extraEnv));
  const pid = served.child.pid!;
  const samples: { at: number; rss: number }[] = [];
  const heaps: { at: number; used: number; total: number; external: number }[] = [];
  const tally: Tally = { ok: 0, errors: new Map() };
  try {
    if (!served.adminKey) throw new Error('no bootstrap key was printed: use an empty database');
    const keys = await setUp(served.url, served.adminKey);
    const started = Date.now();
    const until = started + durationMs;
    const sampler = setInterval(() => samples.push({ at: Date.now() - started, rss: rssOf(pid) }), SAMPLE_MS);
    const progress = setInterval(() => {
      void heapOf(served.url, served.adminKey!).then((heap) => {
        const at = Date.now() - started;
        if (heap) heaps.push({ at, ...heap });
        const last = samples.at(-1);
        const mb = (b: number | undefined) => (b === undefined ? '?' : Math.round(b / 2 ** 20));
        process.stderr.write(`${Math.round(at / 1000)} s: ${tally.ok} calls ok, ${[...tally.errors.values()].reduce((a, b) => a + b, 0)} errors, RSS ${mb(last?.rss)} MiB, JS heap used ${mb(heap?.used)} of ${mb(heap?.total)} MiB, external ${mb(heap?.external)} MiB\n`);
      });
    }, 15_000);
    await Promise.all(
      Array.from({ length: sessionCount }, (_, s) => {
        const { key, operator } = keys[s % keys.length]!;
        return session(served.url, key, operator ? operatorCalls : readerCalls, until, tally);
      }),
    );
    clearInterval(sampler);
    clearInterval(progress);
    const elapsed = (Date.now() - started) / 1000;
    // Medians of equal windows at both ends: one sample is at the mercy of where GC happens to be.
    const window = Math.max(SAMPLE_MS * 5, Math.min(60_000, (durationMs - warmupMs) / 5));
    const afterWarmup = samples.filter((s) => s.at >= warmupMs && s.at < warmupMs + window).map((s) => s.rss);
    const atEnd = samples.filter((s) => s.at >= durationMs - window).map((s) => s.rss);
    const rssStart = median(afterWarmup);
    const rssEnd = median(atEnd);
    const growth = (rssEnd - rssStart) / rssStart;
    const errors = [...tally.errors.values()].reduce((a, b) => a + b, 0);
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    const result = {
      minutes,
      env: extraEnv,
      sessions: sessionCount,
      thinkMs,
      principals: keys.length,
      warmupSeconds: warmupMs / 1000,
      callsOk: tally.ok,
      callsPerSecond: Math.round(tally.ok / elapsed),
      errors,
      errorKinds: Object.fromEntries(tally.errors),
      rssMiB: {
        afterWarmup: mib(rssStart),
        end: mib(rssEnd),
        max: mib(Math.max(...samples.map((s) => s.rss))),
        firstSample: mib(samples[0]?.rss ?? 0),
        lastSample: mib(samples.at(-1)?.rss ?? 0),
        windowSeconds: window / 1000,
      },
      // From /metrics every 15 s: a leak grows the heap in use; V8 sizing its heap grows its total.
      jsHeapMiB: Object.fromEntries(
        (['used', 'total'] as const).map((k) => [
          k,
          {
            afterWarmup: mib(median(heaps.filter((h) => h.at >= warmupMs && h.at < warmupMs + window).map((h) => h[k]))),
            end: mib(median(heaps.filter((h) => h.at >= durationMs - window).map((h) => h[k]))),
          },
        ]),
      ),
      rssGrowthPercent: Math.round(growth * 1000) / 10,
      pass: { errors: errors === 0, memory: growth < 0.1 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    process.exitCode = errors === 0 && growth < 0.1 ? 0 : 1;
  } finally {
    const code = await served.stop();
    if (code !== 0) process.stderr.write(`switchboard exited ${code}: ${served.stderr().slice(-2000)}\n`);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server's JS heap (in use, and as large as V8 has made it) and external memory, from /metrics. */
async function heapOf(url: string, key: string): Promise<{ used: number; total: number; external: number } | undefined> {
  try {
    const text = await (await fetch(new URL('/metrics', url), { headers: { authorization: `Bearer ${key}` } })).text();
    const figure = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return { used: figure('nodejs_heap_size_used_bytes'), total: figure('nodejs_heap_size_total_bytes'), external: figure('nodejs_external_memory_bytes') };
  } catch {
    return undefined;
  }
}

await main();
