// invoke through Switchboard vs the same client calling the fixture directly, and vs supergateway
// proxying the same fixture — one script, rounds interleaved, medians of the rounds.
//   direct:       client ─stdio─▶ fixture
//   switchboard-http:  client ─Streamable HTTP (API key, policy, tracing, redaction)─▶ Switchboard ─stdio─▶ fixture
//   switchboard-stdio: client ─stdio (policy, tracing, redaction)─▶ Switchboard ─stdio─▶ fixture
//   supergateway: client ─Streamable HTTP (stateful)─▶ supergateway ─stdio─▶ fixture
//   http-ceiling: client ─HTTP─▶ a server answering canned JSON at once (what the client alone allows)
// Two workloads: `echo` answers at once (the proxy's own cost, worst case) and `sleep 5 ms` (a tool
// that does some work, as real tools do). Requires `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { median, percentile, round } from './stats.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fixture = fileURLToPath(new URL('../tests/fixtures/upstream-server.mjs', import.meta.url));
const canned = fileURLToPath(new URL('./fixtures/canned-http-server.mjs', import.meta.url));
const gateway = fileURLToPath(new URL('../node_modules/supergateway/dist/index.js', import.meta.url));

type Call = (tool: string, args: Record<string, unknown>) => Promise<unknown>;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  let seen = '';
  return new Promise((resolve, reject) => {
    child[stream]!.on('data', (d: Buffer) => {
      seen += d;
      const m = pattern.exec(seen);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${seen.slice(-2000)}`)));
  });
}

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  return client;
}

const check = (r: unknown) => {
  if ((r as { isError?: boolean }).isError) throw new Error(`call failed: ${JSON.stringify(r)}`);
  return r;
};

function switchboardEnv(dataDir: string): Record<string, string> {
  // The HTTP rate limit stays on (every request counted, as by default), raised above the bench's rate.
  const limits = { SWITCHBOARD_HTTP_RATE_LIMIT: '999999999/m' };
  return { ...(process.env as Record<string, string>), SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'bench.db')}`, SWITCHBOARD_LOG_LEVEL: 'info', SWITCHBOARD_HEALTH_INTERVAL_MS: '0', ...limits };
}

/** Registers the fixture and routes bench.echo and bench.sleep to it; invoke goes by intent. */
async function throughSwitchboard(client: Client, close: () => Promise<void>): Promise<{ call: Call; close(): Promise<void> }> {
  const admin = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }).then(check);
  await admin('registry_register', { name: 'bench-fixture', version: '1.0.0', transport: { type: 'stdio', command: process.execPath, args: [fixture] } }).catch(() => undefined);
  for (const tool of ['echo', 'sleep']) await admin('route_create', { intentPattern: `bench.${tool}`, serverName: 'bench-fixture', toolName: tool });
  await admin('registry_check_health', { name: 'bench-fixture' });
  return { call: (tool, args) => client.callTool({ name: 'invoke', arguments: { intent: `bench.${tool}`, arguments: args } }).then(check), close };
}

async function startSwitchboardHttp(dataDir: string) {
  const child = spawn(process.execPath, [cli, 'serve', '--transport', 'http', '--port', '0'], { env: switchboardEnv(dataDir), stdio: ['ignore', 'ignore', 'pipe'] });
  // The bootstrap key is printed before the listening line.
  const [, key, url] = await waitFor(child, 'stderr', /^\s+(sb_\S+)$[\s\S]*"url":"(http:[^"]+)"/m);
  const client = await connect(new StreamableHTTPClientTransport(new URL(url!), { requestInit: { headers: { Authorization: `Bearer ${key!}` } } }) as Transport);
  return throughSwitchboard(client, async () => {
    await client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });
}

async function startSwitchboardStdio(dataDir: string) {
  const client = await connect(new StdioClientTransport({ command: process.execPath, args: [cli, 'stdio'], env: switchboardEnv(dataDir), stderr: 'ignore' }));
  return throughSwitchboard(client, () => client.close());
}

async function startGateway(): Promise<{ call: Call; close(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [gateway, '--stdio', `${process.execPath} ${fixture}`, '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--logLevel', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((r) => setTimeout(r, 100));
  let client: Client | undefined;
  for (let i = 0; i < 100 && !client; i++) {
    client = await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)) as Transport).catch(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return undefined;
    });
  }
  if (!client) throw new Error('supergateway did not start');
  return callsTools(client, child);
}

