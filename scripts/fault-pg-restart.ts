// Fault: PostgreSQL restarts under load. A `switchboard serve` child on PostgreSQL takes writes
// (registry_register and job_submit, from 16 sessions) while PostgreSQL is stopped, kept down for
// a few seconds and started again. Afterwards: the server must serve writes again by itself
// (same process, same sessions), and every write it acknowledged must be in the database.
//   npx tsx scripts/fault-pg-restart.ts [--pg private|shared-restart|terminate] [--down-seconds 3]
// --pg private (default): a throwaway PostgreSQL 15 cluster of its own (initdb as user postgres in
//   a temporary directory, its own port), stopped with `pg_ctl stop -m immediate` (a crash: no
//   checkpoint, recovery on start) and started again. Nothing else on the machine notices.
// --pg shared-restart: `pg_ctlcluster 15 main restart` on the machine's PostgreSQL (every other
//   user of it sees the restart too). --pg terminate: pg_terminate_backend on every connection to
//   the scratch database, a milder stand-in that needs no privileges over the server.
// Requires `npm run build`. Exit code 1 when the server did not recover or an acknowledged write is missing.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import pg from 'pg';
import { callOk, connectHttp, serveEnv, startServe } from '../bench/serve.js';
import { createScratchDatabase } from '../tests/support/databases.js';

const { values: flags } = parseArgs({
  options: {
    pg: { type: 'string', default: 'private' },
    'down-seconds': { type: 'string', default: '3' },
    'before-seconds': { type: 'string', default: '8' },
    'after-seconds': { type: 'string', default: '15' },
    sessions: { type: 'string', default: '16' },
  },
});
const mode = flags.pg;
if (!['private', 'shared-restart', 'terminate'].includes(mode)) throw new Error(`--pg ${mode}: use private, shared-restart or terminate`);
const downMs = Number(flags['down-seconds']) * 1000;
const PG_BIN = '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

interface Postgres {
  serverUrl: string;
  /** Takes PostgreSQL away for `downMs` (or as the mode does it) and brings it back. */
  restart(): Promise<string>;
  close(): Promise<void>;
}

