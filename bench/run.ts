// `npm run bench`: every benchmark, printed as medians and ratios against baselines run in the
// same process. Requires `npm run build` first (benchmarks spawn dist/cli.js).
import { coldStart } from './cold-start.js';

const results = [await coldStart()];
for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
