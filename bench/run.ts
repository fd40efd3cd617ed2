// `npm run bench`: every benchmark, each against baselines run in the same process or script, then
// bench/RESULTS.md (a table of medians, ratios, targets and verdicts; the raw figures below it).
//   npm run bench                               all of them
//   npm run bench -- --only http-e2e,routes     just these (repeatable); the others keep their last figures
//   npm run bench -- --render                   rewrite RESULTS.md from bench/results.json, measuring nothing
// Raw results are kept in bench/results.json, so a partial run updates RESULTS.md in place.
// Requires `npm run build` first (benchmarks spawn dist/cli.js). PostgreSQL halves run against
// BENCH_DATABASE_URL or TEST_DATABASE_URL; when neither is set, the local server at
// postgresql://postgres@127.0.0.1:5432/postgres is used if it answers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { coldStart } from './cold-start.js';
import { httpE2eBench } from './http-e2e.js';
import { invokeBench } from './invoke.js';
import { jobsBench } from './jobs.js';
import { policyBench } from './policy.js';
import { redactionBench } from './redaction.js';
import { registrySearchBench } from './registry-search.js';
import { routeBench } from './routes.js';
import { traceIngestBench } from './trace-ingest.js';

/** One line of the results table: `ratio` is what `measure` says it is; `pass` is undefined when no target is set. */
interface Row {
  measure: string;
  ours: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
  pass: boolean | undefined;
}

// Result shapes are read loosely: bench/jobs.ts and others may change what they return; a row
// that cannot be read is left out and the raw JSON below the table still has everything.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const none = { target: 'none set', pass: undefined };
const atMost = (ratio: number, limit: number) => ({ target: `≤ ${limit}`, pass: ratio <= limit });
const atLeast = (ratio: number, limit: number) => ({ target: `≥ ${limit}`, pass: ratio >= limit });

interface Bench {
  name: string;
  run(): Promise<Json>;
  rows(result: Json): Row[];
}