async function startCeiling(): Promise<{ call: Call; close(): Promise<void> }> {
  const child = spawn(process.execPath, [canned], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [, port] = await waitFor(child, 'stdout', /listening (\d+)/);
  return callsTools(await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port!}/mcp`)) as Transport), child);
}

/** Calls tools by name on `client`; closing also stops the server process behind it. */
function callsTools(client: Client, child: ChildProcess): { call: Call; close(): Promise<void> } {
  return {
    call: (tool, args) => client.callTool({ name: tool, arguments: args }).then(check),
    async close() {
      await client.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function startDirect(): Promise<{ call: Call; close(): Promise<void> }> {
  const client = await connect(new StdioClientTransport({ command: process.execPath, args: [fixture], stderr: 'ignore' }));
  return { call: (tool, args) => client.callTool({ name: tool, arguments: args }).then(check), close: () => client.close() };
}

/** Calls per second with `concurrency` calls in flight, and per-call latencies (ms). */
async function measure(call: Call, tool: string, args: Record<string, unknown>, calls: number, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) {
        const t = performance.now();
        await call(tool, args);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: calls / ((performance.now() - started) / 1000), latencies };
}

export async function invokeBench(rounds = 7, calls = 400, concurrency = 8) {
  const dirs = [mkdtempSync(join(tmpdir(), 'switchboard-invoke-bench-')), mkdtempSync(join(tmpdir(), 'switchboard-invoke-bench-'))];
  const modes = {
    direct: await startDirect(),
    'switchboard-http': await startSwitchboardHttp(dirs[0]!),
    'switchboard-stdio': await startSwitchboardStdio(dirs[1]!),
    supergateway: await startGateway(),
    'http-ceiling': await startCeiling(),
  };
  const workloads = { echo: ['echo', { text: 'hello from the benchmark' }], 'sleep 5 ms': ['sleep', { ms: 5, steps: 1 }] } as const;
  try {
    const results: Record<string, Record<string, { perSecond: number[]; p50: number[]; p99: number[] }>> = {};
    for (const [workload, [tool, args]] of Object.entries(workloads)) {
      const samples = (results[workload] = Object.fromEntries(Object.keys(modes).map((m) => [m, { perSecond: [] as number[], p50: [] as number[], p99: [] as number[] }])));
      for (const mode of Object.values(modes)) await measure(mode.call, tool, args, 100, concurrency); // warm up
      for (let r = 0; r < rounds; r++) {
        for (const [name, mode] of Object.entries(modes)) {
          const m = await measure(mode.call, tool, args, calls, concurrency);
          samples[name]!.perSecond.push(m.perSecond);
          samples[name]!.p50.push(percentile(m.latencies, 50));
          samples[name]!.p99.push(percentile(m.latencies, 99));
        }
      }
    }
    const rows = Object.entries(results).map(([workload, byMode]) => {
      const med = (mode: string, key: 'perSecond' | 'p50' | 'p99') => round(median(byMode[mode]![key]), key === 'perSecond' ? 0 : 2);
      const row = Object.fromEntries(Object.keys(modes).map((m) => [m, { callsPerSecond: med(m, 'perSecond'), p50Ms: med(m, 'p50'), p99Ms: med(m, 'p99') }]));
      return {
        workload,
        ...row,
        httpVsDirect: round(med('switchboard-http', 'perSecond') / med('direct', 'perSecond')),
        stdioVsDirect: round(med('switchboard-stdio', 'perSecond') / med('direct', 'perSecond')),
        httpVsSupergateway: round(med('switchboard-http', 'perSecond') / med('supergateway', 'perSecond')),
        ceilingVsSupergateway: round(med('http-ceiling', 'perSecond') / med('supergateway', 'perSecond')),
      };
    });
    return { name: `invoke throughput (${calls} calls, ${concurrency} in flight; median of ${rounds} rounds)`, rows };
  } finally {
    for (const mode of Object.values(modes)) await mode.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${JSON.stringify(await invokeBench(), null, 1)}\n`);
