// Cold start: spawn → initialize → first tools/list answer, for `switchboard stdio` (on a SQLite
// database already migrated, as on every start after the first) and for a bare SDK stdio server.
// Runs interleaved in one process; prints medians and their ratio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { median, round } from './stats.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const bare = fileURLToPath(new URL('./fixtures/bare-stdio-server.mjs', import.meta.url));

async function timeToFirstList(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, env, stderr: 'ignore' }));
  await client.listTools();
  const elapsed = performance.now() - started;
  await client.close();
  return elapsed;
}

export async function coldStart(runs = 15): Promise<{ name: string; switchboardMs: number; bareMs: number; ratio: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const env = { ...(process.env as Record<string, string>), SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'bench.db')}` };
  try {
    await timeToFirstList([cli, 'stdio'], env); // first start migrates; not measured
    const sb: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(await timeToFirstList([bare], env));
      sb.push(await timeToFirstList([cli, 'stdio'], env));
    }
    const switchboardMs = round(median(sb), 1);
    const bareMs = round(median(base), 1);
    return { name: 'stdio cold start to first tools/list', switchboardMs, bareMs, ratio: round(switchboardMs / bareMs) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await coldStart(Number(process.argv[2] ?? 15));
  process.stdout.write(`${r.name}: switchboard ${r.switchboardMs} ms, bare SDK ${r.bareMs} ms (medians) → ratio ${r.ratio}× (target ≤ 2×: ${r.ratio <= 2 ? 'pass' : 'FAIL'})\n`);
}
