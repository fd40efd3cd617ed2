// The fixture MCP server (tests/fixtures/upstream-server.mjs) as a real child process: its stdio
// launch spec, an HTTP instance, its event log, and a check that no process of a test survives.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixturePath = fileURLToPath(new URL('../fixtures/upstream-server.mjs', import.meta.url));

/** registry_register's transport for a stdio fixture, tagged so the test can find its processes. */
export function stdioFixture(tag: string, env: Record<string, string> = {}, extraArgs: string[] = []) {
  return { type: 'stdio' as const, command: process.execPath, args: [fixturePath, '--tag', tag, ...extraArgs], env };
}

export interface HttpFixture {
  port: number;
  child: ChildProcess;
  url(path?: '/mcp' | '/sse'): string;
  stop(): Promise<void>;
}

/** Starts the fixture over HTTP (port 0 picks one) and waits until it listens. */
export async function startHttpFixture(tag: string, options: { port?: number; env?: Record<string, string> } = {}): Promise<HttpFixture> {
  const child = spawn(process.execPath, [fixturePath, '--http', '--port', String(options.port ?? 0), '--tag', tag], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code} before listening`)));
  });
  return {
    port,
    child,
    url: (path = '/mcp') => `http://127.0.0.1:${port}${path}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

export interface FixtureEvent {
  pid: number;
  event: 'call' | 'cancelled' | 'crash';
  tool?: string;
  args?: Record<string, unknown>;
  meta?: Record<string, unknown> | null;
}

export function readFixtureLog(file: string): FixtureEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FixtureEvent);
}

export interface Proc {
  pid: number;
  stat: string;
  args: string;
}

/** Every process, from ps; `stat` starts with Z for a zombie. */
export function processes(): Proc[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), stat: m[2]!, args: m[3]! }));
}

/** Processes (fixtures and their children) still carrying `tag`, as `pid stat args` lines. */
export function processesTagged(tag: string): string[] {
  return processes()
    .filter((p) => p.args.includes(tag))
    .map((p) => `${p.pid} ${p.stat} ${p.args}`);
}

/** Running: a zombie counts as gone. */
export const alive = (pid: number) => processes().some((p) => p.pid === pid && !p.stat.startsWith('Z'));

/**
 * Finds processes by `tag` and remembers every pid it found: a zombie has lost its argv, so only
 * its pid still finds it.
 */
export function trackTagged(tag: string) {
  const seen = new Set<number>();
  return {
    seen,
    tagged(sub = tag): Proc[] {
      const found = processes().filter((p) => p.args.includes(sub));
      for (const p of found) seen.add(p.pid);
      return found;
    },
    zombies: () => processes().filter((p) => seen.has(p.pid) && p.stat.startsWith('Z')),
  };
}

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
