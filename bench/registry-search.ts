// registry_search p50 with 1,000 vs 100,000 registered servers, through the domain function the
// tool calls (searchServers), on SQLite (FTS5 + bm25) and, when a PostgreSQL server is named by
// BENCH_DATABASE_URL or TEST_DATABASE_URL, on PostgreSQL (GIN tsvector + ts_rank). Target: ratio ≤ 5.
//
// Rows are what registry_register writes: the first few go through registerServer itself, the
// rest in multi-row INSERTs of the columns insertServer builds (serverRow; checks compare a
// registerServer row with rowFor's, and a bulk row read back with a registered one). The
// full-text index is kept by the app's own objects: the FTS5 triggers (SQLite) and the generated
// tsvector column with its GIN index (PostgreSQL) that createApp sets up, so inserting fills it
// as registering does.
//
// Text is drawn from a Zipf-distributed vocabulary (a head of real words, a long synthetic tail),
// so some words occur in most descriptions and others in a handful; every description starts
// "An MCP server for", as real ones tend to. Queries come in five kinds, equally often: common
// words, mid-frequency words, rare words, prefixes, and two-word queries. A common word matches a
// fixed share of the registry, so its cost grows with the registry: ranking looks at every match.
// The p50 of each kind is reported beside the overall one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { registerServer, serverRow } from '../src/domain/registry/register.js';
import { registerInput, type RegisterInput } from '../src/domain/registry/schema.js';
import { searchInput, searchServers } from '../src/domain/registry/search.js';
import { uuidv7 } from '../src/domain/uuid.js';
import { Prisma } from '../src/store/index.js';
import { createScratchDatabase } from '../tests/support/databases.js';
import { median, percentile, round } from './stats.js';

const principal = { id: 'bench', roles: ['admin'], attributes: {} };

const head = (
  'server data api tools files search cloud database git code web query email calendar chat weather maps music video image ' +
  'translate payments billing invoice crm sales support ticket issue docs notes memory browser shell kubernetes docker aws azure ' +
  'slack github gitlab jira linear notion drive sheets postgres mysql redis sqlite vector embeddings llm agent workflow automation ' +
  'monitoring logs metrics alerts security secrets auth identity users accounts orders inventory shipping tracking analytics reports ' +
  'dashboard forecast finance stocks crypto news social twitter reddit youtube spotify travel flights hotels food recipes health fitness'
).split(' ');
const TAIL = 6_000;
const vocabulary = [...head, ...Array.from({ length: TAIL }, (_, i) => `term${i.toString(36)}`)];
const tags = head.slice(0, 60);

/** Deterministic pseudo-random numbers (mulberry32), so both sizes get the same kind of text. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Word ranks drawn from Zipf(s = 1) over the vocabulary. */
function zipf(rand: () => number) {
  const cumulative: number[] = [];
  let sum = 0;
  for (let r = 1; r <= vocabulary.length; r++) cumulative.push((sum += 1 / r));
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
}

function inputs(n: number, seed = 1): RegisterInput[] {
  const rand = random(seed);
  const word = zipf(rand);
  return Array.from({ length: n }, (_, i) => {
    const [a, b] = [word(), word()];
    const description = Array.from({ length: 8 + Math.floor(rand() * 10) }, word).join(' ');
    const stdio = i % 2 === 0;
    return registerInput.parse({
      name: `io.github.org${i}/${a}-${b}`,
      version: '1.0.0',
      title: `${a} ${b}`,
      description: `An MCP server for ${description}.`,
      transport: stdio ? { type: 'stdio', command: 'npx', args: ['-y', `@org${i}/${a}-${b}-mcp`] } : { type: 'streamable-http', url: `https://${a}.org${i}.example.com/mcp` },
      repositoryUrl: `https://github.com/org${i}/${a}-${b}`,
      tags: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => tags[Math.floor(rand() * tags.length)]!).filter((t, k, all) => all.indexOf(t) === k),
    });
  });
}

/** The ServerVersion columns registerServer writes for `input`: the domain's own row, and isLatest. */
function rowFor(app: App, input: RegisterInput) {
  // One version per name, no prerelease: recomputeLatest marks it latest when active.
  return { ...serverRow(app.deps, principal, input), isLatest: input.status === 'active' };
}

