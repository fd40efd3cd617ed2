// `npm run bench`: every benchmark, printed as medians and ratios against baselines run in the
// same process. Requires `npm run build` first (benchmarks spawn dist/cli.js).
import { coldStart } from './cold-start.js';
import { invokeBench } from './invoke.js';
import { jobsBench } from './jobs.js';
import { policyBench } from './policy.js';
import { redactionBench } from './redaction.js';
import { routeBench } from './routes.js';
import { traceIngestBench } from './trace-ingest.js';

for (const bench of [coldStart, routeBench, policyBench, redactionBench, traceIngestBench, invokeBench, jobsBench]) process.stdout.write(`${JSON.stringify(await bench())}\n`);
