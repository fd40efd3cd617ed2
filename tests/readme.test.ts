import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { syncReadme } from '../scripts/readme.js';

it('the README tables of tools, resources and configuration match the code (npm run docs)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(syncReadme(readme)).toBe(readme);
});
