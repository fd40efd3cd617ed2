// Cold start: spawn → initialize → first tools/list answer, for `switchboard stdio` (on a SQLite
// database already migrated, as on every start after the first) and for a bare SDK stdio server.
// Measured two ways, interleaved in one process; prints medians and their ratios:
// - on the wire: from spawn to the tools/list response line, with initialize and tools/list
//   written by hand. This is the target's figure (≤ 2×): the server's start, to its answer.
// - through the SDK client (connect + listTools), which adds what that client does with the
//   answer: it compiles every outputSchema with ajv (36 of ours, none of the bare server's),
//   about as long again as the rest of the gap on these machines. Reported beside it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { median, round } from './stats.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const bare = fileURLToPath(new URL('./fixtures/bare-stdio-server.mjs', import.meta.url));

async function throughClient(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, env, stderr: 'ignore' }));
  await client.listTools();
  const elapsed = performance.now() - started;
  await client.close();
  return elapsed;
}

async function onTheWire(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  const elapsed = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before answering tools/list`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const { id } = JSON.parse(buffered.slice(0, end)) as { id?: number };
        buffered = buffered.slice(end + 1);
        if (id === 1) {
          send({ method: 'notifications/initialized' });
          send({ id: 2, method: 'tools/list' });
        } else if (id === 2) resolve(performance.now() - started);
      }
    });
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  });
  child.removeAllListeners('exit');
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  return elapsed;
}

export async function coldStart(runs = 21) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const env = { ...(process.env as Record<string, string>), SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'bench.db')}` };
  try {
    await throughClient([cli, 'stdio'], env); // first start migrates; not measured
    const times = { sb: [] as number[], base: [] as number[], sbWire: [] as number[], baseWire: [] as number[] };
    for (let i = 0; i < runs; i++) {
      times.base.push(await throughClient([bare], env));
      times.sb.push(await throughClient([cli, 'stdio'], env));
      times.baseWire.push(await onTheWire([bare], env));
      times.sbWire.push(await onTheWire([cli, 'stdio'], env));
    }
    const [switchboardMs, bareMs, switchboardWireMs, bareWireMs] = [times.sb, times.base, times.sbWire, times.baseWire].map((t) => round(median(t), 1));
    return { name: 'stdio cold start to first tools/list', runs, switchboardMs, bareMs, ratio: round(switchboardMs! / bareMs!), switchboardWireMs, bareWireMs, wireRatio: round(switchboardWireMs! / bareWireMs!) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await coldStart(Number(process.argv[2] ?? 21));
  process.stdout.write(`${r.name}, ${r.runs} rounds (medians):\n`);
  process.stdout.write(`  on the wire:            switchboard ${r.switchboardWireMs} ms, bare SDK ${r.bareWireMs} ms → ratio ${r.wireRatio}× (target ≤ 2×: ${r.wireRatio <= 2 ? 'pass' : 'FAIL'})\n`);
  process.stdout.write(`  through the SDK client: switchboard ${r.switchboardMs} ms, bare SDK ${r.bareMs} ms → ratio ${r.ratio}×\n`);
}
