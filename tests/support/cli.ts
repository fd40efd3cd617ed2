// Runs the built `switchboard` command (dist/cli.js, the package's bin) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export function cliEnv(dataDir: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const { TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  return { ...(rest as Record<string, string>), SWITCHBOARD_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...extra };
}

/** Runs the CLI to completion; returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = process.env as Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once `child` has exited (or at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** `switchboard serve --transport http --port 0`; `listening` resolves to its /mcp URL. */
export function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [cliPath, 'serve', '--transport', 'http', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      const url = /"url":"(http:[^"]+)"/.exec(stderr)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, listening, stderr: () => stderr };
}