const jsonColumns = new Set(['transport', 'secretKeys', 'tags', 'dependencies', 'metadata']);

/**
 * One multi-row INSERT of rows as rowFor builds them, with bound parameters (Prisma's createMany
 * took about a millisecond a row on SQLite: 100,000 rows would take minutes). JSON columns are
 * bound as their JSON text (cast to jsonb on PostgreSQL), as Prisma stores them.
 */
async function insertRows(app: App, rows: ReturnType<typeof rowFor>[]): Promise<void> {
  const now = new Date();
  const columns = ['id', ...Object.keys(rows[0]!), 'createdAt', 'updatedAt'];
  const pg = app.deps.provider === 'postgresql';
  const strings: string[] = [`INSERT INTO "ServerVersion" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (`];
  const values: unknown[] = [];
  rows.forEach((row, r) => {
    const record: Record<string, unknown> = { id: uuidv7(now.getTime()), ...row, createdAt: now, updatedAt: now };
    columns.forEach((column, c) => {
      const json = jsonColumns.has(column);
      values.push(json ? JSON.stringify(record[column]) : record[column]);
      const cast = json && pg ? '::jsonb' : '';
      strings.push(c < columns.length - 1 ? `${cast}, ` : r < rows.length - 1 ? `${cast}), (` : `${cast})`);
    });
  });
  await app.deps.db.$executeRaw(new Prisma.Sql(strings, values));
}

/** A bulk row reads back like a registered one: every column Prisma decodes, and the stored date format. */
async function sameAsRegistered(app: App, registered: string, bulk: string): Promise<void> {
  const rows = await app.deps.db.serverVersion.findMany({ where: { name: { in: [registered, bulk] } } });
  const [a, b] = [rows.find((r) => r.name === registered)!, rows.find((r) => r.name === bulk)!];
  const shape = (v: unknown) => (v instanceof Date ? 'date' : Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  for (const column of Object.keys(a) as (keyof typeof a)[]) {
    if (shape(a[column]) !== shape(b[column])) throw new Error(`bulk rows differ from registered ones in ${column}: ${shape(b[column])} vs ${shape(a[column])}`);
  }
  if (app.deps.provider === 'sqlite') {
    const stored = await app.deps.db.$queryRawUnsafe<{ t: string }[]>(`SELECT "createdAt" || '' AS t FROM "ServerVersion" WHERE "name" IN (?, ?) ORDER BY "name" = ?`, registered, bulk, bulk);
    const format = (t: string) => t.replace(/\d/g, '9');
    if (format(stored[0]!.t) !== format(stored[1]!.t)) throw new Error(`bulk dates are stored as ${stored[1]!.t}, registered ones as ${stored[0]!.t}`);
  }
}

const REGISTERED = 20;

/** JSON with object keys sorted: PostgreSQL's jsonb does not keep key order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** The row stored for `input` has rowFor's values. */
async function storedAs(app: App, input: RegisterInput, by: string): Promise<void> {
  const stored = await app.deps.db.serverVersion.findUniqueOrThrow({ where: { name_version: { name: input.name, version: input.version } } });
  for (const [column, value] of Object.entries(rowFor(app, input))) {
    const got = canonical(stored[column as keyof typeof stored]);
    if (got !== canonical(value)) throw new Error(`${by} stored ${column} as ${got}, rowFor has ${JSON.stringify(value)}`);
  }
}

/** Fills the registry with `n` servers: REGISTERED through registerServer, the rest in bulk. */
async function fill(app: App, n: number): Promise<void> {
  const all = inputs(n);
  for (const input of all.slice(0, REGISTERED)) await registerServer(app.deps, principal, input);
  // Before bulk-inserting: the bulk rows must equal what registerServer wrote.
  await storedAs(app, all[0]!, 'registerServer');
  for (let i = REGISTERED; i < n; i += 500) await insertRows(app, all.slice(i, i + 500).map((input) => rowFor(app, input)));
  await storedAs(app, all[REGISTERED]!, 'the bulk insert');
  await sameAsRegistered(app, all[0]!.name, all[REGISTERED]!.name);
  if (app.deps.provider === 'postgresql') await app.deps.db.$executeRawUnsafe('ANALYZE "ServerVersion"');
  else await app.deps.db.$executeRawUnsafe('ANALYZE');
}

const queries: Record<string, string[]> = {
  common: ['server', 'data', 'api', 'tools', 'files'],
  mid: ['slack', 'docker', 'invoice', 'analytics', 'weather'],
  rare: ['term3zz', 'term4cq', 'term2ab', 'term2zz', 'term1kk'],
  prefix: ['wea', 'calen', 'dock', 'analy', 'term1'],
  'two words': ['github issue', 'weather forecast', 'postgres database', 'email calendar', 'slack chat'],
};
const mix = Object.entries(queries).flatMap(([kind, qs]) => qs.map((q) => ({ kind, q })));

async function batch(app: App, into: Map<string, number[]>, reps: number): Promise<void> {
  for (let r = 0; r < reps; r++) {
    for (const { kind, q } of mix) {
      const input = searchInput.parse({ query: q });
      const started = performance.now();
      await searchServers(app.deps, input);
      const ms = performance.now() - started;
      into.get(kind)?.push(ms);
      into.get('all')!.push(ms);
    }
  }
}

async function openApp(databaseUrl: string, dataDir: string): Promise<App> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_HEALTH_INTERVAL_MS: '0', SWITCHBOARD_JOB_WORKERS: '0', SWITCHBOARD_LOG_LEVEL: 'silent' });
  return createApp(config, { log: pino({ level: 'silent' }) });
}

