// Redaction throughput (MB/s) and recall on the project's corpus, beside the npm packages
// redact-pii (SyncRedactor) and @redactpii/node, in one process, rounds interleaved. A sample is
// as many whole passes over the corpus as fill MIN_SAMPLE_MS: one pass takes well under a
// millisecond for the faster engines, and timing it alone measured mostly the caches refilling
// after the previous engine's round (and the JIT still warming up), not throughput.
import { fileURLToPath } from 'node:url';
import { Redactor as RedactPiiNode } from '@redactpii/node';
import { SyncRedactor } from 'redact-pii';
import { createRedactor } from '../src/domain/redaction/index.js';
import { corpus, positives } from '../tests/redaction-corpus.js';
import { median, round } from './stats.js';

type Engine = { name: string; redact: (text: string) => string };

function engines(): Engine[] {
  const ours = createRedactor();
  const redactPii = new SyncRedactor();
  const redactPiiNode = new RedactPiiNode();
  return [
    { name: 'switchboard', redact: (t) => ours.redactString(t).value },
    { name: 'redact-pii', redact: (t) => redactPii.redact(t) },
    { name: '@redactpii/node', redact: (t) => redactPiiNode.redact(t) },
  ];
}

const texts = corpus.map((e) => e.text);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

const MIN_SAMPLE_MS = 20;

function throughput(engine: Engine): number {
  const started = performance.now();
  let passes = 0;
  let elapsed: number;
  do {
    for (const t of texts) engine.redact(t);
    passes++;
    elapsed = performance.now() - started;
  } while (elapsed < MIN_SAMPLE_MS);
  return (passes * bytes) / 1e6 / (elapsed / 1000);
}

/** Share of true positives whose secret no longer appears after redaction. */
function recall(engine: Engine): number {
  return positives.filter((p) => !engine.redact(p.text).includes(p.secret!)).length / positives.length;
}

export async function redactionBench(rounds = 30) {
  const list = engines();
  const samples = new Map(list.map((e) => [e.name, [] as number[]]));
  for (let w = 0; w < 3; w++) for (const e of list) throughput(e); // warm up
  for (let r = 0; r < rounds; r++) for (const e of list) samples.get(e.name)!.push(throughput(e));
  const rows = list.map((e) => ({ engine: e.name, mbPerSecond: round(median(samples.get(e.name)!), 2), recall: round(recall(e), 4) }));
  const ours = rows[0]!;
  return {
    name: `redaction on the corpus (${corpus.length} texts, ${round(bytes / 1024, 1)} KiB; median of ${rounds} rounds)`,
    rows,
    speedupVsRedactPii: round(ours.mbPerSecond / rows[1]!.mbPerSecond, 1),
    speedupVsRedactPiiNode: round(ours.mbPerSecond / rows[2]!.mbPerSecond, 1),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${JSON.stringify(await redactionBench(), null, 1)}\n`);
