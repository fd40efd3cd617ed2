// `npm run bench`: every benchmark, printed as medians and ratios against baselines run in the
// same process. Requires `npm run build` first (benchmarks spawn dist/cli.js).
import { coldStart } from './cold-start.js';
import { policyBench } from './policy.js';
import { routeBench } from './routes.js';

for (const bench of [coldStart, routeBench, policyBench]) process.stdout.write(`${JSON.stringify(await bench())}\n`);