async function provider(name: 'sqlite' | 'postgresql', rounds: number, sizes: [number, number]) {
  const dirs = [mkdtempSync(join(tmpdir(), 'switchboard-search-')), mkdtempSync(join(tmpdir(), 'switchboard-search-'))];
  const pgServer = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const scratch = name === 'postgresql' ? await Promise.all(dirs.map(() => createScratchDatabase(pgServer!))) : [];
  const apps: App[] = [];
  try {
    for (const [k, dir] of dirs.entries()) apps.push(await openApp(scratch[k]?.url ?? `file:${join(dir, 'search.db')}`, dir));
    const fillMs: number[] = [];
    for (const [k, app] of apps.entries()) {
      const started = performance.now();
      await fill(app, sizes[k]!);
      fillMs.push(performance.now() - started);
    }
    const samples = apps.map(() => new Map([...Object.keys(queries), 'all'].map((kind) => [kind, [] as number[]])));
    for (const app of apps) await batch(app, new Map([['all', []]]), 2); // warm up
    for (let r = 0; r < rounds; r++) for (const [k, app] of apps.entries()) await batch(app, samples[k]!, 1);
    const [small, large] = samples as [Map<string, number[]>, Map<string, number[]>];
    const byKind = Object.fromEntries(
      Object.keys(queries).map((kind) => [kind, { p50SmallMs: round(median(small.get(kind)!), 2), p50LargeMs: round(median(large.get(kind)!), 2), ratio: round(median(large.get(kind)!) / median(small.get(kind)!)) }]),
    );
    return {
      provider: name,
      insertSeconds: fillMs.map((ms) => round(ms / 1000, 1)),
      p50At1kMs: round(median(small.get('all')!), 2),
      p50At100kMs: round(median(large.get('all')!), 2),
      p99At100kMs: round(percentile(large.get('all')!, 99), 2),
      ratio: round(median(large.get('all')!) / median(small.get('all')!)),
      byKind,
    };
  } finally {
    for (const app of apps) await app.close();
    for (const s of scratch) await s.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export async function registrySearchBench(rounds = 10, sizes: [number, number] = [1_000, 100_000]) {
  const providers: ('sqlite' | 'postgresql')[] = ['sqlite', ...(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ? (['postgresql'] as const) : [])];
  const rows = [];
  for (const p of providers) rows.push(await provider(p, rounds, sizes));
  return { name: `registry_search p50, ${sizes[0]} vs ${sizes[1]} servers (${mix.length} queries × ${rounds} rounds, 5 kinds)`, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [rounds, small, large] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await registrySearchBench(rounds || undefined, [small || 1_000, large || 100_000]), null, 1)}\n`);
}
