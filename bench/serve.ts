// A `switchboard serve --transport http` child process (dist/cli.js) for the HTTP benchmarks and
// the soak and fault scripts: its /mcp URL, the admin key it printed on first start, and SDK
// clients that authenticate with a key. Requires `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface Served {
  child: ChildProcess;
  url: string;
  /** The bootstrap admin key, printed only on the first start against an empty database. */
  adminKey: string | undefined;
  /** Everything the process wrote to stderr so far (its JSON log). */
  stderr(): string;
  /**
   * SIGTERM and wait for the exit code. Stop the child before this process exits: a serve whose
   * stderr reader is gone retries its log writes forever and never exits (seen with strace).
   */
  stop(): Promise<number | null>;
}

/** Environment for a child: the caller's, minus database URLs the caller did not mean to pass. */
export function serveEnv(dataDir: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const { TEST_DATABASE_URL: _t, DATABASE_URL: _d, BENCH_DATABASE_URL: _b, ...rest } = process.env;
  return { ...(rest as Record<string, string>), SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SWITCHBOARD_HEALTH_INTERVAL_MS: '0', ...extra };
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts `switchboard serve --transport http --port 0` and waits for its listening line. */
export async function startServe(env: Record<string, string>, nodeArgs: string[] = []): Promise<Served> {
  // The URL comes from the `listening` log line, which is logged at info.
  if (!['info', 'debug', 'trace', undefined].includes(env.SWITCHBOARD_LOG_LEVEL)) throw new Error('startServe needs SWITCHBOARD_LOG_LEVEL info or lower: it reads the listening line');
  const child = spawn(process.execPath, [...nodeArgs, cliPath, 'serve', '--transport', 'http', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      // Keep the head (bootstrap key, listening line) and the tail; a long run logs a lot.
      stderr = stderr.length > 200_000 ? stderr.slice(0, 20_000) + stderr.slice(-100_000) : stderr;
      stderr += d;
      const m = /"msg":"listening"/.test(stderr) && /"url":"(http:[^"]+)"/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`switchboard serve exited ${code}: ${stderr.slice(-2000)}`)));
  });
  const adminKey = /^\s+(sb_\S+)$/m.exec(stderr)?.[1];
  return {
    child,
    url,
    adminKey,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited(child);
    },
  };
}

export async function connectHttp(url: string, key?: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  const headers = key ? { Authorization: `Bearer ${key}` } : undefined;
  await client.connect(new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : {}) as Transport);
  return client;
}

/** Calls a tool and returns its structured content; an isError result throws with its text. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  return r.structuredContent as T;
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}
