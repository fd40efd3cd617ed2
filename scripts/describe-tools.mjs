// Build step, after tsc: writes the tools/list descriptions of allTools into dist/tools/described.json
// with the compiled describeTool, so a start reads them instead of converting every zod schema
// (src/tools/describe.ts says when the file is trusted).
import { writeFileSync } from 'node:fs';

const { allTools } = await import('../dist/tools/index.js');
const { describeTool, describedFile } = await import('../dist/tools/describe.js');
writeFileSync(describedFile, `${JSON.stringify(allTools.map(describeTool))}\n`);
