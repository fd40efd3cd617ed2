// End-to-end tools/call throughput over Streamable HTTP: `switchboard serve` as it ships (API key
// auth, policy, tracing with redaction, per-principal HTTP rate counting, SQLite) answering
// registry_get on a small registry for a non-admin key (role reader, allowed by the bootstrap
// policy `bootstrap.reader-read-only`), beside a bare SDK Streamable HTTP server with one echo tool
// (bench/fixtures/bare-http-server.mjs). Same SDK client, same sessions, same calls in flight,
// same number of calls; rounds interleaved, medians of the rounds. Target: ratio ≥ 0.5.
// The HTTP rate limit stays on (every request is counted, and the counts added to the database, as by default) but is
// raised from the default 6000/m, which a throughput run would hit within a second.
// Requires `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callOk, connectHttp, exited, serveEnv, startServe, type Served } from './serve.js';
import { median, percentile, round } from './stats.js';

const bareServer = fileURLToPath(new URL('./fixtures/bare-http-server.mjs', import.meta.url));

interface Target {
  clients: Client[];
  call(client: Client): Promise<unknown>;
  close(): Promise<void>;
}

const failed = (r: unknown) => {
  if ((r as { isError?: boolean }).isError) throw new Error(`call failed: ${JSON.stringify(r)}`);
  return r;
};

async function sessions(url: string, key: string | undefined, count: number): Promise<Client[]> {
  return Promise.all(Array.from({ length: count }, () => connectHttp(url, key)));
}

/** Switchboard on a fresh SQLite database with three servers registered and a reader key. */
export async function startSwitchboard(sessionCount: number, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Target & { served: Served }> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-http-e2e-'));
  const served = await startServe(serveEnv(dir, `file:${join(dir, 'bench.db')}`, { SWITCHBOARD_HTTP_RATE_LIMIT: '999999999/m', ...extraEnv }), nodeArgs);
  const admin = await connectHttp(served.url, served.adminKey);
  for (const name of ['weather', 'billing', 'search']) {
    await callOk(admin, 'registry_register', {
      name: `io.github.bench/${name}`, version: '1.0.0', title: `Bench ${name}`, description: `The ${name} server of the benchmark`,
      transport: { type: 'streamable-http', url: `https://${name}.example.com/mcp` }, tags: [name, 'bench'],
    });
  }
  const { key } = await callOk<{ key: string }>(admin, 'key_create', { name: 'bench-reader', principalId: 'bench-reader', roles: ['reader'] });
  await admin.close();
  const clients = await sessions(served.url, key, sessionCount);
  return {
    served,
    clients,
    call: (client) => client.callTool({ name: 'registry_get', arguments: { name: 'io.github.bench/weather' } }).then(failed),
    async close() {
      for (const c of clients) await c.close();
      await served.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBare(sessionCount: number): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, [bareServer], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d;
      const m = /listening (\d+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
  const clients = await sessions(`http://127.0.0.1:${port}/mcp`, undefined, sessionCount);
  return {
    clients,
    call: (client) => client.callTool({ name: 'echo', arguments: { text: 'hello from the benchmark' } }).then(failed),
    async close() {
      for (const c of clients) await c.close();
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** `calls` calls with `concurrency` in flight, spread over the target's sessions. */
export async function measure(target: Target, calls: number, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const client = target.clients[worker % target.clients.length]!;
      while (next++ < calls) {
        const t = performance.now();
        await target.call(client);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: calls / ((performance.now() - started) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function httpE2eBench(rounds = 5, calls = 600, concurrency = 16, sessionCount = 4) {
  const targets: Record<string, Target> = { switchboard: await startSwitchboard(sessionCount), 'bare SDK': await startBare(sessionCount) };
  try {
    const samples = Object.fromEntries(Object.keys(targets).map((n) => [n, { perSecond: [] as number[], p50: [] as number[], p99: [] as number[] }]));
    for (const t of Object.values(targets)) await measure(t, 200, concurrency); // warm up
    for (let r = 0; r < rounds; r++) {
      for (const [name, t] of Object.entries(targets)) {
        const m = await measure(t, calls, concurrency);
        samples[name]!.perSecond.push(m.perSecond);
        samples[name]!.p50.push(m.p50);
        samples[name]!.p99.push(m.p99);
      }
    }
    const summary = (name: string) => ({
      callsPerSecond: round(median(samples[name]!.perSecond), 0),
      p50Ms: round(median(samples[name]!.p50), 2),
      p99Ms: round(median(samples[name]!.p99), 2),
    });
    const sb = summary('switchboard');
    const bare = summary('bare SDK');
    return {
      name: `HTTP tools/call end to end (${calls} calls, ${concurrency} in flight over ${sessionCount} sessions; median of ${rounds} rounds)`,
      switchboard: sb,
      bareSdk: bare,
      ratio: round(sb.callsPerSecond / bare.callsPerSecond),
    };
  } finally {
    for (const t of Object.values(targets)) await t.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [rounds, calls, concurrency] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await httpE2eBench(rounds || undefined, calls || undefined, concurrency || undefined), null, 1)}\n`);
}