const benches: Bench[] = [
  {
    name: 'cold-start',
    run: () => coldStart(),
    rows: (r) => [
      // The target's figure: the server's start, to its answer (bench/cold-start.ts says why).
      { measure: 'stdio spawn → first tools/list answer on the wire (ms), ratio = switchboard ÷ bare SDK', ours: `${r.switchboardWireMs} ms`, baseline: `bare SDK stdio ${r.bareWireMs} ms`, ratio: r.wireRatio, ...atMost(r.wireRatio, 2) },
      { measure: 'the same through the SDK client (connect + listTools, which compiles every outputSchema)', ours: `${r.switchboardMs} ms`, baseline: `bare SDK stdio ${r.bareMs} ms`, ratio: r.ratio, ...none },
    ],
  },
  {
    name: 'routes',
    run: () => routeBench(),
    rows: (r) => [{ measure: 'route_resolve p50, 100,000 ÷ 100 routes', ours: `${r.p50At100kUs} µs at 100k`, baseline: `${r.p50At100Us} µs at 100`, ratio: r.ratio, ...atMost(r.ratio, 2) }],
  },
  {
    name: 'policy',
    run: () => policyBench(),
    rows: (r) =>
      (r.rows as Json[]).flatMap((x) => [
        // Issue 3's target is at 1,000 policies: at least 100× both.
        { measure: `policy decision p50 at ${x.policies} policies, speedup = cedar-wasm ÷ ours`, ours: `${x.switchboard.p50Us} µs`, baseline: `cedar-wasm ${x.cedar.p50Us} µs`, ratio: x.speedupVsCedarP50, ...(x.policies === 1000 ? atLeast(x.speedupVsCedarP50, 100) : none) },
        { measure: `policy decision p50 at ${x.policies} policies, speedup = casbin ÷ ours`, ours: `${x.switchboard.p50Us} µs`, baseline: `casbin ${x.casbin.p50Us} µs`, ratio: x.speedupVsCasbinP50, ...(x.policies === 1000 ? atLeast(x.speedupVsCasbinP50, 100) : none) },
      ]),
  },
  {
    name: 'redaction',
    run: () => redactionBench(),
    rows: (r) => {
      const [ours, ...others] = r.rows as Json[];
      return others.map((o) => {
        const ratio = Math.round((ours!.mbPerSecond / o.mbPerSecond) * 10) / 10;
        return {
          measure: `redaction MB/s (recall ours ${ours!.recall}, theirs ${o.recall}), ratio = ours ÷ ${o.engine}`,
          ours: `${ours!.mbPerSecond} MB/s`,
          baseline: `${o.engine} ${o.mbPerSecond} MB/s`,
          ratio,
          // Issue 4: at least 10× redact-pii, at higher recall.
          ...(o.engine === 'redact-pii' ? { target: '≥ 10 at higher recall', pass: ratio >= 10 && ours!.recall > o.recall } : none),
        };
      });
    },
  },
  {
    name: 'trace-ingest',
    run: () => traceIngestBench(),
    rows: (r) => [{ measure: 'trace ingest on SQLite (rows/s), ratio = writer ÷ raw batched insert', ours: `${r.redactedViaWriter}/s`, baseline: `raw better-sqlite3 ${r.rawBatchedInsert}/s`, ratio: r.ratio, ...atLeast(r.ratio, 0.4) }],
  },
  {
    name: 'invoke',
    run: () => invokeBench(),
    rows: (r) =>
      (r.rows as Json[]).flatMap((w) => [
        // Issue 5: at least 0.6× direct, at least 1.5× supergateway.
        { measure: `invoke ${w.workload} calls/s, ratio = Switchboard HTTP ÷ direct stdio`, ours: `${w['switchboard-http'].callsPerSecond}/s`, baseline: `direct ${w.direct.callsPerSecond}/s`, ratio: w.httpVsDirect, ...atLeast(w.httpVsDirect, 0.6) },
        { measure: `invoke ${w.workload} calls/s, ratio = Switchboard stdio ÷ direct stdio`, ours: `${w['switchboard-stdio'].callsPerSecond}/s`, baseline: `direct ${w.direct.callsPerSecond}/s`, ratio: w.stdioVsDirect, ...atLeast(w.stdioVsDirect, 0.6) },
        { measure: `invoke ${w.workload} calls/s, ratio = Switchboard HTTP ÷ supergateway`, ours: `${w['switchboard-http'].callsPerSecond}/s`, baseline: `supergateway ${w.supergateway.callsPerSecond}/s`, ratio: w.httpVsSupergateway, ...atLeast(w.httpVsSupergateway, 1.5) },
      ]),
  },
  {
    name: 'jobs',
    run: () => jobsBench(),
    // One row per baseline engine, from the engines' own figures (the first row is ours).
    rows: (r) =>
      ['postgresql', 'sqlite'].flatMap((provider) => {
        const part = r[provider];
        if (typeof part !== 'object' || !Array.isArray(part.rows)) return [];
        const [ours, ...others] = part.rows as { engine: string; jobsPerSecond: number }[];
        return others.map((o) => {
          const ratio = Math.round((ours!.jobsPerSecond / o.jobsPerSecond) * 100) / 100;
          // Issue 6, on PostgreSQL: at least 10× pg-boss and 0.5× a raw SKIP LOCKED loop.
          const target = provider !== 'postgresql' ? none : o.engine.startsWith('pg-boss') ? atLeast(ratio, 10) : o.engine.startsWith('raw pg SKIP LOCKED') ? atLeast(ratio, 0.5) : none;
          return { measure: `jobs claimed + completed per second on ${provider}, ratio = ours ÷ ${o.engine}`, ours: `${ours!.jobsPerSecond}/s`, baseline: `${o.jobsPerSecond}/s`, ratio, ...target };
        });
      }),
  },
  {
    name: 'http-e2e',
    run: () => httpE2eBench(),
    rows: (r) => [
      {
        measure: 'HTTP tools/call calls/s end to end (auth, policy, tracing, redaction), ratio = switchboard ÷ bare SDK',
        ours: `${r.switchboard.callsPerSecond}/s (p50 ${r.switchboard.p50Ms} ms, p99 ${r.switchboard.p99Ms} ms)`,
        baseline: `bare SDK ${r.bareSdk.callsPerSecond}/s (p50 ${r.bareSdk.p50Ms} ms, p99 ${r.bareSdk.p99Ms} ms)`,
        ratio: r.ratio,
        ...atLeast(r.ratio, 0.5),
      },
    ],
  },
  {
    name: 'registry-search',
    run: () => registrySearchBench(),
    rows: (r) =>
      (r.rows as Json[]).flatMap((p) => [
        {
          measure: `registry_search p50 on ${p.provider}, 100,000 ÷ 1,000 servers (query mix)`,
          ours: `${p.p50At100kMs} ms at 100k (p99 ${p.p99At100kMs} ms)`,
          baseline: `${p.p50At1kMs} ms at 1k`,
          ratio: p.ratio,
          ...atMost(p.ratio, 5),
        },
        ...Object.entries(p.byKind as Record<string, Json>).map(([kind, k]) => ({
          measure: `… of which ${kind} queries`,
          ours: `${k.p50LargeMs} ms at 100k`,
          baseline: `${k.p50SmallMs} ms at 1k`,
          ratio: k.ratio,
          ...none,
        })),
      ]),
  },
];