/** A cluster of our own, run as user postgres (initdb refuses root). */
async function privateCluster(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-fault-pg-'));
  const { uid, gid } = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
  chownSync(dir, uid, gid);
  const port = await freePort();
  const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const data = join(dir, 'data');
  asPostgres([`${PG_BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () => asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  start();
  return {
    serverUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async restart() {
      asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
      await sleep(downMs);
      start();
      return `private cluster on port ${port}: pg_ctl stop -m immediate, ${downMs / 1000} s down, pg_ctl start`;
    },
    async close() {
      try {
        asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function sharedServer(scratchName: () => string): Postgres {
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  return {
    serverUrl,
    async restart() {
      if (mode === 'shared-restart') {
        execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart'], { stdio: 'inherit' });
        return 'pg_ctlcluster 15 main restart (the shared server)';
      }
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      const { rowCount } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [scratchName()]);
      await client.end();
      return `pg_terminate_backend on ${rowCount} connections to ${scratchName()}`;
    },
    close: async () => {},
  };
}

type Ack = { kind: 'server'; name: string; at: number } | { kind: 'job'; id: string; at: number };

async function main(): Promise<void> {
  let scratchUrl = '';
  const postgres = mode === 'private' ? await privateCluster() : sharedServer(() => new URL(scratchUrl).pathname.slice(1));
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-fault-'));
  const scratch = await createScratchDatabase(postgres.serverUrl);
  scratchUrl = scratch.url;
  // One key makes every call: the HTTP rate limit is raised past the default 6000/m (still counted).
  const served = await startServe(serveEnv(dir, scratch.url, { SWITCHBOARD_HTTP_RATE_LIMIT: '999999999/m' }));
  const acks: Ack[] = [];
  const failures: { at: number; text: string }[] = [];
  let stop = false;
  let seq = 0;
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  try {
    const admin = await connectHttp(served.url, served.adminKey);
    const clients: Client[] = await Promise.all(Array.from({ length: Number(flags.sessions) }, () => connectHttp(served.url, served.adminKey)));
    const worker = async (client: Client, w: number) => {
      while (!stop) {
        const n = seq++;
        try {
          if (n % 2 === 0) {
            const name = `io.github.fault/server-${w}-${n}`;
            await callOk(client, 'registry_register', { name, version: '1.0.0', transport: { type: 'streamable-http', url: 'https://example.com/mcp' } });
            acks.push({ kind: 'server', name, at: now() });
          } else {
            const { job } = await callOk<{ job: { id: string } }>(client, 'job_submit', { intent: `fault.job.n${n}`, arguments: { n } });
            acks.push({ kind: 'job', id: job.id, at: now() });
          }
        } catch (error) {
          failures.push({ at: now(), text: (error as Error).message.slice(0, 300) });
          await sleep(50); // a failing database answers at once: do not spin
        }
      }
    };
    const load = Promise.all(clients.map(worker));
    await sleep(Number(flags['before-seconds']) * 1000);
    const downAt = now();
    const how = await postgres.restart();
    const upAt = now();
    await sleep(Number(flags['after-seconds']) * 1000);
    stop = true;
    await load;
    const firstAckAfterUp = acks.find((a) => a.at > upAt)?.at;
    const settled = (firstAckAfterUp ?? upAt) + 5_000;
    const health = await fetch(served.url.replace('/mcp', '/healthz')).then((r) => r.json() as Promise<{ status: string }>);
    for (const c of [...clients, admin]) await c.close().catch(() => {});
    const code = await served.stop();

    // Every acknowledged write, read back straight from PostgreSQL.
    const db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const names = acks.flatMap((a) => (a.kind === 'server' ? [a.name] : []));
    const jobIds = acks.flatMap((a) => (a.kind === 'job' ? [a.id] : []));
    const foundNames = new Set((await db.query<{ name: string }>('SELECT "name" FROM "ServerVersion" WHERE "name" = ANY($1)', [names])).rows.map((r) => r.name));
    const foundJobs = new Set((await db.query<{ id: string }>('SELECT "id" FROM "Job" WHERE "id" = ANY($1)', [jobIds])).rows.map((r) => r.id));
    await db.end();
    const missing = [...names.filter((n) => !foundNames.has(n)), ...jobIds.filter((id) => !foundJobs.has(id))];
    const kinds = new Map<string, number>();
    for (const f of failures) kinds.set(f.text.replace(/server-\d+-\d+|n\d+/g, '…'), (kinds.get(f.text.replace(/server-\d+-\d+|n\d+/g, '…')) ?? 0) + 1);
    const result = {
      restart: how,
      timeline: { downAtMs: downAt, upAtMs: upAt, firstAckAfterUpMs: firstAckAfterUp ?? null, recoveredAfterUpMs: firstAckAfterUp === undefined ? null : firstAckAfterUp - upAt },
      acknowledged: { servers: names.length, jobs: jobIds.length, beforeDown: acks.filter((a) => a.at < downAt).length, afterUp: acks.filter((a) => a.at > upAt).length },
      failedCalls: { total: failures.length, whileDownOrRecovering: failures.filter((f) => f.at >= downAt && f.at <= settled).length, outsideTheOutage: failures.filter((f) => f.at < downAt || f.at > settled).length, kinds: Object.fromEntries(kinds) },
      healthzAfter: health.status,
      serverExit: code,
      missingAcknowledgedWrites: missing.length,
      missingSample: missing.slice(0, 10),
      pass: { recovered: firstAckAfterUp !== undefined && health.status === 'ok', noLostWrites: missing.length === 0, noFailuresOutsideOutage: failures.every((f) => f.at >= downAt && f.at <= settled) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    process.exitCode = Object.values(result.pass).every(Boolean) ? 0 : 1;
  } finally {
    stop = true;
    await served.stop();
    await scratch.drop().catch((error: unknown) => process.stderr.write(`dropping the scratch database failed: ${(error as Error).message}\n`));
    await postgres.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
