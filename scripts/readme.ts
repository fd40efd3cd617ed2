// The README's tools, resources and configuration tables are generated from the code:
// `npm run docs` rewrites them; tests/readme.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settings } from '../src/config.js';
import { allResources } from '../src/resources/index.js';
import { allTools } from '../src/tools/index.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const firstSentence = (s: string) => s.split(/(?<=\.)\s(?=[A-Z])/)[0] ?? s;

function hints(a: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean }): string {
  return [a.readOnlyHint ? 'read-only' : 'writes', a.destructiveHint ? 'destructive' : '', a.idempotentHint ? 'idempotent' : ''].filter(Boolean).join(', ');
}

export function tables(): Record<string, string> {
  return {
    tools: [
      '| tool | what it does | kind |',
      '|---|---|---|',
      ...allTools.map((t) => `| \`${t.name}\` | ${cell(firstSentence(t.description))} | ${hints(t.annotations)} |`),
    ].join('\n'),
    resources: [
      '| URI | what it shows |',
      '|---|---|',
      ...allResources.map((r) => `| \`${r.uri ?? r.uriTemplate}\` | ${cell(r.description)} |`),
    ].join('\n'),
    config: [
      '| variable | default | meaning |',
      '|---|---|---|',
      ...Object.values(settings).map((s) => `| \`${s.env}\` | ${s.default === undefined || s.default === '' ? '—' : `\`${s.default}\``} | ${cell(s.doc)} |`),
    ].join('\n'),
  };
}

/** The README with each `<!-- name:start -->…<!-- name:end -->` block regenerated. */
export function syncReadme(readme: string): string {
  let out = readme;
  for (const [name, table] of Object.entries(tables())) {
    const block = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!block.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> block.`);
    out = out.replace(block, (_m, start: string, end: string) => `${start}${table}\n${end}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, syncReadme(readFileSync(path, 'utf8')));
}