const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));
const markdownFile = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

interface Stored {
  result: Json;
  /** When the `npm run bench` that measured it started (ISO). */
  run: string;
  at: string;
  command: string;
  machine: string;
}

function machine(): string {
  const list = cpus();
  return `${list.length} cores (${list[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

function only(argv: string[]): Set<string> | undefined {
  const names = argv.flatMap((arg, i) => (arg === '--only' ? (argv[i + 1] ?? '').split(',') : arg.startsWith('--only=') ? arg.slice(7).split(',') : [])).filter(Boolean);
  if (argv.includes('--only') && names.length === 0) throw new Error('--only needs a benchmark name');
  const unknown = names.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}`);
  return names.length > 0 ? new Set(names) : undefined;
}

/** Uses the local PostgreSQL when none is named and it answers, so the PostgreSQL halves run. */
async function defaultPostgres(): Promise<void> {
  if (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL) return;
  const url = 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    process.env.BENCH_DATABASE_URL = url;
  } catch {
    process.stderr.write(`notice: no PostgreSQL at ${url}; the PostgreSQL halves are skipped.\n`);
  } finally {
    await client.end().catch(() => {});
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function markdown(stored: Record<string, Stored>): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Every figure is a median of interleaved',
    'rounds, and every ratio is against a baseline run in the same process or script at the same time.',
    'The machine is shared (2 cores, other test runs alongside), so absolute figures move between runs;',
    'the ratios are what the targets are about.',
    '',
    '| benchmark | measure | ours | baseline | ratio | target | result | run (UTC) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const details: string[] = [];
  const runs = new Map<string, string>();
  for (const bench of benches) {
    const s = stored[bench.name];
    if (!s) {
      lines.push(`| ${bench.name} | not run yet | | | | | | |`);
      continue;
    }
    runs.set(`${minute(s.run)} UTC`, `${s.command} on ${s.machine}`);
    let rows: Row[] = [];
    try {
      rows = bench.rows(s.result);
    } catch (error) {
      rows = [{ measure: `(could not read the result: ${(error as Error).message}; see below)`, ours: '', baseline: '', ratio: undefined, ...none }];
    }
    for (const row of rows) {
      const verdict = row.pass === undefined ? '—' : row.pass ? '**pass**' : '**FAIL**';
      lines.push(`| ${bench.name} | ${cell(row.measure)} | ${cell(row.ours)} | ${cell(row.baseline)} | ${row.ratio ?? ''} | ${row.target} | ${verdict} | ${minute(s.run)} |`);
    }
    details.push(`### ${bench.name}`, '', '```json', JSON.stringify(s.result, null, 1), '```', '');
  }
  lines.push('', '## Runs', '', ...[...runs].map(([at, what]) => `- ${at}: ${what}`), '');
  lines.push('## Raw results', '', ...details);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--render')) {
    // Rewrites RESULTS.md from results.json, e.g. after changing how rows are shown.
    writeFileSync(markdownFile, markdown(JSON.parse(readFileSync(resultsFile, 'utf8'))));
    return;
  }
  const selected = only(process.argv.slice(2));
  await defaultPostgres();
  const stored: Record<string, Stored> = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
  const command = `\`npm run bench${selected ? ` -- --only ${[...selected].join(',')}` : ''}\`${process.env.BENCH_DATABASE_URL ? ` with PostgreSQL at ${process.env.BENCH_DATABASE_URL}` : ''}`;
  const run = new Date().toISOString();
  for (const bench of benches) {
    if (selected && !selected.has(bench.name)) continue;
    const started = performance.now();
    process.stderr.write(`${bench.name}…\n`);
    const result = await bench.run();
    process.stdout.write(`${JSON.stringify({ benchmark: bench.name, seconds: Math.round((performance.now() - started) / 1000), ...result })}\n`);
    stored[bench.name] = { result, run, at: new Date().toISOString(), command, machine: machine() };
    // Written after each benchmark, so an interrupted run keeps what it measured.
    writeFileSync(resultsFile, `${JSON.stringify(stored, null, 1)}\n`);
    writeFileSync(markdownFile, markdown(stored));
  }
  process.stdout.write(`wrote ${markdownFile}\n`);
}

await main();
